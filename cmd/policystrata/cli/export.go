package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/analysis/export"
	"github.com/policystrata/policystrata/internal/cliexit"
)

// exportParams are the arguments and flags of `policystrata export`.
type exportParams struct {
	Run, Format, Out string
}

func newExport(stdout io.Writer) *cobra.Command {
	p := &exportParams{}
	cmd := &cobra.Command{
		Use:   "export RUN",
		Short: "Export a run's traces for other tools (Inspect, BenchFlow, redacted evidence)",
		Example: `  policystrata export runs/heldout --format inspect --out heldout.inspect.jsonl
  policystrata export runs/heldout --format policystrata-json --out heldout.evidence.json`,
		Args: positionalArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.Run = args[0]
			return runExport(cmd.Context(), *p, stdout)
		},
	}
	cmd.Flags().StringVar(&p.Format, "format", "", "export format: "+strings.Join(export.Formats(), ", ")+" (required)")
	cmd.Flags().StringVar(&p.Out, "out", "", "file to write (required)")
	return cmd
}

func runExport(ctx context.Context, p exportParams, stdout io.Writer) error {
	ok := false
	for _, f := range export.Formats() {
		ok = ok || f == p.Format
	}
	if !ok || p.Out == "" {
		return cliexit.Usage(fmt.Errorf("--format (%s) and --out are required", strings.Join(export.Formats(), ", ")))
	}
	tmp, err := os.CreateTemp(filepath.Dir(p.Out), ".export-*")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name())
	n, err := export.Write(ctx, p.Run, p.Format, tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), p.Out); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return writeJSONLine(stdout, map[string]any{"format": p.Format, "records": n, "out": p.Out})
}
