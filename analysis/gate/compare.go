package gate

import (
	"fmt"

	"github.com/policystrata/policystrata/analysis/stats"
	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// CompareOptions tune Compare.
type CompareOptions struct {
	// MaxDrop is the largest allowed fall of the kill rate (killed over
	// every injected mutant), as a fraction; negative means "use the
	// interval": the new rate may not fall below the lower end of the
	// baseline rate's Wilson 95% interval.
	MaxDrop float64
}

// KillRate is killed over every injected mutant (killed, survived,
// equivalent) with its Wilson interval.
func KillRate(sm trace.Summary) stats.Interval {
	return stats.Wilson(sm.Killed, sm.Killed+sm.Survived+sm.Equivalent)
}

// Compare checks the new run's summary against the baseline's: the kill
// rate may not drop beyond the allowed threshold, no operator may gain
// survivors or lose all its kills or disappear, and no false positive may
// appear.
func Compare(base, cur trace.Summary, opt CompareOptions) Result {
	r := Result{Title: "policystrata compare"}
	b, n := KillRate(base), KillRate(cur)
	kc := Check{Name: "kill rate (killed / injected mutants)", Base: rateText(b), New: rateText(n), Passed: true}
	if opt.MaxDrop >= 0 {
		if b.Rate-n.Rate > opt.MaxDrop+1e-12 {
			kc.Passed = false
			kc.Message = fmt.Sprintf("kill rate fell by %.4f, more than --max-drop %.4f", b.Rate-n.Rate, opt.MaxDrop)
		}
	} else if n.Rate < b.Lo {
		kc.Passed = false
		kc.Message = fmt.Sprintf("kill rate %.4f is below the baseline's 95%% interval [%.4f, %.4f]", n.Rate, b.Lo, b.Hi)
	}
	r.Checks = append(r.Checks, kc)
	fp := Check{Name: "false positives", Base: fmt.Sprint(base.FalsePositives), New: fmt.Sprint(cur.FalsePositives), Passed: true}
	if cur.FalsePositives > base.FalsePositives {
		fp.Passed = false
		fp.Message = fmt.Sprintf("%d new false positive(s)", cur.FalsePositives-base.FalsePositives)
	}
	r.Checks = append(r.Checks, fp)
	for _, op := range operatorOrder(base.ByOperator, cur.ByOperator) {
		r.Checks = append(r.Checks, compareOperator(op, base.ByOperator[op], cur.ByOperator[op]))
	}
	return r
}

func compareOperator(op string, b, n *trace.Counts) Check {
	c := Check{Name: "operator " + op, Base: countsText(b), New: countsText(n), Passed: true}
	switch {
	case b == nil:
		c.Message = "new operator"
	case n == nil:
		c.Passed = false
		c.Message = "operator missing from the new run"
	case b.Killed > 0 && n.Killed == 0:
		c.Passed = false
		c.Message = "killed in the baseline, no longer killed"
	case n.Survived > b.Survived:
		c.Passed = false
		c.Message = fmt.Sprintf("%d more survivor(s) than the baseline", n.Survived-b.Survived)
	case n.FalsePositives > b.FalsePositives:
		c.Passed = false
		c.Message = fmt.Sprintf("%d new false positive(s)", n.FalsePositives-b.FalsePositives)
	}
	return c
}

// operatorOrder lists the operators of both maps in catalog order, unknown
// ones (and "none", the clean controls) after, sorted.
func operatorOrder(maps ...map[string]*trace.Counts) []string {
	seen := map[string]bool{}
	for _, m := range maps {
		for k := range m {
			seen[k] = true
		}
	}
	var out []string
	for _, id := range catalog.IDs() {
		if seen[id] {
			out = append(out, id)
			delete(seen, id)
		}
	}
	return append(out, spec.SortedKeys(seen)...)
}

func rateText(i stats.Interval) string {
	return fmt.Sprintf("%d/%d = %.3f [%.3f, %.3f]", i.K, i.N, i.Rate, i.Lo, i.Hi)
}

func countsText(c *trace.Counts) string {
	if c == nil {
		return "absent"
	}
	s := fmt.Sprintf("%d killed, %d survived, %d equivalent", c.Killed, c.Survived, c.Equivalent)
	if c.CleanControls+c.FalsePositives > 0 {
		s += fmt.Sprintf(", %d clean, %d FP", c.CleanControls, c.FalsePositives)
	}
	return s
}
