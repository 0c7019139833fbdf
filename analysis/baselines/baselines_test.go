package baselines

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/policystrata/policystrata/analysis/dataset"
	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/run"
	"github.com/policystrata/policystrata/pipeline/trace"
	"github.com/policystrata/policystrata/suites"
)

func runSuite(t *testing.T, domain, suite string, count int) string {
	t.Helper()
	d, err := domains.Load(domain)
	if err != nil {
		t.Fatal(err)
	}
	s, err := suites.Open(d, suite, count, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), domain+"-"+suite)
	if _, err := run.Run(context.Background(), run.Config{Domain: d, Source: s, Out: out, Workers: 2, ProbeStates: 2}); err != nil {
		t.Fatal(err)
	}
	return out
}

// labelTags are trace fields a baseline must never read.
var labelTags = []string{"task_id", "request", "mutation", "surface_versions", "witness_class", "expected_witness_class",
	"localized_surface", "expected_localized_surface", "containment_layer", "expected_containment_layer",
	"accounting_status", "accounting_reason", "semantic_difference", "findings", "reasons", "contract_decisions",
	"fault_reached", "equivalence_proof", "killing_state", "witness_path", "minimization"}

// TestObservablesHaveNoLabelField walks the Observables type: no field at
// any depth is tagged with a label's name.
func TestObservablesHaveNoLabelField(t *testing.T) {
	bad := map[string]bool{}
	for _, l := range labelTags {
		bad[l] = true
	}
	var walk func(reflect.Type, string)
	seen := map[reflect.Type]bool{}
	walk = func(ty reflect.Type, path string) {
		for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice || ty.Kind() == reflect.Map {
			ty = ty.Elem()
		}
		if ty.Kind() != reflect.Struct || seen[ty] {
			return
		}
		seen[ty] = true
		for i := range ty.NumField() {
			f := ty.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if bad[tag] && path == "" {
				t.Errorf("Observables.%s reads the label %q", f.Name, tag)
			}
			walk(f.Type, path+"."+f.Name)
		}
	}
	walk(reflect.TypeOf(Observables{}), "")
}

// scramble rewrites a run's traces with every label changed: operator ids
// rotated among the run's operators, expected and detector labels
// permuted, task ids, requests and surface versions replaced, findings and
// reasons dropped. The accounting status is kept (it selects the
// population, not a baseline's verdict).
func scramble(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "traces.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var ops []string
	seen := map[string]bool{}
	var traces []*trace.Trace
	for _, l := range lines {
		tr, err := trace.Decode([]byte(l))
		if err != nil {
			t.Fatal(err)
		}
		traces = append(traces, tr)
		if !seen[tr.Mutation] {
			seen[tr.Mutation] = true
			ops = append(ops, tr.Mutation)
		}
	}
	classes := []string{"over_permissive", "semantic_drift", "lowering_violation", "unsafe_release", "clean"}
	surfaces := []string{"manifest", "grammar", "validator", "compiler", "database", "release"}
	out := filepath.Join(t.TempDir(), "scrambled")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(out, "traces.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := trace.NewParquetWriter(f)
	if err != nil {
		t.Fatal(err)
	}
	for i, tr := range traces {
		for j, op := range ops {
			if op == tr.Mutation {
				tr.Mutation = ops[(j+1)%len(ops)]
				break
			}
		}
		tr.TaskID = fmt.Sprintf("scrambled_%04d", i)
		tr.Request = "scrambled"
		tr.ExpectedWitnessClass = classes[i%len(classes)]
		tr.WitnessClass = classes[(i+2)%len(classes)]
		tr.ExpectedLocalizedSurface = surfaces[i%len(surfaces)]
		tr.LocalizedSurface = surfaces[(i+3)%len(surfaces)]
		tr.ContainmentLayer, tr.ExpectedContainmentLayer = surfaces[(i+1)%len(surfaces)], surfaces[(i+4)%len(surfaces)]
		tr.SemanticDifference = !tr.SemanticDifference
		tr.Findings, tr.Reasons, tr.AccountingReason = nil, nil, "scrambled"
		for k := range tr.SurfaceVersions {
			tr.SurfaceVersions[k] = "v0"
		}
		line, err := json.Marshal(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(tr, line); err != nil {
			t.Fatal(err)
		}
	}
	// Close closes the file too.
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

func score(t *testing.T, paths ...string) Report {
	t.Helper()
	var in []dataset.Input
	for i, p := range paths {
		in = append(in, dataset.Input{Name: fmt.Sprint(i), Path: p})
	}
	set, err := dataset.Open(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	r, err := Score(context.Background(), set)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestScrambledLabelsChangeNoBaseline: scrambling operator ids and every
// expected and detector label changes no baseline number.
func TestScrambledLabelsChangeNoBaseline(t *testing.T) {
	for _, domain := range []string{"support_saas", "analytics_clickhouse"} {
		t.Run(domain, func(t *testing.T) {
			dir := runSuite(t, domain, "seeded", 0)
			orig := score(t, dir)
			scr := score(t, scramble(t, dir))
			if diff := cmp.Diff(orig.Rows, scr.Rows); diff != "" {
				t.Errorf("baseline rows changed under scrambled labels (-orig +scrambled):\n%s", diff)
			}
			// The per-operator breakdown does move (operator ids were
			// rotated), which shows the scramble took effect.
			if cmp.Equal(orig.ByOperator, scr.ByOperator) {
				t.Error("scramble changed no operator id")
			}
			caughtSomething := false
			for _, r := range orig.Rows {
				caughtSomething = caughtSomething || r.Caught.K > 0
			}
			if !caughtSomething || orig.Mutants == 0 {
				t.Errorf("no baseline catches anything on %d mutants: the test proves nothing", orig.Mutants)
			}
		})
	}
}

// TestScoreCountsControlsApart: clean and adversarial controls feed the
// false-positive columns, never the catch rates.
func TestScoreCountsControlsApart(t *testing.T) {
	seeded := runSuite(t, "support_saas", "seeded", 0)
	clean := runSuite(t, "support_saas", "clean_controls", 12)
	adv := runSuite(t, "support_saas", "adversarial_clean_controls", 14)
	r := score(t, seeded, clean, adv)
	if r.Mutants != 50 || r.Controls != 26 {
		t.Fatalf("mutants %d controls %d, want 50 and 26", r.Mutants, r.Controls)
	}
	for _, row := range append([]Row{r.Detector}, r.Rows...) {
		if row.Caught.N != 50 || row.CleanFP.N != 12 || row.AdversarialFP.N != 14 {
			t.Errorf("%s: denominators %d/%d/%d", row.Name, row.Caught.N, row.CleanFP.N, row.AdversarialFP.N)
		}
		if row.Caught.Lo > row.Caught.Rate || row.Caught.Hi < row.Caught.Rate {
			t.Errorf("%s: rate outside its interval", row.Name)
		}
	}
}
