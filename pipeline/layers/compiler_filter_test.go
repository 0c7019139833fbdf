package layers

import (
	"slices"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// A filter compares the dimension's value in the normalized text form:
// temporal values as typed literals (a month bucket is a timestamp on both
// engines), values outside the normalized form as FALSE, the rest as text.
func TestFilterCond(t *testing.T) {
	for _, tc := range []struct {
		name, typ, value, want string
	}{
		{"month bucket", "date", "2026-05-01", "CAST(x AS DATE) = DATE '2026-05-01'"},
		{"date with a time of day", "date", "2026-05-01 00:00:00", "FALSE"},
		{"date without leading zeros", "date", "2026-5-1", "FALSE"},
		{"not a date", "date", "May", "FALSE"},
		{"timestamp at midnight", "timestamp", "2026-05-01", "CAST(x AS TIMESTAMP) = TIMESTAMP '2026-05-01 00:00:00'"},
		{"timestamp", "timestamp", "2026-05-01 10:11:12", "CAST(x AS TIMESTAMP) = TIMESTAMP '2026-05-01 10:11:12'"},
		{"midnight is written as the date alone", "timestamp", "2026-05-01 00:00:00", "FALSE"},
		{"not a timestamp", "timestamp", "soon", "FALSE"},
		{"text", "text", "o'brien", "CAST(x AS VARCHAR) = 'o''brien'"},
		{"integer", "integer", "42", "CAST(x AS VARCHAR) = '42'"},
		{"boolean", "boolean", "true", "CAST(x AS VARCHAR) = 'true'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := filterCond(tc.typ, "x", tc.value); got != tc.want {
				t.Errorf("filterCond(%s, %q) = %s, want %s", tc.typ, tc.value, got, tc.want)
			}
		})
	}
}

// The compiler refuses a request naming what it has no definition for, and
// lists every such name; faulty variants refuse the same way.
func TestCompileRefusesUnknownNames(t *testing.T) {
	d, err := domains.Load("support_saas")
	if err != nil {
		t.Fatal(err)
	}
	ob := observe.Obligations{TenantScope: []string{"acme"}, RowBudget: 10}
	for _, tc := range []struct {
		name   string
		metric string
		q      spec.SemanticQuery
		want   []string
	}{
		{"known names", "ticket_count", spec.SemanticQuery{Dimensions: []string{"month"}, Filters: map[string]string{"region": "west"}, TimeRange: "last_month", Limit: 10}, nil},
		{"unknown metric", "churn", spec.SemanticQuery{TimeRange: "last_month", Limit: 10}, []string{"metric:churn"}},
		{"unknown dimension, filter and time range", "ticket_count",
			spec.SemanticQuery{Dimensions: []string{"region", "zip"}, Filters: map[string]string{"zone": "1", "region": "west"}, TimeRange: "last_week", Limit: 10},
			[]string{"dimension:zip", "filter:zone", "time_range:last_week"}},
	} {
		for _, variant := range []string{Correct, CompilerDropTenant} {
			t.Run(tc.name+"/"+variant, func(t *testing.T) {
				out := Compile(variant, d, CompileInput{Query: tc.q.Normalized(), Metric: tc.metric, Obligations: ob, Shadow: true})
				if !slices.Equal(out.Unresolved, tc.want) {
					t.Errorf("unresolved %v, want %v", out.Unresolved, tc.want)
				}
				if (out.Error != "") != (tc.want != nil) || (out.SQL == "") != (tc.want != nil) {
					t.Errorf("error %q with SQL %q: want a refusal exactly when a name is unknown", out.Error, out.SQL)
				}
			})
		}
	}
}
