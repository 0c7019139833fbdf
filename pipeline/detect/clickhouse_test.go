package detect

import (
	"testing"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/oracle"
)

// cohortBaseline is baseline() under a minimum cohort size of 3: the result
// carries each group's cohort size, and the release withheld the group
// below the minimum (west, 2 users).
func cohortBaseline() observe.Observation {
	o := baseline()
	rows := [][]string{{"east", "10", "5"}, {"west", "20", "2"}}
	cols := []string{"region", "value", oracle.CohortColumn}
	res := func() *db.Result { return &db.Result{Columns: cols, Rows: rows} }
	o.Verdict.Decision.MinCohort = 3
	o.Verdict.Reference = &oracle.Answer{Columns: cols, Rows: rows}
	o.Layers.Validator.Obligations.MinCohort = 3
	o.Layers.Database.Result = *res()
	o.Measured.Base, o.Measured.Restricted = res(), res()
	*o.Layers.Release = observe.Release{Allowed: true, Reason: "released", Rows: 1, Withheld: []int{1}}
	return o
}

// TestDetectClickHouse covers the contracts the analytics stack adds: the
// release threshold, sampled estimates and tenant ids on several tables.
func TestDetectClickHouse(t *testing.T) {
	cases := []struct {
		name                      string
		base                      func() observe.Observation
		mutate                    func(o *observe.Observation)
		class, surface, contained string
	}{
		{"groups below the minimum withheld", cohortBaseline, func(o *observe.Observation) {}, Clean, "", ""},
		{"every group below the minimum, nothing released", cohortBaseline, func(o *observe.Observation) {
			o.Layers.Database.Result.Rows = [][]string{{"west", "20", "2"}}
			o.Measured.Base.Rows, o.Measured.Restricted.Rows, o.Verdict.Reference.Rows = o.Layers.Database.Result.Rows, o.Layers.Database.Result.Rows, o.Layers.Database.Result.Rows
			*o.Layers.Release = observe.Release{Reason: "withheld: every group is below the minimum cohort size 3"}
		}, Clean, "", ""},
		{"release ignores the minimum cohort", cohortBaseline, func(o *observe.Observation) {
			*o.Layers.Release = observe.Release{Allowed: true, Reason: "released", Rows: 2}
		}, UnsafeRelease, "release", ""},
		{"release withholds the wrong group", cohortBaseline, func(o *observe.Observation) {
			o.Layers.Release.Withheld = []int{0}
		}, UnsafeRelease, "release", ""},
		{"release withholds every group", cohortBaseline, func(o *observe.Observation) {
			*o.Layers.Release = observe.Release{Reason: "withheld"}
		}, OverRestrictive, "release", "release"},
		{"release withholds without a minimum", baseline, func(o *observe.Observation) {
			o.Layers.Release.Withheld, o.Layers.Release.Rows = []int{0}, 1
		}, OverRestrictive, "release", ""},
		{"rows released without cohort sizes", cohortBaseline, func(o *observe.Observation) {
			o.Layers.Database.Result = db.Result{Columns: []string{"region", "value"}, Rows: [][]string{{"east", "10"}, {"west", "20"}}}
			o.Layers.Release.Withheld, o.Layers.Release.Rows = nil, 2
		}, UnsafeRelease, "release", ""},
		{"validator drops the release threshold", cohortBaseline, func(o *observe.Observation) {
			o.Layers.Validator.Obligations.MinCohort = 0
		}, OverPermissive, "validator", ""},
		{"sampled estimate disclosed", baseline, func(o *observe.Observation) {
			o.Verdict.Decision.SampleFraction = 0.1
			o.Layers.Release.Disclosure = "estimate: computed from a SAMPLE 0.1 of the rows, scaled by 10"
		}, Clean, "", ""},
		{"sampled estimate released as exact", baseline, func(o *observe.Observation) {
			o.Verdict.Decision.SampleFraction = 0.1
		}, UnsafeRelease, "release", ""},
		{"scope bound on another tenant column", baseline, func(o *observe.Observation) {
			o.Verdict.TenantColumn, o.Verdict.TenantColumns = "accounts.tenant_id", []string{"daily.tenant_id"}
			o.Measured.SQL.Bindings = map[string][]string{"daily.tenant_id": {"acme"}}
		}, Clean, "", ""},
		{"scope widened on another tenant column", baseline, func(o *observe.Observation) {
			o.Verdict.TenantColumn, o.Verdict.TenantColumns = "accounts.tenant_id", []string{"daily.tenant_id"}
			o.Measured.SQL.Bindings = map[string][]string{"accounts.tenant_id": {"acme"}, "daily.tenant_id": {"acme", "beta"}}
		}, LoweringViolation, "compiler", ""},
		{"scope bound nowhere", baseline, func(o *observe.Observation) {
			o.Verdict.TenantColumn, o.Verdict.TenantColumns = "accounts.tenant_id", []string{"daily.tenant_id"}
		}, LoweringViolation, "compiler", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.base()
			tc.mutate(&o)
			d := Detect(o)
			if d.WitnessClass != tc.class || d.LocalizedSurface != tc.surface || d.ContainmentLayer != tc.contained {
				t.Errorf("got (%s, %s, %q), want (%s, %s, %q); findings %+v",
					d.WitnessClass, d.LocalizedSurface, d.ContainmentLayer, tc.class, tc.surface, tc.contained, d.Findings)
			}
		})
	}
}
