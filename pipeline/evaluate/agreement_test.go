package evaluate

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// twoPathsDir is the oracle's fixture in which invoices reach agents by two
// equally short join paths.
const twoPathsDir = "../oracle/testdata/twopaths"

// TestCanonicalPolicyAndValidatorAgree: the oracle (its own name and join
// resolution) and the correct validator (pipeline/resolve) decide alike,
// with the same cost, on every principal, metric name or alias, set of at
// most two dimensions and at most one filter, over one allowed and one
// denied time range, in every built-in domain and in the two-paths fixture
// (where both refuse the ambiguous joins; no built-in domain has one).
// Disagreement would make a clean control a false positive.
func TestCanonicalPolicyAndValidatorAgree(t *testing.T) {
	load := map[string]func() (*spec.Domain, error){
		"support_saas":         func() (*spec.Domain, error) { return domains.Load("support_saas") },
		"finance_saas":         func() (*spec.Domain, error) { return domains.Load("finance_saas") },
		"analytics_clickhouse": func() (*spec.Domain, error) { return domains.LoadDir(analyticsDir) },
		"twopaths":             func() (*spec.Domain, error) { return domains.LoadDir(twoPathsDir) },
	}
	for _, name := range spec.SortedKeys(load) {
		t.Run(name, func(t *testing.T) {
			d, err := load[name]()
			if err != nil {
				t.Fatal(err)
			}
			st, err := state.Generate(d)
			if err != nil {
				t.Fatal(err)
			}
			o := oracle.New(d, st)
			p := d.Policy
			dims := spec.SortedKeys(p.Dimensions)
			var dimSets [][]string
			dimSets = append(dimSets, nil)
			for i, a := range dims {
				dimSets = append(dimSets, []string{a})
				for _, b := range dims[i+1:] {
					dimSets = append(dimSets, []string{a, b})
				}
			}
			var metrics []string
			for _, m := range spec.SortedKeys(p.Metrics) {
				metrics = append(append(metrics, m), p.Metrics[m].Aliases...)
			}
			checked, denied, disagree, ambiguous := 0, 0, 0, 0
			for _, principal := range spec.SortedKeys(p.Principals) {
				role := p.Roles[p.Principals[principal].Role]
				ranges := []string{role.AllowedTimeRanges[0]}
				for _, r := range spec.TimeRanges {
					if !contains(role.AllowedTimeRanges, r) {
						ranges = append(ranges, r)
						break
					}
				}
				for _, m := range metrics {
					for _, ds := range dimSets {
						for _, f := range append([]string{""}, dims...) {
							for _, tr := range ranges {
								q := spec.SemanticQuery{Metric: m, Dimensions: ds, TimeRange: tr, Grain: "month", Limit: role.MaxRows}
								if f != "" {
									q.Filters = map[string]string{f: "x"}
								}
								q = q.Normalized()
								dec := o.Authorize(principal, q)
								v := layers.Validate(layers.Correct, d, principal, q)
								checked++
								if !dec.Allowed {
									denied++
								}
								for _, r := range dec.Reasons {
									if strings.HasPrefix(r, oracle.ReasonAmbiguousAttribution) {
										ambiguous++
										break
									}
								}
								if dec.Allowed != v.Allowed || (dec.Allowed && dec.Cost != v.Obligations.Cost) {
									disagree++
									if disagree <= 5 {
										t.Errorf("%s %s: canonical allowed %v cost %d %q; validator allowed %v cost %d %q",
											principal, q.Key(), dec.Allowed, dec.Cost, dec.Reasons, v.Allowed, v.Obligations.Cost, v.Reasons)
									}
								}
							}
						}
					}
				}
			}
			if denied == 0 || denied == checked {
				t.Errorf("%d of %d queries denied: the enumeration does not exercise both outcomes", denied, checked)
			}
			if disagree > 0 {
				t.Errorf("%d of %d queries decided differently", disagree, checked)
			}
			// the built-in domains have no ambiguous metric and dimension
			// pair; the fixture has
			if wantAmbiguous := name == "twopaths"; (ambiguous > 0) != wantAmbiguous {
				t.Errorf("%d of %d queries refused as ambiguous_attribution", ambiguous, checked)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestAmbiguousJoinIsACleanDenial runs requests of the two-paths fixture
// through the correct stack on DuckDB: revenue by agent is refused by the
// validator and by the canonical policy alike (no false positive), and
// tickets by agent is answered exactly as the oracle's reference.
func TestAmbiguousJoinIsACleanDenial(t *testing.T) {
	env := evaltest.SetupDir(t, twoPathsDir)
	ev := &Evaluator{Domain: env.Domain, Oracle: env.Oracle}
	tests := []struct {
		name    string
		q       spec.SemanticQuery
		allowed bool
	}{
		{"revenue by agent", spec.SemanticQuery{Metric: "revenue", Dimensions: []string{"agent"}, TimeRange: "last_month", Grain: "month", Limit: 10}, false},
		{"revenue filtered on agent", spec.SemanticQuery{Metric: "revenue", Filters: map[string]string{"agent": "ana"}, TimeRange: "last_month", Grain: "month", Limit: 10}, false},
		{"tickets by agent", spec.SemanticQuery{Metric: "tickets", Dimensions: []string{"agent"}, TimeRange: "last_month", Grain: "month", Limit: 10}, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			task := spec.Task{ID: fmt.Sprintf("ambiguous_%d", i), Domain: "twopaths", Suite: "test", Principal: "t1_analyst",
				Mutation: catalog.None, SemanticQuery: tt.q.Normalized()}
			out, err := ev.Evaluate(context.Background(), env.Session, task)
			if err != nil {
				t.Fatal(err)
			}
			tr := out.Trace
			if tr.AccountingStatus != trace.CleanControl {
				t.Errorf("accounted %s: %s; findings %v", tr.AccountingStatus, tr.AccountingReason, tr.Reasons)
			}
			if tr.CanonicalDecision.Allowed != tt.allowed || out.Observation.Layers.Validator.Allowed != tt.allowed {
				t.Errorf("canonical allowed %v, validator allowed %v; want %v", tr.CanonicalDecision.Allowed, out.Observation.Layers.Validator.Allowed, tt.allowed)
			}
			if tt.allowed && (len(tr.DBResult.ExecutedRows) != 2 || tr.DBResult.RowsDigest != tr.DBResult.ReferenceDigest) {
				t.Errorf("executed %q, reference %q", tr.DBResult.ExecutedRows, tr.DBResult.ReferenceRows)
			}
		})
	}
}
