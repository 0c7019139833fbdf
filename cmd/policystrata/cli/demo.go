package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/internal/cliexit"
	"github.com/policystrata/policystrata/pipeline/replay"
	"github.com/policystrata/policystrata/pipeline/run"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/trace"
	"github.com/policystrata/policystrata/suites"
)

type demoParams struct {
	Out     string
	Workers int
	Quiet   bool
}

func newDemo(stdout, stderr io.Writer) *cobra.Command {
	p := &demoParams{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the support_saas seeded suite and explain one witness",
		Long: `Runs the 50-task support_saas seeded suite through the real layer stack on
embedded DuckDB (no server), prints which drift classes it found and one worked
witness, and writes the run directory (replacing an earlier demo run there).`,
		Example: `  policystrata demo
  policystrata demo --out runs/demo --workers 2`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cliexit.Result(runDemo(cmd.Context(), *p, stdout, stderr))
		},
	}
	cmd.Flags().StringVar(&p.Out, "out", "runs/demo", "run directory to write")
	cmd.Flags().IntVar(&p.Workers, "workers", 2, "evaluation workers")
	cmd.Flags().BoolVarP(&p.Quiet, "quiet", "q", false, quietUsage)
	return cmd
}

func runDemo(ctx context.Context, p demoParams, stdout, stderr io.Writer) (int, error) {
	if p.Workers < 1 || p.Workers > run.MaxWorkers {
		return ExitBadInput, cliexit.Usage(fmt.Errorf("--workers must be 1..%d", run.MaxWorkers))
	}
	d, err := domains.Load("support_saas")
	if err != nil {
		return ExitFailure, err
	}
	s, err := suites.Load(d, "seeded")
	if err != nil {
		return ExitFailure, err
	}
	cfg := run.Config{Domain: d, Source: s, Out: p.Out, Workers: p.Workers, ReplaceRun: true, Minimize: true, ProbeStates: 2}
	cfg.Progress = newProgress(stderr, p.Quiet, "demo", "tasks")
	rep, err := run.Run(ctx, cfg)
	if err != nil {
		return ExitFailure, err
	}
	printDemo(stdout, d, s.Count(), rep)
	return ExitOK, nil
}

func printDemo(w io.Writer, d *spec.Domain, n int, rep *run.Report) {
	sm := rep.Summary
	fmt.Fprintf(w, "PolicyStrata demo: %s seeded suite, %d tasks, real layers on embedded DuckDB\n\n", d.Name, n)
	fmt.Fprintln(w, "Drift classes found (observed by the blind detector):")
	classes := spec.SortedKeys(sm.ByClass)
	for _, c := range classes {
		fmt.Fprintf(w, "  %-20s %3d\n", c, sm.ByClass[c])
	}
	fmt.Fprintln(w, "\nFirst violated surface:")
	for _, s := range spec.SurfaceOrder {
		if k := sm.ByLocalizedSurface[s]; k > 0 {
			fmt.Fprintf(w, "  %-20s %3d\n", s, k)
		}
	}
	fmt.Fprintf(w, "\nAccounting: %d killed, %d survived, %d equivalent, %d invalid (mutation score %.3f)\n",
		sm.Killed, sm.Survived, sm.Equivalent, sm.Invalid, sm.MutantKillRate)
	if len(sm.Survivors) > 0 {
		fmt.Fprintf(w, "Survivors: %s\n", strings.Join(sm.Survivors, ", "))
	}
	// one worked witness: prefer a contained tenant-scope lowering violation
	var ex *trace.Trace
	for _, c := range []string{"lowering_violation", "over_permissive", "semantic_drift"} {
		if t, ok := rep.Examples[c]; ok {
			ex = &t
			break
		}
	}
	if ex != nil && ex.WitnessPath != "" {
		path := filepath.Join(rep.Out, filepath.FromSlash(ex.WitnessPath))
		wit, err := replay.Load(path)
		if err != nil {
			fmt.Fprintf(w, "\nWorked witness: %s: %v\n", ex.WitnessPath, err)
		} else {
			printWitness(w, d, ex.WitnessPath, wit)
		}
	}
	fmt.Fprintf(w, "\nRun directory: %s (traces.parquet, traces.jsonl, summary.json, metadata.json, run.json, witnesses/)\n", rep.Out)
}

// printWitness explains the minimized witness file the demo points to
// (not the unreduced trace): its reduced query, minimal state and the
// outputs recorded from replaying them.
func printWitness(w io.Writer, d *spec.Domain, rel string, t *trace.Witness) {
	fmt.Fprintf(w, "\nWorked witness: %s (minimized; replay it with: policystrata replay RUN_DIR/%s)\n", t.TaskID, rel)
	fmt.Fprintf(w, "  request:         %s\n", t.Request)
	fmt.Fprintf(w, "  principal:       %s\n", t.Principal)
	var vv, lv []string
	for _, s := range spec.SurfaceOrder {
		vv = append(vv, s+"="+t.SurfaceVersions[s])
		if v := t.LayerVariants[s]; v != "v7" {
			lv = append(lv, s+"="+v)
		}
	}
	fmt.Fprintf(w, "  version vector:  %s\n", strings.Join(vv, " "))
	fmt.Fprintf(w, "  faulty variant:  %s\n", strings.Join(lv, " "))
	fmt.Fprintf(w, "  query:           %s\n", describeQuery(t.SemanticIR))
	if m := t.Minimization; m != nil {
		fmt.Fprintf(w, "  reduced from:    %s\n", describeQuery(t.OriginalSemanticIR))
		fmt.Fprintf(w, "  database state:  %d of %d rows (%s)\n", m.StateRowsAfter, m.StateRowsBefore, stateSummary(t))
		one := "1-minimal: no single further removal reproduces it"
		if !m.OneMinimal {
			one = "not shown 1-minimal within the replay budget"
		}
		fmt.Fprintf(w, "  minimization:    %d replays, %s\n", m.Attempts, one)
	}
	prev := "request"
	for i, s := range spec.SurfaceOrder {
		if s == t.LocalizedSurface && i > 0 {
			prev = spec.SurfaceOrder[i-1]
		}
	}
	c := d.Surfaces.Contracts[t.LocalizedSurface]
	acc := []string{}
	if c != nil {
		acc = append(acc, c.AcceptsObligations...)
	}
	sort.Strings(acc)
	fmt.Fprintf(w, "  first violated:  %s -> %s (obligations: %s)\n", prev, t.LocalizedSurface, strings.Join(acc, ", "))
	for _, r := range t.ContractDecisions[t.LocalizedSurface].Reasons {
		fmt.Fprintf(w, "    why: %s\n", r)
	}
	fmt.Fprintf(w, "  witness class:   %s\n", t.WitnessClass)
	cont := t.ContainmentLayer
	switch {
	case cont == "" && t.SemanticDifference:
		cont = "none: the damage reached the output"
	case cont == "":
		cont = "none needed: on this database state the fault changed no released answer"
	}
	fmt.Fprintf(w, "  containment:     %s\n", cont)
	rel2 := "withheld"
	if t.ReleaseAllowed {
		rel2 = fmt.Sprintf("released %d rows", t.DBResult.Rows)
		if t.DBResult.RowsDigest == t.DBResult.ReferenceDigest {
			rel2 += " (equal to the oracle's reference answer)"
		} else {
			rel2 += fmt.Sprintf(" %s, the oracle's reference answer is %s", t.DBResult.ActualValue, t.DBResult.IntendedValue)
		}
	}
	fmt.Fprintf(w, "  release:         %s\n", rel2)
	if t.CompiledSQL != "" {
		fmt.Fprintf(w, "  compiled SQL:\n")
		for _, l := range strings.Split(t.CompiledSQL, "\n") {
			fmt.Fprintf(w, "    %s\n", l)
		}
	}
}

// describeQuery renders a semantic query on one line.
func describeQuery(q spec.SemanticQuery) string {
	s := q.Metric
	if len(q.Dimensions) > 0 {
		s += " by " + strings.Join(q.Dimensions, ", ")
	}
	for _, k := range spec.SortedKeys(q.Filters) {
		s += fmt.Sprintf(" where %s = %q", k, q.Filters[k])
	}
	return s + fmt.Sprintf(", %s, limit %d", q.TimeRange, q.Limit)
}

// stateSummary counts a witness's rows per table.
func stateSummary(t *trace.Witness) string {
	var parts []string
	for _, tab := range t.State {
		if len(tab.Rows) > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", tab.Table, len(tab.Rows)))
		}
	}
	if len(parts) == 0 {
		return "none needed"
	}
	return strings.Join(parts, ", ")
}
