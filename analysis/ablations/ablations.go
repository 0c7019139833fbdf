// Package ablations re-runs the blind detector (pipeline/detect) on every
// trace's stored observations with one part of it switched off
// (detect.DetectWithout) and reports what is lost. No database is needed:
// a trace carries the layers' outputs and the measurements of the compiled
// SQL, and the oracle's verdict (canonical decision, capabilities, allowed
// columns, reference answer) is re-derived from the run's domain and its
// seeded state, which needs no database either. The one input a trace
// does not carry is the key lists of the database's visibility probes (it
// keeps their counts): the probe checks' stored findings are carried over
// as recorded, and the containment-probe ablation removes them. Every
// re-run of the full detector is compared with the stored detection (the
// report counts the traces it reproduces). A trace keeps at most
// MaxRowsInTrace rows of each result; the re-derived reference answer is
// cut the same way, and where rows were cut the row counts and digests
// quoted in reasons are left out of that comparison.
//
// Two further ablations read the search's and minimizer's records: without
// the distinguishing-state search, survivors lose the state that kills
// them and search-proven equivalents lose their proof; without
// minimization, witnesses keep the unreduced query and state.
package ablations

import (
	"strings"

	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// Ablation is one part of the detector switched off.
type Ablation struct {
	Name string
	Doc  string
	Part detect.Part
}

// All lists the detector ablations in report order.
func All() []Ablation { return all }

var all = []Ablation{
	{"without_independent_oracle", "withhold the oracle's reference answer and the SQL's answer over the tenant-restricted rows (every comparison with them is skipped)", detect.PartOracleReference},
	{"without_sql_ast_checks", "skip the checks on the parsed SQL: one statement, tenant predicate bound to constants, LIMIT against the row budget, columns read", detect.PartSQLAST},
	{"without_database_containment_probes", "skip the row- and column-visibility probes of the live session", detect.PartContainmentProbes},
	{"without_release_rules", "skip the release gate's contract (denied requests released, row budget, small cohorts, undisclosed samples)", detect.PartReleaseRules},
	{"without_transition_obligations", "skip the checks of the obligations handed between layers (capability scope, the intent as parsed, metric, tenant scope, row budget, cost, release threshold)", detect.PartTransitionObligations},
}

// isProbeFinding reports whether f comes from the visibility probes (the
// checks whose inputs, the probes' key lists, traces do not keep).
func isProbeFinding(f detect.Finding) bool {
	return f.Surface == "database" && (strings.HasPrefix(f.Reason, "session sees ") ||
		strings.HasPrefix(f.Reason, "session cannot see ") || strings.HasPrefix(f.Reason, "session can read "))
}

// withProbes splices the stored probe findings into a re-run's findings
// where the detector makes them: first among the database's findings.
func withProbes(rerun, probes []detect.Finding) []detect.Finding {
	if len(probes) == 0 {
		return rerun
	}
	i := 0
	for i < len(rerun) && rerun[i].Surface != "database" && rerun[i].Surface != "release" {
		i++
	}
	out := append(append(append([]detect.Finding{}, rerun[:i]...), probes...), rerun[i:]...)
	return out
}

// Localize is the detector's localization over findings: the first surface
// in stack order with a finding, and that surface's first finding's kind
// ("clean" when there is none).
func Localize(findings []detect.Finding) (class, surface string) {
	first := map[string]string{}
	for _, f := range findings {
		if _, ok := first[f.Surface]; !ok {
			first[f.Surface] = f.Kind
		}
	}
	for _, s := range spec.SurfaceOrder {
		if k, ok := first[s]; ok {
			return k, s
		}
	}
	return detect.Clean, ""
}
