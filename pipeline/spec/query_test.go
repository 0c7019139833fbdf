package spec_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/pipeline/spec"
)

func TestSemanticQueryNormalized(t *testing.T) {
	tests := []struct {
		name string
		in   spec.SemanticQuery
		want spec.SemanticQuery
	}{
		{
			name: "defaults",
			in:   spec.SemanticQuery{Metric: "ticket_count"},
			want: spec.SemanticQuery{Metric: "ticket_count", Dimensions: []string{}, Filters: map[string]string{}, TimeRange: "last_month", Grain: "month", Limit: spec.DefaultLimit},
		},
		{
			name: "explicit values kept, dimension order kept",
			in: spec.SemanticQuery{Metric: "net_revenue", Dimensions: []string{"severity", "region"}, Filters: map[string]string{"plan": "pro"},
				TimeRange: "fiscal_ytd", Grain: "day", Limit: 7},
			want: spec.SemanticQuery{Metric: "net_revenue", Dimensions: []string{"severity", "region"}, Filters: map[string]string{"plan": "pro"},
				TimeRange: "fiscal_ytd", Grain: "day", Limit: 7},
		},
		{
			name: "negative limit is not replaced",
			in:   spec.SemanticQuery{Metric: "m", Limit: -1},
			want: spec.SemanticQuery{Metric: "m", Dimensions: []string{}, Filters: map[string]string{}, TimeRange: "last_month", Grain: "month", Limit: -1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.Normalized()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Normalized() = %+v, want %+v", got, tt.want)
			}
			if !reflect.DeepEqual(got.Normalized(), got) {
				t.Errorf("Normalized is not idempotent")
			}
		})
	}
	t.Run("result does not alias the input", func(t *testing.T) {
		in := spec.SemanticQuery{Metric: "m", Dimensions: []string{"a", "b"}, Filters: map[string]string{"k": "v"}}
		out := in.Normalized()
		out.Dimensions[0] = "changed"
		out.Filters["k"] = "changed"
		out.Filters["new"] = "x"
		if in.Dimensions[0] != "a" || in.Filters["k"] != "v" || len(in.Filters) != 1 {
			t.Errorf("mutating the normalized copy changed the input: %+v", in)
		}
	})
}

func TestSemanticQueryKey(t *testing.T) {
	base := spec.SemanticQuery{Metric: "net_revenue", Dimensions: []string{"region", "plan"}, Filters: map[string]string{"severity": "high", "month": "2026-05-01"}, TimeRange: "last_month", Grain: "month", Limit: 100}
	if got, want := base.Key(), `{"m":"net_revenue","d":["plan","region"],"f":{"month":"2026-05-01","severity":"high"},"t":"last_month","g":"month","l":100}`; got != want {
		t.Errorf("Key() = %q, want %q", got, want)
	}
	if got, want := (spec.SemanticQuery{Metric: "m"}).Key(), `{"m":"m","d":[],"f":{},"t":"","g":"","l":0}`; got != want {
		t.Errorf("Key() of a bare query = %q, want %q", got, want)
	}
	same := base
	same.Dimensions = []string{"plan", "region"}
	same.Filters = map[string]string{"month": "2026-05-01", "severity": "high"}
	if same.Key() != base.Key() {
		t.Errorf("Key depends on dimension order: %q vs %q", same.Key(), base.Key())
	}
	if !reflect.DeepEqual(base.Dimensions, []string{"region", "plan"}) {
		t.Errorf("Key sorted the query's own dimensions: %v", base.Dimensions)
	}
	change := func(f func(q *spec.SemanticQuery)) spec.SemanticQuery {
		q := base
		q.Dimensions = append([]string{}, base.Dimensions...)
		q.Filters = map[string]string{}
		for k, v := range base.Filters {
			q.Filters[k] = v
		}
		f(&q)
		return q
	}
	diffs := map[string]spec.SemanticQuery{
		"metric":       change(func(q *spec.SemanticQuery) { q.Metric = "gross_revenue" }),
		"dimension":    change(func(q *spec.SemanticQuery) { q.Dimensions = []string{"region"} }),
		"filter value": change(func(q *spec.SemanticQuery) { q.Filters["severity"] = "low" }),
		"filter key":   change(func(q *spec.SemanticQuery) { delete(q.Filters, "month") }),
		"time range":   change(func(q *spec.SemanticQuery) { q.TimeRange = "fiscal_ytd" }),
		"grain":        change(func(q *spec.SemanticQuery) { q.Grain = "day" }),
		"limit":        change(func(q *spec.SemanticQuery) { q.Limit = 101 }),
	}
	for name, q := range diffs {
		t.Run(name, func(t *testing.T) {
			if q.Key() == base.Key() {
				t.Errorf("changing the %s left Key unchanged: %q", name, q.Key())
			}
		})
	}
}

// TestSemanticQueryKeyInjective: Key joins filter values with "," and "="
// without escaping, so two different filter sets can share a key; the
// detector compares keys to decide whether the grammar changed the intent.
func TestSemanticQueryKeyInjective(t *testing.T) {
	a := spec.SemanticQuery{Metric: "m", Filters: map[string]string{"region": "west,severity=high"}}
	b := spec.SemanticQuery{Metric: "m", Filters: map[string]string{"region": "west", "severity": "high"}}
	if a.Key() == b.Key() {
		t.Errorf("different queries share the key %q", a.Key())
	}
}

func ptr[T any](v T) *T { return &v }

func TestSemanticPatchApply(t *testing.T) {
	base := spec.SemanticQuery{Metric: "ticket_count", Dimensions: []string{"region"}, Filters: map[string]string{"plan": "pro"}, TimeRange: "last_month", Grain: "month", Limit: 100}
	tests := []struct {
		name  string
		patch spec.SemanticPatch
		want  spec.SemanticQuery
	}{
		{"empty patch", spec.SemanticPatch{}, base},
		{"metric", spec.SemanticPatch{Metric: ptr("net_revenue")},
			spec.SemanticQuery{Metric: "net_revenue", Dimensions: []string{"region"}, Filters: map[string]string{"plan": "pro"}, TimeRange: "last_month", Grain: "month", Limit: 100}},
		{"dimensions replaced", spec.SemanticPatch{Dimensions: &[]string{"plan", "severity"}},
			spec.SemanticQuery{Metric: "ticket_count", Dimensions: []string{"plan", "severity"}, Filters: map[string]string{"plan": "pro"}, TimeRange: "last_month", Grain: "month", Limit: 100}},
		{"dimensions emptied", spec.SemanticPatch{Dimensions: &[]string{}},
			spec.SemanticQuery{Metric: "ticket_count", Dimensions: []string{}, Filters: map[string]string{"plan": "pro"}, TimeRange: "last_month", Grain: "month", Limit: 100}},
		{"filters replaced, not merged", spec.SemanticPatch{Filters: map[string]string{"severity": "high"}},
			spec.SemanticQuery{Metric: "ticket_count", Dimensions: []string{"region"}, Filters: map[string]string{"severity": "high"}, TimeRange: "last_month", Grain: "month", Limit: 100}},
		{"filters cleared by an empty map", spec.SemanticPatch{Filters: map[string]string{}},
			spec.SemanticQuery{Metric: "ticket_count", Dimensions: []string{"region"}, Filters: map[string]string{}, TimeRange: "last_month", Grain: "month", Limit: 100}},
		{"time range and limit", spec.SemanticPatch{TimeRange: ptr("fiscal_ytd"), Limit: ptr(5)},
			spec.SemanticQuery{Metric: "ticket_count", Dimensions: []string{"region"}, Filters: map[string]string{"plan": "pro"}, TimeRange: "fiscal_ytd", Grain: "month", Limit: 5}},
		{"limit set to zero", spec.SemanticPatch{Limit: ptr(0)},
			spec.SemanticQuery{Metric: "ticket_count", Dimensions: []string{"region"}, Filters: map[string]string{"plan": "pro"}, TimeRange: "last_month", Grain: "month", Limit: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base
			in.Dimensions = append([]string{}, base.Dimensions...)
			got := tt.patch.Apply(in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Apply = %+v, want %+v", got, tt.want)
			}
			if !reflect.DeepEqual(in.Dimensions, []string{"region"}) || in.Metric != "ticket_count" {
				t.Errorf("Apply changed its input: %+v", in)
			}
		})
	}
	t.Run("patched dimensions do not alias the patch", func(t *testing.T) {
		dims := []string{"plan"}
		got := spec.SemanticPatch{Dimensions: &dims}.Apply(base)
		dims[0] = "changed"
		if got.Dimensions[0] != "plan" {
			t.Errorf("result shares the patch's slice: %v", got.Dimensions)
		}
	})
}

func TestValidID(t *testing.T) {
	long := strings.Repeat("a", 128)
	tests := []struct {
		id   string
		want bool
	}{
		{"a", true},
		{"support_saas", true},
		{"A9", true},
		{"9lives", true},
		{"fanout_join_drift_01", true},
		{"v1.2-rc_3", true},
		{"a..b", true},
		{long, true},
		{long + "a", false},
		{"", false},
		{".", false},
		{"..", false},
		{"../x", false},
		{"..x", false},
		{".hidden", false},
		{"a/b", false},
		{"/abs", false},
		{`a\b`, false},
		{"-flag", false},
		{"_x", false},
		{"a b", false},
		{"a\n", false},
		{"a\x00", false},
		{"é", false},
		{"tab\t", false},
		{"a:b", false},
		{"*", false},
	}
	for _, tt := range tests {
		name := tt.id
		if len(name) > 20 {
			name = name[:10] + "..." + string(rune('0'+len(tt.id)%10))
		}
		t.Run(name, func(t *testing.T) {
			if got := spec.ValidID(tt.id); got != tt.want {
				t.Errorf("ValidID(%q) = %v, want %v (len %d)", tt.id, got, tt.want, len(tt.id))
			}
		})
	}
}

func TestTimeRangesAndDates(t *testing.T) {
	for _, tr := range spec.TimeRanges {
		if !spec.KnownTimeRange(tr) {
			t.Errorf("KnownTimeRange(%q) = false", tr)
		}
	}
	for _, tr := range []string{"", "last_week", "LAST_MONTH", "ytd"} {
		if spec.KnownTimeRange(tr) {
			t.Errorf("KnownTimeRange(%q) = true", tr)
		}
	}
	good, err := spec.ParseDate("2026-02-28")
	if err != nil || good.Format("2006-01-02 15:04:05 MST") != "2026-02-28 00:00:00 UTC" {
		t.Errorf("ParseDate = %v, %v", good, err)
	}
	for _, bad := range []string{"2026-02-29", "2026-2-28", "26-02-28", "2026-02-28T00:00:00Z", ""} {
		if _, err := spec.ParseDate(bad); err == nil || err.Error() != `invalid date "`+bad+`" (want YYYY-MM-DD)` {
			t.Errorf("ParseDate(%q) error = %v", bad, err)
		}
	}
	for _, s := range spec.SurfaceOrder {
		if !spec.IsSurface(s) {
			t.Errorf("IsSurface(%q) = false", s)
		}
	}
	if spec.IsSurface("cache") || spec.IsSurface("") {
		t.Errorf("IsSurface accepts unknown surfaces")
	}
	if got := spec.SortedKeys(map[string]int{"b": 1, "a": 2, "c": 3}); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Errorf("SortedKeys = %v", got)
	}
}
