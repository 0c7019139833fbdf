package cli

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/internal/cliexit"
)

// addProfiling gives root hidden --cpuprofile FILE, --memprofile FILE and
// --blockprofile FILE flags: a Go CPU profile of the whole command, a heap
// profile at its end, and a profile of where goroutines waited (channels,
// locks, every event recorded) (for `go tool pprof`), for performance work.
func addProfiling(root *cobra.Command) {
	var path, memPath, blockPath string
	var f *os.File
	root.PersistentFlags().StringVar(&path, "cpuprofile", "", "write a Go CPU profile of the command to this file")
	root.PersistentFlags().StringVar(&memPath, "memprofile", "", "write a Go heap profile at the end of the command to this file")
	root.PersistentFlags().StringVar(&blockPath, "blockprofile", "", "write a Go blocking profile of the command to this file")
	_ = root.PersistentFlags().MarkHidden("cpuprofile")
	_ = root.PersistentFlags().MarkHidden("memprofile")
	_ = root.PersistentFlags().MarkHidden("blockprofile")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if blockPath != "" {
			runtime.SetBlockProfileRate(1)
		}
		if path == "" {
			return nil
		}
		var err error
		if f, err = os.Create(path); err != nil {
			return cliexit.Usage(fmt.Errorf("--cpuprofile: %w", err))
		}
		return pprof.StartCPUProfile(f)
	}
	root.PersistentPostRunE = func(cmd *cobra.Command, args []string) error {
		if err := writeProfile("heap", memPath); err != nil {
			return fmt.Errorf("--memprofile: %w", err)
		}
		if blockPath != "" {
			err := writeProfile("block", blockPath)
			runtime.SetBlockProfileRate(0)
			if err != nil {
				return fmt.Errorf("--blockprofile: %w", err)
			}
		}
		if f == nil {
			return nil
		}
		pprof.StopCPUProfile()
		return f.Close()
	}
}

// writeProfile writes the named runtime profile to path (nothing when path
// is empty).
func writeProfile(name, path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
