package catalog_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// The reference's eight ClickHouse operators are real faults of the
// ClickHouse stack, each gated on a feature the analytics_clickhouse domain
// declares and support_saas does not.
func TestClickHouseOperators(t *testing.T) {
	want := []string{
		"clickhouse_row_policy_missing_project_filter", "clickhouse_row_policy_readonly_assumption_violation",
		"aggregate_small_cohort_release", "materialized_view_lineage_drop", "timezone_bucket_drift",
		"uniq_to_count_drift", "sample_clause_release_drift", "distributed_table_policy_gap",
	}
	var got []string
	sup, err := domains.Load("support_saas")
	if err != nil {
		t.Fatal(err)
	}
	an, err := domains.Load("analytics_clickhouse")
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range catalog.All() {
		if len(op.Requires) == 0 {
			continue
		}
		got = append(got, op.ID)
		if op.Origin != "reference" || op.Version != "v0" || op.Family == "" || op.Description == "" || op.ExpectedClass == "" || op.ExpectedSurface != op.Surface {
			t.Errorf("%s: %+v", op.ID, op)
		}
		if op.Variant == layers.Correct || !slices.Contains(layers.Variants(op.Surface), op.Variant) {
			t.Errorf("%s: variant %s is not a faulty %s variant", op.ID, op.Variant, op.Surface)
		}
		if op.DeclaredBy(sup) || !op.DeclaredBy(an) {
			t.Errorf("%s (requires %v) is offered to the wrong domains", op.ID, op.Requires)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("ClickHouse operators %v, want %v", got, want)
	}
}

// A domain gets the operators of its dialect that can act on it, in
// catalog order; the others are listed with the reason.
func TestFor(t *testing.T) {
	load := func(name string) *spec.Domain {
		d, err := domains.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	all := catalog.IDs()
	ch := load("analytics_clickhouse")
	got := catalog.IDsFor(ch)
	inap := catalog.Inapplicable(ch)
	if len(got)+len(inap) != len(all) {
		t.Errorf("ClickHouse domain: %d applicable + %d inapplicable of %d operators", len(got), len(inap), len(all))
	}
	for _, id := range []string{"fiscal_calendar_mismatch", "db_policy_missing_on_new_tables"} {
		if inap[id] == "" || slices.Contains(got, id) {
			t.Errorf("ClickHouse domain: %s should be inapplicable (fiscal months are calendar months; no deep tables), got %q", id, inap[id])
		}
	}
	duck := load("support_saas")
	got = catalog.IDsFor(duck)
	if len(got) != 22 || !slices.Equal(got, all[:22]) || len(catalog.Inapplicable(duck)) != 0 {
		t.Errorf("DuckDB domain: %v", got)
	}
	for _, op := range catalog.For(duck) {
		if len(op.Requires) > 0 {
			t.Errorf("%s requires %v", op.ID, op.Requires)
		}
	}
}

// TestInapplicableWithoutStructure: a domain without the structure a fault
// rewrites makes its operators inapplicable, with the reason, and never
// panics (review finding 7: no legacy key).
func TestInapplicableWithoutStructure(t *testing.T) {
	cases := []struct {
		name   string
		strip  func(d *spec.Domain)
		want   []string
		reason string
	}{
		{"no legacy key", func(d *spec.Domain) { d.Policy.Tenancy.LegacyColumn, d.Policy.Tenancy.LegacyKey = "", "" },
			[]string{"compiler_uses_old_tenant_key", "db_rls_old_ownership_field"}, "legacy"},
		{"fiscal months are calendar months", func(d *spec.Domain) { d.Policy.Calendar.FiscalMonthStartDay = 1 },
			[]string{"fiscal_calendar_mismatch"}, "fiscal"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := domains.Load("support_saas")
			if err != nil {
				t.Fatal(err)
			}
			tc.strip(d)
			inap := catalog.Inapplicable(d)
			for _, id := range tc.want {
				if !strings.Contains(inap[id], tc.reason) {
					t.Errorf("%s: reason %q does not mention %q", id, inap[id], tc.reason)
				}
				if slices.Contains(catalog.IDsFor(d), id) {
					t.Errorf("%s still offered to generators", id)
				}
			}
			if len(inap) != len(tc.want) {
				t.Errorf("inapplicable %v, want only %v", inap, tc.want)
			}
		})
	}
}
