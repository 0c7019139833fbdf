package cli

import (
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/internal/cliexit"
)

// addProfiling gives root hidden --cpuprofile FILE and --memprofile FILE
// flags: a Go CPU profile of the whole command and a heap profile at its
// end (for `go tool pprof`), for performance work.
func addProfiling(root *cobra.Command) {
	var path, memPath string
	var f *os.File
	root.PersistentFlags().StringVar(&path, "cpuprofile", "", "write a Go CPU profile of the command to this file")
	root.PersistentFlags().StringVar(&memPath, "memprofile", "", "write a Go heap profile at the end of the command to this file")
	_ = root.PersistentFlags().MarkHidden("cpuprofile")
	_ = root.PersistentFlags().MarkHidden("memprofile")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
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
		if memPath != "" {
			mf, err := os.Create(memPath)
			if err != nil {
				return fmt.Errorf("--memprofile: %w", err)
			}
			if err := pprof.Lookup("heap").WriteTo(mf, 0); err != nil {
				mf.Close()
				return fmt.Errorf("--memprofile: %w", err)
			}
			if err := mf.Close(); err != nil {
				return fmt.Errorf("--memprofile: %w", err)
			}
		}
		if f == nil {
			return nil
		}
		pprof.StopCPUProfile()
		return f.Close()
	}
}
