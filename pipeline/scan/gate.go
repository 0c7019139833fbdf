package scan

import (
	"fmt"
	"slices"
)

// Gate outcomes.
const (
	GatePass = "pass"
	GateWarn = "warn"
	GateFail = "fail"
)

// GateDecision is the release gate's verdict.
type GateDecision struct {
	Outcome         string   `json:"outcome"`
	Reasons         []string `json:"reasons"`
	FailingFindings []string `json:"failing_findings"`
	// FailingOmitted counts the failing findings past MaxListedIDs, which
	// FailingFindings does not list.
	FailingOmitted int `json:"failing_findings_omitted,omitempty"`
}

// gatingClasses are the classes whose HIGH, high-confidence findings fail
// the gate.
var gatingClasses = []string{ClassOverPermissive, ClassLowering, ClassSemanticDrift, ClassUnsafeRelease}

// failing reports whether f fails the gate when fail_on_high_confidence is on.
func failing(f *Finding) bool {
	if f.Confidence != ConfHigh {
		return false
	}
	return f.Severity == SevCritical || (f.Severity == SevHigh && slices.Contains(gatingClasses, f.WitnessClass))
}

// DecideGate decides as the reference: with fail_on_high_confidence, any
// CRITICAL or gating-class HIGH finding of HIGH confidence fails; else the
// gate warns on any WARNING or HIGH finding and passes otherwise (so
// CRITICAL findings with gating off pass, a reference quirk kept).
func DecideGate(findings []Finding, failOnHigh bool) GateDecision {
	g := gateTally{failOnHigh: failOnHigh}
	for i := range findings {
		g.add(&findings[i])
	}
	return g.decision()
}

// gateTally decides the gate from the findings seen one at a time.
type gateTally struct {
	failOnHigh bool
	// failing lists up to MaxListedIDs failing ids; omitted counts the
	// rest.
	failing []string
	omitted int
	warn    int
}

func (g *gateTally) add(f *Finding) {
	if g.failOnHigh && failing(f) {
		if len(g.failing) < MaxListedIDs {
			g.failing = append(g.failing, f.ID)
		} else {
			g.omitted++
		}
	}
	if f.Severity == SevWarning || f.Severity == SevHigh {
		g.warn++
	}
}

// decision is the gate's verdict on the findings added.
func (g *gateTally) decision() GateDecision {
	d := GateDecision{Reasons: []string{}, FailingFindings: append([]string{}, g.failing...), FailingOmitted: g.omitted}
	if n := len(g.failing) + g.omitted; n > 0 {
		d.Outcome = GateFail
		d.Reasons = append(d.Reasons, fmt.Sprintf("%d high-confidence finding(s) block the release", n))
		return d
	}
	if g.warn > 0 {
		d.Outcome = GateWarn
		d.Reasons = append(d.Reasons, fmt.Sprintf("%d warning or high finding(s) need review", g.warn))
		return d
	}
	d.Outcome = GatePass
	return d
}

// ExitCode maps a gate outcome to the process exit code: fail 1, else 0.
func (g GateDecision) ExitCode() int {
	if g.Outcome == GateFail {
		return 1
	}
	return 0
}
