// Package ablations re-derives detection with one part of the detector
// removed, from the observations' stored check results: every trace
// records each contract check that failed on its observations (findings,
// with the surface and reason), so removing a part drops the findings that
// part's checks produced and re-runs localization and accounting on the
// rest (no database needed). The checks themselves are not re-executed:
// the oracle's verdict is not stored in traces, and a part's checks are
// recognized by their surface and reason. Two further ablations read the
// search's and minimizer's records: without the distinguishing-state
// search, survivors lose the state that kills them and search-proven
// equivalents lose their proof; without minimization, witnesses keep the
// unreduced query and state.
package ablations

import (
	"strings"

	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// Ablation is one part of the detector, by the findings its checks make.
type Ablation struct {
	Name string
	Doc  string
	// Drop reports whether the part produced the finding.
	Drop func(f detect.Finding) bool
}

func has(f detect.Finding, subs ...string) bool {
	for _, s := range subs {
		if strings.Contains(f.Reason, s) {
			return true
		}
	}
	return false
}

// All lists the finding ablations in report order.
func All() []Ablation { return all }

var all = []Ablation{
	{"without_independent_oracle", "drop the checks that compare executed rows with the oracle's reference answer or with the SQL's answer over the tenant-restricted rows",
		func(f detect.Finding) bool {
			return has(f, "the reference answer is", "tenant scope not preserved")
		}},
	{"without_sql_ast_checks", "drop the checks on the parsed SQL: tenant predicate bound to constants, LIMIT against the row budget, columns read",
		func(f detect.Finding) bool {
			return has(f, "tenant scope not bound", "compiled LIMIT", "database answered a query reading")
		}},
	{"without_database_containment_probes", "drop the row- and column-visibility probes of the live session",
		func(f detect.Finding) bool {
			return f.Surface == "database" && has(f, "session sees", "session cannot see", "session can read")
		}},
	{"without_release_rules", "drop the release gate's contract (denied requests released, small cohorts)",
		func(f detect.Finding) bool { return f.Surface == "release" }},
	{"without_transition_obligations", "drop the checks of the obligations handed between layers (capability scope, the intent as parsed, row budget, cost)",
		func(f detect.Finding) bool {
			return has(f, "outside the manifest's capability scope", "grammar changed the intent", "row budget", "estimates cost")
		}},
}

// Redetect re-derives the witness class and localized surface from the
// findings left after drop: the first surface in stack order with a
// finding, and that surface's first finding's kind ("clean" when none).
func Redetect(findings []detect.Finding, drop func(detect.Finding) bool) (class, surface string) {
	kept := map[string]string{}
	for _, f := range findings {
		if drop != nil && drop(f) {
			continue
		}
		if _, ok := kept[f.Surface]; !ok {
			kept[f.Surface] = f.Kind
		}
	}
	for _, s := range spec.SurfaceOrder {
		if k, ok := kept[s]; ok {
			return k, s
		}
	}
	return detect.Clean, ""
}
