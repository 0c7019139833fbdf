package catalog_test

import (
	"slices"
	"testing"

	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// The reference's eight ClickHouse operators are real faults of the
// ClickHouse stack, restricted to ClickHouse-dialect domains.
func TestClickHouseOperators(t *testing.T) {
	want := []string{
		"clickhouse_row_policy_missing_project_filter", "clickhouse_row_policy_readonly_assumption_violation",
		"aggregate_small_cohort_release", "materialized_view_lineage_drop", "timezone_bucket_drift",
		"uniq_to_count_drift", "sample_clause_release_drift", "distributed_table_policy_gap",
	}
	var got []string
	for _, op := range catalog.All() {
		if !slices.Contains(op.Dialects, spec.DialectClickHouse) {
			continue
		}
		got = append(got, op.ID)
		if op.Origin != "reference" || op.Version != "v0" || op.Family == "" || op.Description == "" || op.ExpectedClass == "" || op.ExpectedSurface != op.Surface {
			t.Errorf("%s: %+v", op.ID, op)
		}
		if op.Variant == layers.Correct || !slices.Contains(layers.Variants(op.Surface), op.Variant) {
			t.Errorf("%s: variant %s is not a faulty %s variant", op.ID, op.Variant, op.Surface)
		}
		if op.AppliesTo(spec.DialectDuckDB) || !op.AppliesTo(spec.DialectClickHouse) {
			t.Errorf("%s applies to the wrong dialects", op.ID)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("ClickHouse operators %v, want %v", got, want)
	}
}

// A domain gets the operators of its dialect, in catalog order.
func TestFor(t *testing.T) {
	duck := &spec.Domain{Policy: &spec.Policy{}}
	ch := &spec.Domain{Policy: &spec.Policy{Dialect: spec.DialectClickHouse}}
	all := catalog.IDs()
	if got := catalog.IDsFor(ch); !slices.Equal(got, all) {
		t.Errorf("ClickHouse domain: %d of %d operators", len(got), len(all))
	}
	got := catalog.IDsFor(duck)
	if len(got) != 22 || !slices.Equal(got, all[:22]) {
		t.Errorf("DuckDB domain: %v", got)
	}
	for _, op := range catalog.For(duck) {
		if len(op.Dialects) > 0 {
			t.Errorf("%s is restricted to %v", op.ID, op.Dialects)
		}
	}
}
