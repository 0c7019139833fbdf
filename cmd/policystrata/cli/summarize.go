package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/analysis/dataset"
	"github.com/policystrata/policystrata/internal/cliexit"
	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
	"github.com/policystrata/policystrata/pipeline/trace"
)

type summarizeParams struct {
	Run    string
	Format string
}

func newSummarize(stdout io.Writer) *cobra.Command {
	p := &summarizeParams{}
	cmd := &cobra.Command{
		Use:   "summarize RUN",
		Short: "Recompute a run's summary from its traces and check summary.json",
		Example: `  policystrata summarize runs/demo
  policystrata summarize runs/demo --format json
  policystrata summarize runs/gen --format markdown   # per-operator table for reports`,
		Args: positionalArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.Run = args[0]
			return runSummarize(*p, stdout)
		},
	}
	cmd.Flags().StringVar(&p.Format, "format", "text", "output format: text, json or markdown")
	return cmd
}

func runSummarize(p summarizeParams, stdout io.Writer) error {
	if p.Format != "text" && p.Format != "json" && p.Format != "markdown" {
		return cliexit.Usage(fmt.Errorf("--format must be text, json or markdown"))
	}
	if err := runDirArg(p.Run); err != nil {
		return err
	}
	sm, err := summarizeTraces(p.Run)
	if err != nil {
		return err
	}
	got, err := trace.CanonicalJSON(sm)
	if err != nil {
		return err
	}
	stored, _ := os.ReadFile(filepath.Join(p.Run, "summary.json"))
	switch p.Format {
	case "json":
		_, err := stdout.Write(got)
		return err
	case "markdown":
		writeMarkdown(stdout, sm)
		return nil
	}
	fmt.Fprintf(stdout, "%s: %d traces\n", p.Run, sm.Total)
	fmt.Fprintf(stdout, "  killed %d, survived %d, equivalent %d, invalid %d, clean controls %d, false positives %d\n",
		sm.Killed, sm.Survived, sm.Equivalent, sm.Invalid, sm.CleanControls, sm.FalsePositives)
	fmt.Fprintf(stdout, "  mutation score %.3f (killed / all mutants %.3f, equivalent share %.3f, fault reached %.3f), localization accuracy %.3f, class accuracy %.3f, containment rate %.3f\n",
		sm.MutantKillRate, sm.KillRateAllMutants, sm.EquivalentShare, sm.FaultReachedRate, sm.LocalizationAccuracy, sm.ExpectedClassAccuracy, sm.ContainmentRate)
	for _, c := range []string{"over_permissive", "over_restrictive", "lowering_violation", "semantic_drift", "unsafe_release", "clean"} {
		if n := sm.ByClass[c]; n > 0 {
			fmt.Fprintf(stdout, "  %-20s %d\n", c, n)
		}
	}
	switch {
	case stored == nil:
		fmt.Fprintln(stdout, "  summary.json: missing")
	case bytes.Equal(stored, got):
		fmt.Fprintln(stdout, "  summary.json: matches the traces")
	default:
		fmt.Fprintln(stdout, "  summary.json: DIFFERS from the traces")
		return exitCode(ExitFailure)
	}
	return nil
}

// writeMarkdown renders the per-operator accounting as a Markdown table:
// killed over killed and survived (score) beside killed over every injected
// mutant, the share of tasks that reached the fault, and the equivalents by
// proof kind.
func writeMarkdown(w io.Writer, sm trace.Summary) {
	fmt.Fprintln(w, "| operator | tasks | killed | survived | equivalent | score | killed / all | reached | equivalence proofs |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	ratio := func(n, d int) string {
		if d == 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.3f", float64(n)/float64(d))
	}
	for _, op := range sortedOps(sm) {
		c := sm.ByOperator[op]
		fmt.Fprintf(w, "| `%s` | %d | %d | %d | %d | %s | %s | %s | %s |\n", op, c.Tasks, c.Killed, c.Survived, c.Equivalent,
			ratio(c.Killed, c.Killed+c.Survived), ratio(c.Killed, c.Mutants()), ratio(c.FaultReached, c.Mutants()), proofList(c.EquivalenceProofs))
	}
	fmt.Fprintf(w, "| **total** | %d | %d | %d | %d | %.3f | %.3f | %.3f | %s |\n", sm.Total, sm.Killed, sm.Survived, sm.Equivalent,
		sm.MutantKillRate, sm.KillRateAllMutants, sm.FaultReachedRate, proofList(sm.EquivalenceProofs))
	if sm.CleanControls+sm.FalsePositives > 0 {
		fmt.Fprintf(w, "\nClean controls: %d, false positives: %d.\n", sm.CleanControls, sm.FalsePositives)
	}
}

// proofList renders proof-kind counts as "kind n, kind n" in kind order.
func proofList(m map[string]int) string {
	var parts []string
	for _, k := range []string{trace.ProofIdenticalOutput, trace.ProofIdenticalSQL, trace.ProofIdenticalConfig, trace.ProofUnreachable, trace.ProofSearchExhausted} {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, ", ")
}

// sortedOps lists the summary's operators in catalog order, unknown ones last.
func sortedOps(sm trace.Summary) []string {
	var out []string
	for _, id := range catalog.IDs() {
		if _, ok := sm.ByOperator[id]; ok {
			out = append(out, id)
		}
	}
	for _, id := range spec.SortedKeys(sm.ByOperator) {
		if _, ok := catalog.Get(id); !ok {
			out = append(out, id)
		}
	}
	return out
}

// summarizeTraces recomputes a run's summary: from traces.parquet through
// DuckDB when the run has it (or from the Parquet parts of a run --shard
// dataset, in suite order), else from traces.jsonl.
func summarizeTraces(dir string) (trace.Summary, error) {
	if hasParquetTraces(dir) {
		set, err := dataset.Open(context.Background(), []dataset.Input{{Name: "run", Path: dir}})
		if err != nil {
			return trace.Summary{}, err
		}
		defer set.Close()
		sums, err := set.Summaries(context.Background())
		if err != nil {
			return trace.Summary{}, fmt.Errorf("summarize: %w", err)
		}
		return sums["run"], nil
	}
	return summarizeJSONL(dir)
}

// hasParquetTraces reports whether dir is a run with traces.parquet or a
// dataset of run --shard directories.
func hasParquetTraces(dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, "traces.parquet")); err == nil {
		return true
	}
	shards, _ := filepath.Glob(filepath.Join(dir, "shard=*", trace.ShardInfoFile))
	return len(shards) > 0
}

// summarizeJSONL recomputes a run's summary from traces.jsonl (runs
// without Parquet traces).
func summarizeJSONL(dir string) (trace.Summary, error) {
	path := filepath.Join(dir, "traces.jsonl")
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return trace.Summary{}, strictyaml.Errorf(path, 0, "not a run directory (no traces.jsonl)")
		}
		return trace.Summary{}, fmt.Errorf("summarize: %w", err)
	}
	defer f.Close()
	acc := trace.NewAccumulator()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		t, err := decodeTraceLine(sc.Bytes())
		if err != nil {
			return trace.Summary{}, strictyaml.Errorf(path, line, "invalid trace: %v", err)
		}
		acc.Add(&t)
	}
	if err := sc.Err(); err != nil {
		return trace.Summary{}, strictyaml.Errorf(path, line+1, "read traces: %v", err)
	}
	return acc.Summary(), nil
}

// decodeTraceLine decodes one traces.jsonl line strictly: a single JSON
// object with known fields and a task id (not null, not an array, nothing
// after it).
func decodeTraceLine(b []byte) (trace.Trace, error) {
	var t trace.Trace
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return t, fmt.Errorf("a trace must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return t, err
	}
	if dec.More() {
		return t, fmt.Errorf("data after the trace object")
	}
	if t.TaskID == "" {
		return t, fmt.Errorf("trace has no task_id")
	}
	return t, nil
}
