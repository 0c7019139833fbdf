package evaluate

import (
	"context"
	"fmt"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/trace"
	"github.com/policystrata/policystrata/suites"
)

// aliasToFirstSibling is a fault in the layers' name resolution: an alias
// resolves to the alphabetically first metric on its metric's table (the
// first sibling), e.g. recognized_revenue to gross_revenue instead of
// net_revenue. Canonical names still resolve correctly.
type aliasToFirstSibling struct{ resolve.Standard }

func (aliasToFirstSibling) MetricByName(p *spec.Policy, name string) (string, bool, bool) {
	m, alias, ok := resolve.MetricByName(p, name)
	if !ok || !alias {
		return m, alias, ok
	}
	for _, sib := range spec.SortedKeys(p.Metrics) {
		if p.Metrics[sib].Table == p.Metrics[m].Table {
			return sib, true, true
		}
	}
	return m, alias, ok
}

// expansionIgnored is a fault in the layers' join resolution: every step of
// a join path is treated as many-to-one, so no join fans out and no
// expansion factor prices one.
type expansionIgnored struct{ resolve.Standard }

func (expansionIgnored) Path(s *spec.Schema, from, to string) ([]resolve.Edge, bool) {
	path, ok := resolve.Path(s, from, to)
	out := make([]resolve.Edge, len(path))
	for i, e := range path {
		e.FanOut, e.Expansion = false, 1
		out[i] = e
	}
	if path == nil {
		out = nil
	}
	return out, ok
}

// benchmarkTally is what the benchmark reports about a set of suites.
type benchmarkTally struct {
	// seeded counts seeded tasks; misaccounted those not killed with the
	// class and surface the fault model expects.
	seeded, misaccounted int
	// controls counts clean controls; falsePositives those flagged, per
	// suite.
	controls       int
	falsePositives map[string]int
	// kinds counts what flagged the controls: class at surface.
	kinds map[string]int
	// examples holds a few of what was noticed.
	examples []string
}

func (b *benchmarkTally) note(format string, args ...any) {
	if len(b.examples) < 4 {
		b.examples = append(b.examples, fmt.Sprintf(format, args...))
	}
}

func (b *benchmarkTally) flagged() int {
	n := 0
	for _, k := range b.falsePositives {
		n += k
	}
	return n
}

// faultSuites are the suites the fault-injection test runs, with their
// task counts (0: the suite's own). The adversarial generator is cut to
// its first 250 tasks (a generated suite is a pure function of seed and
// index, so these are the full suite's first 250) to keep the test under a
// minute; the full suites were run with the CLI (see the test's comment).
var faultSuites = []struct {
	name  string
	count int
}{{"seeded", 0}, {"clean_controls", 0}, {"adversarial_clean_controls", 250}}

// runBenchmark runs faultSuites of domain, each on its own state, through
// one evaluator per resolver (nil: the layers' standard resolution); the
// oracle always resolves names and joins its own way.
func runBenchmark(t *testing.T, domain string, rs []resolve.Resolver) []benchmarkTally {
	t.Helper()
	d, err := domains.Load(domain)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]benchmarkTally, len(rs))
	for i := range out {
		out[i].falsePositives, out[i].kinds = map[string]int{}, map[string]int{}
	}
	for _, fs := range faultSuites {
		src, err := suites.Open(d, fs.name, fs.count, 0)
		if err != nil {
			t.Fatal(err)
		}
		env := evaltest.SetupSeed(t, d, src.StateSeed())
		for i, r := range rs {
			b := &out[i]
			ev := &Evaluator{Domain: d, Oracle: env.Oracle, Resolver: r}
			for task := range src.Tasks() {
				res, err := ev.Evaluate(context.Background(), env.Session, task)
				if err != nil {
					t.Fatalf("%s/%s: %v", fs.name, task.ID, err)
				}
				tr := res.Trace
				if task.Mutation == catalog.None {
					b.controls++
					if tr.AccountingStatus == trace.FalsePos {
						b.falsePositives[fs.name]++
						b.kinds[tr.WitnessClass+" at "+tr.LocalizedSurface]++
						b.note("%s/%s: %s", fs.name, task.ID, tr.AccountingReason)
					}
					continue
				}
				b.seeded++
				got := [3]string{tr.AccountingStatus, tr.WitnessClass, tr.LocalizedSurface}
				want := [3]string{trace.Killed, task.ExpectedWitnessClass, task.ExpectedLocalizedSurface}
				if got != want {
					b.misaccounted++
					b.note("%s/%s: %v, fault model expects %v", fs.name, task.ID, got, want)
				}
			}
		}
	}
	return out
}

// TestPlantedResolutionFaultsAreNoticed plants a fault in the layers' name
// resolution and one in their join resolution, through the evaluator's
// Resolver (the layers only: the oracle cannot import pipeline/resolve, see
// TestOracleSharesNoResolutionCode), and runs the seeded suite and the
// clean_controls and adversarial_clean_controls generators of support_saas
// and finance_saas on DuckDB. The benchmark must notice each fault in each
// domain: clean controls flagged as false positives, or seeded tasks no
// longer killed with the class and surface the fault model expects. With
// the standard resolver the same suites have no false positive and every
// seeded task is killed as expected.
//
// Before the oracle had its own resolution it called the same
// spec.Policy.MetricByName and spec.Schema.Path as the layers, so a fault
// could not be planted in the layers alone. Planting the same two faults in
// that shared code (at commit cf5a277: aliasToFirstSibling's body in
// spec.Policy.MetricByName, expansionIgnored's in spec.Schema.Path) and
// running `policystrata run --domain D --suite S` for both domains and the
// three full suites gave, for the alias fault, seeded 50/50 and 20/20
// killed and 0 false positives in all 2,160 controls: the benchmark saw
// nothing. For the expansion fault it gave 0 false positives too; its only
// trace was three support_saas cost_estimate_ignores_expansion tasks
// turning "equivalent" (the faulty compiler then matched the equally
// faulty correct one), which accounting presents as a property of the
// mutant, not as a failure. With the oracle's own resolution, the full
// suites flag (go test -run TestPlantedResolutionFaultsAreNoticed with
// faultSuites uncut): support_saas 135 (alias) and 355 (expansion) of
// 1,080 controls, finance_saas 82 and 359.
func TestPlantedResolutionFaultsAreNoticed(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three suites per resolver through DuckDB")
	}
	faults := []struct {
		name string
		r    resolve.Resolver
	}{
		{"alias resolved to the first sibling", aliasToFirstSibling{}},
		{"join expansion ignored", expansionIgnored{}},
	}
	rs := []resolve.Resolver{nil}
	for _, f := range faults {
		rs = append(rs, f.r)
	}
	for _, domain := range []string{"support_saas", "finance_saas"} {
		t.Run(domain, func(t *testing.T) {
			tallies := runBenchmark(t, domain, rs)
			if b := tallies[0]; b.flagged() != 0 || b.misaccounted != 0 {
				t.Errorf("standard resolver: %d false positives in %d controls, %d of %d seeded tasks misaccounted: %q",
					b.flagged(), b.controls, b.misaccounted, b.seeded, b.examples)
			}
			for i, f := range faults {
				b := tallies[i+1]
				t.Logf("%s: false positives %v of %d controls (%v), %d/%d seeded tasks misaccounted; e.g. %q",
					f.name, b.falsePositives, b.controls, b.kinds, b.misaccounted, b.seeded, b.examples)
				if b.flagged() == 0 && b.misaccounted == 0 {
					t.Errorf("%s: the benchmark did not notice: 0 of %d controls flagged, all %d seeded tasks killed as expected",
						f.name, b.controls, b.seeded)
				}
			}
		})
	}
}
