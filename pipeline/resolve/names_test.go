package resolve_test

import (
	"reflect"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// analyticsDir is the ClickHouse-dialect domain, read from disk.
const analyticsDir = "../../domains/analytics_clickhouse"

func loadAnalytics(t testing.TB) *spec.Domain {
	t.Helper()
	d, err := domains.LoadDir(analyticsDir)
	if err != nil {
		t.Fatalf("load analytics_clickhouse: %v", err)
	}
	return d
}

func TestMetricByName(t *testing.T) {
	p := loadSupport(t).Policy
	tests := []struct {
		in, canonical string
		alias, ok     bool
	}{
		{"net_revenue", "net_revenue", false, true},
		{"recognized_revenue", "net_revenue", true, true},
		{"bookings", "gross_revenue", true, true},
		{"gross_bookings", "gross_revenue", true, true},
		{"tickets", "ticket_count", true, true},
		{"resolution_time", "average_resolution_hours", true, true},
		{"churn", "", false, false},
		{"", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, a, ok := resolve.MetricByName(p, tt.in)
			if c != tt.canonical || a != tt.alias || ok != tt.ok {
				t.Errorf("MetricByName(%q) = %q, %v, %v", tt.in, c, a, ok)
			}
			if c2, a2, ok2 := (resolve.Standard{}).MetricByName(p, tt.in); c2 != c || a2 != a || ok2 != ok {
				t.Errorf("Standard.MetricByName(%q) = %q, %v, %v; the function says %q, %v, %v", tt.in, c2, a2, ok2, c, a, ok)
			}
		})
	}
}

// The time-range vocabulary adds the rolling ranges a role grants.
func TestTimeRangeNames(t *testing.T) {
	if got := resolve.TimeRangeNames(loadSupport(t).Policy); !reflect.DeepEqual(got, spec.TimeRanges) {
		t.Errorf("support_saas: %v", got)
	}
	if got, want := resolve.TimeRangeNames(loadAnalytics(t).Policy), append(append([]string{}, spec.TimeRanges...), "last_7_days"); !reflect.DeepEqual(got, want) {
		t.Errorf("analytics_clickhouse: %v, want %v", got, want)
	}
}

func TestPhysicalLookups(t *testing.T) {
	d := loadAnalytics(t)
	p := d.Policy
	t.Run("sample factor", func(t *testing.T) {
		for _, tt := range []struct {
			metric string
			want   int64
		}{{"sampled_events", 10}, {"events", 1}} {
			if got := resolve.SampleFactor(p.Metrics[tt.metric]); got != tt.want {
				t.Errorf("SampleFactor(%s) = %d, want %d", tt.metric, got, tt.want)
			}
		}
		if got := resolve.SampleFactor(&spec.Metric{Sample: 0.3}); got != 3 {
			t.Errorf("SampleFactor(0.3) = %d, want 3 (1/0.3 rounded)", got)
		}
	})
	t.Run("materialized views", func(t *testing.T) {
		got := resolve.MaterializedViews(d.Schema, "events")
		if len(got) != 1 || got[0].Name != "events_daily" {
			t.Fatalf("views over events: %v", got)
		}
		if other := resolve.MaterializedViews(d.Schema, "sessions"); len(other) != 0 {
			t.Errorf("views over sessions: %v", other)
		}
		v := got[0].MaterializedView
		if resolve.ViewKey(v, "events.event_time", "day") == nil || resolve.ViewKey(v, "events.event_time", "") != nil {
			t.Errorf("ViewKey over events.event_time wrong: %+v", v.GroupBy)
		}
		if resolve.ViewAggregate(v, "count_distinct", "events.user_id") == nil || resolve.ViewAggregate(v, "sum", "events.user_id") != nil {
			t.Errorf("ViewAggregate wrong: %+v", v.Aggregates)
		}
	})
	t.Run("directly owned", func(t *testing.T) {
		for table, want := range map[string]bool{"events": true, "sessions": true, "events_daily": true, "projects": false, "nowhere": false} {
			if got := resolve.DirectlyOwned(d.Schema, table, "projects"); got != want {
				t.Errorf("DirectlyOwned(%s) = %v, want %v", table, got, want)
			}
		}
	})
}

func TestOr(t *testing.T) {
	if _, ok := resolve.Or(nil).(resolve.Standard); !ok {
		t.Errorf("Or(nil) is not Standard")
	}
	type other struct{ resolve.Standard }
	if _, ok := resolve.Or(other{}).(other); !ok {
		t.Errorf("Or(r) does not return r")
	}
}
