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
	g := GateDecision{Reasons: []string{}, FailingFindings: []string{}}
	if failOnHigh {
		for i := range findings {
			if failing(&findings[i]) {
				g.FailingFindings = append(g.FailingFindings, findings[i].ID)
			}
		}
	}
	if len(g.FailingFindings) > 0 {
		g.Outcome = GateFail
		g.Reasons = append(g.Reasons, fmt.Sprintf("%d high-confidence finding(s) block the release", len(g.FailingFindings)))
		return g
	}
	warn := 0
	for i := range findings {
		if findings[i].Severity == SevWarning || findings[i].Severity == SevHigh {
			warn++
		}
	}
	if warn > 0 {
		g.Outcome = GateWarn
		g.Reasons = append(g.Reasons, fmt.Sprintf("%d warning or high finding(s) need review", warn))
		return g
	}
	g.Outcome = GatePass
	return g
}

// ExitCode maps a gate outcome to the process exit code: fail 1, else 0.
func (g GateDecision) ExitCode() int {
	if g.Outcome == GateFail {
		return 1
	}
	return 0
}
