package oracle_test

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// twoPathsOracle builds the oracle over testdata/twopaths: the tiny fixture
// plus agents, reached from invoices by two equally short join paths.
func twoPathsOracle(t *testing.T) *oracle.Oracle {
	t.Helper()
	d, err := spec.LoadDomain(os.DirFS("testdata/twopaths"), "twopaths", "testdata/twopaths")
	if err != nil {
		t.Fatalf("load twopaths domain: %v", err)
	}
	st, err := state.Generate(d)
	if err != nil {
		t.Fatalf("generate twopaths state: %v", err)
	}
	return oracle.New(d, st)
}

// TestAuthorizeAttribution: a dimension or filter whose table the metric's
// table reaches by more than one equally good join path has no reference
// answer, so the canonical policy refuses it; the same dimension on a
// metric that reaches it one way is allowed.
func TestAuthorizeAttribution(t *testing.T) {
	o := twoPathsOracle(t)
	ambiguous := "ambiguous_attribution: agent: agents is reached from invoices by more than one shortest join path with as few fan-outs"
	t1 := []string{"t1"}
	tests := []struct {
		name string
		q    spec.SemanticQuery
		want oracle.Decision
	}{
		{"revenue by agent", query("revenue", []string{"agent"}, nil, "last_month", 10),
			oracle.Decision{Reasons: []string{ambiguous}, Metric: "revenue", RowBudget: 10, Tenants: t1}},
		{"revenue by alias, filtered on agent", query("sales", []string{"region"}, map[string]string{"agent": "ana"}, "last_month", 10),
			oracle.Decision{Reasons: []string{ambiguous}, Metric: "revenue", RowBudget: 10, Tenants: t1}},
		{"ambiguity beside another denial", query("revenue", []string{"agent"}, nil, "fiscal_ytd", 10),
			oracle.Decision{Reasons: []string{"time_range_denied: fiscal_ytd not allowed for role analyst", ambiguous}, Metric: "revenue", RowBudget: 10, Tenants: t1}},
		// tickets reference their agent directly: 5 (tickets) + 1 (agent)
		{"tickets by agent", query("tickets", []string{"agent"}, nil, "last_month", 10),
			oracle.Decision{Allowed: true, Reasons: []string{}, Metric: "tickets", RowBudget: 10, Cost: 6, Tenants: t1}},
		// 10 (revenue) + 2 (region), invoices -> accounts is many-to-one
		{"revenue by region is unaffected", query("revenue", []string{"region"}, nil, "last_month", 10),
			oracle.Decision{Allowed: true, Reasons: []string{}, Metric: "revenue", RowBudget: 10, Cost: 12, Tenants: t1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := o.Authorize("t1_analyst", tt.q); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Authorize(t1_analyst, %s):\n got %+v\nwant %+v", tt.q.Key(), got, tt.want)
			}
		})
	}
	t.Run("cost has no value either", func(t *testing.T) {
		if _, err := o.Cost("revenue", query("revenue", []string{"agent"}, nil, "last_month", 10)); err == nil || !strings.HasPrefix(err.Error(), "ambiguous_attribution: agent") {
			t.Errorf("Cost(revenue by agent) error = %v", err)
		}
	})
}

// TestReferenceTwoPaths: in last_month, tenant t1's tickets are 200 (ana,
// 10h), 201 (bo, 20h), 202 (ana, 30h) and 203 (no agent, 5h), worked out
// from testdata/twopaths/state.yaml.
func TestReferenceTwoPaths(t *testing.T) {
	o := twoPathsOracle(t)
	t1 := []string{"t1"}
	tests := []struct {
		name   string
		metric string
		dims   []string
		want   [][]string
	}{
		// ticket 203 has no agent: an inner join drops it
		{"ticket count by agent", "tickets", []string{"agent"}, [][]string{{"ana", "2"}, {"bo", "1"}}},
		{"average hours by agent", "avg_hours", []string{"agent"}, [][]string{{"ana", "20.000000"}, {"bo", "20.000000"}}},
		{"by agent and severity", "tickets", []string{"agent", "severity"}, [][]string{{"ana", "high", "2"}, {"bo", "low", "1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := o.Reference(tt.metric, query(tt.metric, tt.dims, nil, "last_month", 10), t1)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Rows, tt.want) {
				t.Errorf("rows %q, want %q", got.Rows, tt.want)
			}
		})
	}
	t.Run("no reference answer for revenue by agent", func(t *testing.T) {
		_, err := o.Reference("revenue", query("revenue", []string{"agent"}, nil, "last_month", 10), t1)
		if err == nil || !strings.Contains(err.Error(), "ambiguous_attribution: agent") {
			t.Errorf("Reference(revenue by agent) error = %v", err)
		}
	})
}
