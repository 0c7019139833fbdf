// Package detect is the blind detector. It reads only an observe.Observation
// (what the layers produced, the oracle's verdict and the independent
// measurements) and decides, per layer, whether its contract held; the first
// violated contract in stack order is the localized surface, its kind the
// witness class, and the layer that really stopped the damage the
// containment layer. It cannot see mutation operators, surface versions or
// expected labels: none of them is in its input, and the package does not
// import the operator catalog or the suites (a test enforces this).
package detect

import (
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// Witness classes.
const (
	Clean             = "clean"
	OverPermissive    = "over_permissive"
	OverRestrictive   = "over_restrictive"
	LoweringViolation = "lowering_violation"
	SemanticDrift     = "semantic_drift"
	UnsafeRelease     = "unsafe_release"
)

// Contract decision statuses.
const (
	Satisfied  = "satisfied"
	Violated   = "violated"
	NotReached = "not_reached"
)

// Finding is one observed contract violation.
type Finding struct {
	Surface string `json:"surface"`
	Kind    string `json:"kind"`
	Reason  string `json:"reason"`
}

// ContractDecision is the detector's verdict on one layer's contract.
type ContractDecision struct {
	Status  string   `json:"status"`
	Reasons []string `json:"reasons"`
}

// Detection is the detector's output for one task.
type Detection struct {
	ContractDecisions  map[string]ContractDecision `json:"contract_decisions"`
	Findings           []Finding                   `json:"findings"`
	WitnessClass       string                      `json:"witness_class"`
	LocalizedSurface   string                      `json:"localized_surface"`
	ContainmentLayer   string                      `json:"containment_layer"`
	SemanticDifference bool                        `json:"semantic_difference"`
	ReleaseAllowed     bool                        `json:"release_allowed"`
}

// Detect checks every layer's contract against the verdict and measurements.
func Detect(obs observe.Observation) Detection { return DetectWithout(obs) }

func (c *checker) detect() Detection {
	obs := c.obs
	c.manifest()
	c.grammar()
	c.validator()
	c.compiler()
	c.database()
	c.release()
	det := Detection{ContractDecisions: map[string]ContractDecision{}, Findings: c.findings, WitnessClass: Clean}
	if det.Findings == nil {
		det.Findings = []Finding{}
	}
	for _, s := range spec.SurfaceOrder {
		cd := ContractDecision{Status: Satisfied, Reasons: []string{}}
		if !c.reached(s) {
			cd.Status = NotReached
		}
		for _, f := range c.findings {
			if f.Surface == s {
				cd.Status = Violated
				cd.Reasons = append(cd.Reasons, f.Reason)
			}
		}
		det.ContractDecisions[s] = cd
	}
	rel := obs.Layers.Release
	det.ReleaseAllowed = rel != nil && rel.Allowed
	det.SemanticDifference = c.semanticDifference()
	for _, s := range spec.SurfaceOrder {
		if det.ContractDecisions[s].Status == Violated {
			det.LocalizedSurface = s
			for _, f := range c.findings {
				if f.Surface == s {
					det.WitnessClass = f.Kind
					break
				}
			}
			break
		}
	}
	if det.WitnessClass != Clean {
		det.ContainmentLayer = c.containment(det)
	}
	return det
}

type checker struct {
	obs      observe.Observation
	findings []Finding
	off      map[Part]bool
}

func (c *checker) add(surface, kind, reason string) {
	c.findings = append(c.findings, Finding{Surface: surface, Kind: kind, Reason: reason})
}

func (c *checker) reached(surface string) bool {
	l := c.obs.Layers
	switch surface {
	case "manifest":
		return l.Manifest != nil
	case "grammar":
		return l.Grammar != nil
	case "validator":
		return l.Validator != nil
	case "compiler":
		return l.Compiler != nil
	case "database":
		return l.Database != nil
	case "release":
		return l.Release != nil
	}
	return false
}
