// Package evidence builds the evidence tables of a set of runs from their
// Parquet traces (DuckDB) and files: suite results with Wilson intervals
// and equivalence-proof kinds, evidence provenance, the observable-only
// baselines with paired statistics, the ablations, per-operator
// accounting, minimization, and cost in counts. Every figure carries the number of tasks behind it, and
// every table is written as Markdown and LaTeX (booktabs).
package evidence

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/policystrata/policystrata/analysis/ablations"
	"github.com/policystrata/policystrata/analysis/baselines"
	"github.com/policystrata/policystrata/analysis/cost"
	"github.com/policystrata/policystrata/analysis/dataset"
	"github.com/policystrata/policystrata/analysis/figures"
	"github.com/policystrata/policystrata/analysis/stats"
	"github.com/policystrata/policystrata/analysis/table"
	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// Build computes every table and figure over set, in report order.
func Build(ctx context.Context, set *dataset.Set) ([]table.Table, []figures.Figure, error) {
	return BuildSteps(ctx, set, nil)
}

// Steps is how many steps BuildSteps reports.
const Steps = 6

// BuildSteps is Build calling step (when non-nil) with the number of its
// Steps finished after each one (suite results, operators, minimization,
// baselines, ablations, figures), for a progress display.
func BuildSteps(ctx context.Context, set *dataset.Set, step func(done int)) ([]table.Table, []figures.Figure, error) {
	done := 0
	next := func() {
		done++
		if step != nil {
			step(done)
		}
	}
	suites, err := suiteRows(ctx, set)
	if err != nil {
		return nil, nil, err
	}
	next()
	ops, err := operatorTable(ctx, set)
	if err != nil {
		return nil, nil, err
	}
	next()
	minz, err := minimizationTable(ctx, set)
	if err != nil {
		return nil, nil, err
	}
	next()
	br, err := baselines.Score(ctx, set)
	if err != nil {
		return nil, nil, fmt.Errorf("score baselines: %w", err)
	}
	next()
	ar, err := ablations.Score(ctx, set)
	if err != nil {
		return nil, nil, fmt.Errorf("ablations: %w", err)
	}
	next()
	counts, err := cost.Counts(ctx, set)
	if err != nil {
		return nil, nil, err
	}
	out := []table.Table{suiteTable(suites), provenanceTable(suites), baselineTable(br), baselineOperatorTable(br)}
	out = append(out, ablations.Tables(ar)...)
	figs, err := figures.Build(ctx, set, br)
	if err != nil {
		return nil, nil, err
	}
	next()
	return append(out, ops, minz, cost.CountsTable(counts)), figs, nil
}

// Rate renders an interval as "k/n = r [lo, hi]".
func Rate(i stats.Interval) string {
	if i.N == 0 {
		return "0/0"
	}
	return fmt.Sprintf("%d/%d = %.3f [%.3f, %.3f]", i.K, i.N, i.Rate, i.Lo, i.Hi)
}

type suiteRow struct {
	name, domain                                    string
	traces, killed, survived, equiv, invalid, clean int
	fp                                              int
	proofs                                          map[string]int
	medianWitness                                   int
	level, provenance                               string
	frozen                                          bool
}

func suiteRows(ctx context.Context, set *dataset.Set) ([]suiteRow, error) {
	rows, err := set.DB.QueryContext(ctx, `SELECT run, any_value(domain), count(*),
		count(*) FILTER (WHERE accounting_status = 'killed'), count(*) FILTER (WHERE accounting_status = 'survived'),
		count(*) FILTER (WHERE accounting_status = 'equivalent'), count(*) FILTER (WHERE accounting_status = 'invalid'),
		count(*) FILTER (WHERE accounting_status = 'clean_control'), count(*) FILTER (WHERE accounting_status = 'false_positive'),
		string_agg(equivalence_proof, ',' ORDER BY equivalence_proof) FILTER (WHERE accounting_status = 'equivalent')
		FROM traces GROUP BY run`)
	if err != nil {
		return nil, fmt.Errorf("suite results: %w", err)
	}
	defer rows.Close()
	byRun := map[string]*suiteRow{}
	for rows.Next() {
		r := &suiteRow{proofs: map[string]int{}}
		var proofs *string
		if err := rows.Scan(&r.name, &r.domain, &r.traces, &r.killed, &r.survived, &r.equiv, &r.invalid, &r.clean, &r.fp, &proofs); err != nil {
			return nil, fmt.Errorf("suite results: %w", err)
		}
		if proofs != nil {
			for _, p := range strings.Split(*proofs, ",") {
				r.proofs[p]++
			}
		}
		byRun[r.name] = r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []suiteRow
	for _, in := range set.Inputs {
		r := byRun[in.Name]
		if r == nil {
			continue
		}
		md, err := set.Metadata(in.Name)
		if err != nil {
			return nil, err
		}
		r.level, _ = md["evidence_level"].(string)
		r.provenance, _ = md["suite_provenance"].(string)
		r.frozen, _ = md["detector_frozen"].(bool)
		r.medianWitness = medianFileSize(set.WitnessDirs(in.Name)...)
		out = append(out, *r)
	}
	return out, nil
}

// medianFileSize is the median size of the files of dir (0 when none);
// with an even count the lower middle, as an integer.
func medianFileSize(dirs ...string) int {
	var sizes []int
	for _, dir := range dirs {
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if st, err := os.Stat(p); err == nil {
					sizes = append(sizes, int(st.Size()))
				}
			}
			return nil
		})
	}
	if len(sizes) == 0 {
		return 0
	}
	sort.Ints(sizes)
	return sizes[(len(sizes)-1)/2]
}

func proofText(m map[string]int) string {
	var parts []string
	for _, k := range []string{trace.ProofIdenticalOutput, trace.ProofIdenticalSQL, trace.ProofIdenticalConfig, trace.ProofUnreachable, trace.ProofSearchExhausted} {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func suiteTable(rs []suiteRow) table.Table {
	t := table.Table{Name: "suite_results", Caption: "Suite results", Align: "llrrrrrrrlrllcl",
		Header: []string{"Suite", "Domain", "Traces", "Killed", "Survived", "Equivalent", "Invalid", "Clean controls", "False positives",
			"Kill rate (killed / injected)", "Median witness bytes", "Evidence level", "Provenance", "Frozen", "Equivalence proofs"},
		Notes: "Kill rate: killed over every injected mutant (killed, survived, equivalent), Wilson 95% interval. Equivalence proofs: equivalent mutants by proof kind."}
	for _, r := range rs {
		t.Rows = append(t.Rows, []string{r.name, r.domain, fmt.Sprint(r.traces), fmt.Sprint(r.killed), fmt.Sprint(r.survived),
			fmt.Sprint(r.equiv), fmt.Sprint(r.invalid), fmt.Sprint(r.clean), fmt.Sprint(r.fp),
			Rate(stats.Wilson(r.killed, r.killed+r.survived+r.equiv)), fmt.Sprint(r.medianWitness), r.level, r.provenance, yesNo(r.frozen), proofText(r.proofs)})
	}
	return t
}

func provenanceTable(rs []suiteRow) table.Table {
	type agg struct{ suites, traces, killed, mutants, fp, controls int }
	m := map[string]*agg{}
	for _, r := range rs {
		a := m[r.level]
		if a == nil {
			a = &agg{}
			m[r.level] = a
		}
		a.suites++
		a.traces += r.traces
		a.killed += r.killed
		a.mutants += r.killed + r.survived + r.equiv
		a.fp += r.fp
		a.controls += r.clean + r.fp
	}
	levels := make([]string, 0, len(m))
	for k := range m {
		levels = append(levels, k)
	}
	sort.Strings(levels)
	t := table.Table{Name: "evidence_provenance", Caption: "Evidence provenance", Align: "lrrll",
		Header: []string{"Evidence level", "Suites", "Traces", "Kill rate (killed / injected)", "False positives / controls"},
		Notes:  "Wilson 95% intervals."}
	for _, l := range levels {
		a := m[l]
		t.Rows = append(t.Rows, []string{l, fmt.Sprint(a.suites), fmt.Sprint(a.traces), Rate(stats.Wilson(a.killed, a.mutants)), Rate(stats.Wilson(a.fp, a.controls))})
	}
	return t
}

func baselineTable(r baselines.Report) table.Table {
	t := table.Table{Name: "baselines", Caption: "Observable-only baselines against the detector", Align: "lllllll",
		Header: []string{"Comparator", "Caught", "Missed", "Clean-control FP", "Adversarial FP", "McNemar b/c, p", "Detector minus baseline"},
		Notes: fmt.Sprintf("Over %d injected non-equivalent mutants and %d controls of all runs given. Wilson 95%% intervals; exact McNemar (b: detector-only catches, c: baseline-only); paired bootstrap 95%% interval of the difference (%d resamples, seed %d).",
			r.Mutants, r.Controls, stats.BootstrapRounds, stats.BootstrapSeed)}
	for _, row := range append([]baselines.Row{r.Detector}, r.Rows...) {
		mc, diff := "-", "-"
		if row.Name != r.Detector.Name {
			mc = fmt.Sprintf("%d/%d, p = %.3g", row.McNemar.B, row.McNemar.C, row.McNemar.P)
			diff = fmt.Sprintf("%+.3f [%+.3f, %+.3f]", row.Diff.Diff, row.Diff.Lo, row.Diff.Hi)
		}
		t.Rows = append(t.Rows, []string{row.Name, Rate(row.Caught), fmt.Sprint(row.Missed), Rate(row.CleanFP), Rate(row.AdversarialFP), mc, diff})
	}
	return t
}

func operatorTable(ctx context.Context, set *dataset.Set) (table.Table, error) {
	t := table.Table{Name: "operators", Caption: "Per-operator accounting", Align: "llrrrrl",
		Header: []string{"Suite", "Operator", "Tasks", "Killed", "Survived", "Equivalent", "Kill rate (killed / injected)"},
		Notes:  "Every operator of every suite given; clean controls (operator none) counted in the suite results. Wilson 95% intervals."}
	rows, err := set.DB.QueryContext(ctx, `SELECT run, mutation, count(*),
		count(*) FILTER (WHERE accounting_status = 'killed'), count(*) FILTER (WHERE accounting_status = 'survived'),
		count(*) FILTER (WHERE accounting_status = 'equivalent')
		FROM traces WHERE mutation <> 'none' GROUP BY run, mutation`)
	if err != nil {
		return t, fmt.Errorf("operators: %w", err)
	}
	defer rows.Close()
	type rec struct {
		run, op                 string
		n, killed, surv, equivs int
	}
	var recs []rec
	for rows.Next() {
		var r rec
		if err := rows.Scan(&r.run, &r.op, &r.n, &r.killed, &r.surv, &r.equivs); err != nil {
			return t, fmt.Errorf("operators: %w", err)
		}
		recs = append(recs, r)
	}
	if err := rows.Err(); err != nil {
		return t, err
	}
	runIdx := map[string]int{}
	for i, in := range set.Inputs {
		runIdx[in.Name] = i
	}
	ids := catalog.IDs()
	opIdx := func(op string) int {
		if i := slices.Index(ids, op); i >= 0 {
			return i
		}
		return len(ids)
	}
	sort.Slice(recs, func(i, j int) bool {
		a, b := recs[i], recs[j]
		if runIdx[a.run] != runIdx[b.run] {
			return runIdx[a.run] < runIdx[b.run]
		}
		if opIdx(a.op) != opIdx(b.op) {
			return opIdx(a.op) < opIdx(b.op)
		}
		return a.op < b.op
	})
	for _, r := range recs {
		t.Rows = append(t.Rows, []string{r.run, r.op, fmt.Sprint(r.n), fmt.Sprint(r.killed), fmt.Sprint(r.surv), fmt.Sprint(r.equivs),
			Rate(stats.Wilson(r.killed, r.killed+r.surv+r.equivs))})
	}
	return t, nil
}

func minimizationTable(ctx context.Context, set *dataset.Set) (table.Table, error) {
	t := table.Table{Name: "minimization", Caption: "Witness minimization", Align: "lrlllll",
		Header: []string{"Suite", "Witnesses", "1-minimal", "Median IR features (before / after)", "Median state rows (before / after)",
			"Median witness bytes (unreduced / written)", "Median reduction"},
		Notes: "1-minimal: no single further query move or row removal preserves the witness (Wilson 95% interval). Reduction: 1 - written / unreduced witness bytes."}
	rows, err := set.DB.QueryContext(ctx, `WITH m AS (
		SELECT run, trace_json->'minimization' AS mz FROM traces WHERE witness_path <> '' AND json_type(trace_json->'minimization') = 'OBJECT')
		SELECT run, count(*), count(*) FILTER (WHERE (mz->>'one_minimal')::BOOLEAN),
		quantile_disc((mz->>'ir_features_before')::BIGINT, 0.5), quantile_disc((mz->>'ir_features_after')::BIGINT, 0.5),
		quantile_disc((mz->>'state_rows_before')::BIGINT, 0.5), quantile_disc((mz->>'state_rows_after')::BIGINT, 0.5),
		quantile_disc((mz->>'original_bytes')::BIGINT, 0.5)
		FROM m GROUP BY run`)
	if err != nil {
		return t, fmt.Errorf("minimization: %w", err)
	}
	defer rows.Close()
	type rec struct {
		n, one, irB, irA, stB, stA, orig int
	}
	byRun := map[string]rec{}
	for rows.Next() {
		var run string
		var r rec
		if err := rows.Scan(&run, &r.n, &r.one, &r.irB, &r.irA, &r.stB, &r.stA, &r.orig); err != nil {
			return t, fmt.Errorf("minimization: %w", err)
		}
		byRun[run] = r
	}
	if err := rows.Err(); err != nil {
		return t, err
	}
	for _, in := range set.Inputs {
		r, ok := byRun[in.Name]
		if !ok {
			continue
		}
		written := medianFileSize(set.WitnessDirs(in.Name)...)
		red := "-"
		if r.orig > 0 && written > 0 {
			red = fmt.Sprintf("%.3f", 1-float64(written)/float64(r.orig))
		}
		t.Rows = append(t.Rows, []string{in.Name, fmt.Sprint(r.n), Rate(stats.Wilson(r.one, r.n)), fmt.Sprintf("%d / %d", r.irB, r.irA),
			fmt.Sprintf("%d / %d", r.stB, r.stA), fmt.Sprintf("%d / %d", r.orig, written), red})
	}
	return t, nil
}

// baselineOperatorTable gives, per operator, how many of its
// non-equivalent mutants the detector and each baseline caught.
func baselineOperatorTable(r baselines.Report) table.Table {
	names := []string{"detector"}
	header := []string{"Operator", "Mutants", "policystrata"}
	for _, b := range r.Rows {
		names = append(names, b.Name)
		header = append(header, b.Name)
	}
	t := table.Table{Name: "baselines_by_operator", Caption: "Mutants caught per operator by the detector and each baseline", Header: header,
		Align: "l" + strings.Repeat("r", len(header)-1),
		Notes: "Non-equivalent mutants of all runs given; each cell counts the mutants of the operator the comparator caught."}
	ids := catalog.IDs()
	ops := make([]string, 0, len(r.ByOperator))
	for op := range r.ByOperator {
		ops = append(ops, op)
	}
	idx := func(s string) int {
		if i := slices.Index(ids, s); i >= 0 {
			return i
		}
		return len(ids)
	}
	sort.Slice(ops, func(i, j int) bool {
		if idx(ops[i]) != idx(ops[j]) {
			return idx(ops[i]) < idx(ops[j])
		}
		return ops[i] < ops[j]
	})
	for _, op := range ops {
		c := r.ByOperator[op]
		row := []string{op, fmt.Sprint(c["mutants"])}
		for _, n := range names {
			row = append(row, fmt.Sprint(c[n]))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}
