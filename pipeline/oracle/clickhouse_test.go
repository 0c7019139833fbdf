package oracle_test

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// analyticsOracle builds the oracle over the analytics_clickhouse domain,
// read from disk.
func analyticsOracle(t *testing.T) (*oracle.Oracle, *spec.Domain, *state.State) {
	t.Helper()
	d, err := domains.LoadDir("../../domains/analytics_clickhouse")
	if err != nil {
		t.Fatal(err)
	}
	st, err := state.Generate(d)
	if err != nil {
		t.Fatal(err)
	}
	return oracle.New(d, st), d, st
}

func TestTimeWindowLast7Days(t *testing.T) {
	for _, tc := range []struct{ asOf, start, end string }{
		{"2026-06-20", "2026-06-14", "2026-06-21"},
		{"2026-03-03", "2026-02-25", "2026-03-04"},
		{"2028-03-01", "2028-02-24", "2028-03-02"},
	} {
		w, err := oracle.TimeWindow(spec.Calendar{AsOf: tc.asOf, FiscalMonthStartDay: 1, FiscalYearStartMonth: 1}, "last_7_days")
		if err != nil {
			t.Fatal(err)
		}
		if !w.Start.Equal(day(tc.start)) || !w.End.Equal(day(tc.end)) {
			t.Errorf("as of %s: [%s, %s), want [%s, %s)", tc.asOf, w.Start.Format(time.DateOnly), w.End.Format(time.DateOnly), tc.start, tc.end)
		}
	}
}

// acmeEvents calls f for every event of Acme whose Los Angeles date is in
// [from, to), with that date.
func acmeEvents(t *testing.T, st *state.State, from, to string, f func(row []any, local string)) {
	t.Helper()
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	ev := st.Table("events")
	for i, r := range ev.Rows {
		if ev.Owner[i] != "project_acme_mobile" {
			continue
		}
		local := r[ev.Col("event_time")].(time.Time).In(la).Format(time.DateOnly)
		if local >= from && local < to {
			f(r, local)
		}
	}
}

// TestReferenceClickHouse checks reference answers of the analytics
// domain against hand computations: local days of the project's time zone,
// a where_equals condition, a sample, and cohort sizes.
func TestReferenceClickHouse(t *testing.T) {
	o, _, st := analyticsOracle(t)
	ev := st.Table("events")
	col := func(r []any, c string) any { return r[ev.Col(c)] }
	acme := []string{"project_acme_mobile"}
	week := func(metric string, dims ...string) spec.SemanticQuery {
		return spec.SemanticQuery{Metric: metric, Dimensions: dims, TimeRange: "last_7_days"}.Normalized()
	}
	sortedCounts := func(groups map[string]map[any]bool) [][]string {
		var keys []string
		for k := range groups {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var out [][]string
		for _, k := range keys {
			out = append(out, []string{k, strconv.Itoa(len(groups[k]))})
		}
		return out
	}

	t.Run("sessions by local day", func(t *testing.T) {
		groups := map[string]map[any]bool{}
		acmeEvents(t, st, "2026-06-14", "2026-06-21", func(r []any, local string) {
			if groups[local] == nil {
				groups[local] = map[any]bool{}
			}
			groups[local][col(r, "session_id")] = true
		})
		got, err := o.Reference("sessions", week("sessions", "day"), acme)
		if err != nil {
			t.Fatal(err)
		}
		if want := sortedCounts(groups); len(want) < 5 || !reflect.DeepEqual(got.Rows, want) {
			t.Errorf("got %v\nwant %v", got.Rows, want)
		}
	})
	t.Run("local days differ from UTC days", func(t *testing.T) {
		shifted := 0
		acmeEvents(t, st, "2026-06-14", "2026-06-21", func(r []any, local string) {
			if col(r, "event_time").(time.Time).Format(time.DateOnly) != local {
				shifted++
			}
		})
		if shifted == 0 {
			t.Error("no Acme event of the last week falls on another UTC day: the state cannot show time-zone drift")
		}
	})
	t.Run("conversions count purchases", func(t *testing.T) {
		groups := map[string]map[any]bool{}
		acmeEvents(t, st, "2026-06-14", "2026-06-21", func(r []any, _ string) {
			p := col(r, "platform").(string)
			if groups[p] == nil {
				groups[p] = map[any]bool{}
			}
			if col(r, "event_name") == "purchase" {
				groups[p][col(r, "id")] = true
			}
		})
		got, err := o.Reference("conversions", week("conversions", "platform"), acme)
		if err != nil {
			t.Fatal(err)
		}
		if want := sortedCounts(groups); !reflect.DeepEqual(got.Rows, want) {
			t.Errorf("got %v\nwant %v", got.Rows, want)
		}
	})
	t.Run("sampled events are a scaled SAMPLE 0.1", func(t *testing.T) {
		n, all := 0, 0
		acmeEvents(t, st, "2026-06-14", "2026-06-21", func(r []any, _ string) {
			all++
			if h := (uint64(col(r, "id").(int64)) * 2654435761) % (1 << 32); float64(h) < 0.1*(1<<32) {
				n++
			}
		})
		got, err := o.Reference("sampled_events", week("sampled_events"), acme)
		if err != nil {
			t.Fatal(err)
		}
		if want := [][]string{{strconv.Itoa(10 * n)}}; !reflect.DeepEqual(got.Rows, want) || 10*n == all {
			t.Errorf("got %v, want %v (of %d events)", got.Rows, want, all)
		}
	})
	t.Run("cohort sizes under a minimum cohort", func(t *testing.T) {
		dec := o.Authorize("acme_product_viewer", week("events", "country"))
		if !dec.Allowed || dec.MinCohort != 3 || dec.SampleFraction != 0 {
			t.Fatalf("decision %+v", dec)
		}
		users := map[string]map[any]bool{}
		acmeEvents(t, st, "2026-06-14", "2026-06-21", func(r []any, _ string) {
			c := col(r, "country").(string)
			if users[c] == nil {
				users[c] = map[any]bool{}
			}
			users[c][col(r, "user_id")] = true
		})
		got, err := o.ReferenceFor(dec, week("events", "country"))
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"country", "value", oracle.CohortColumn}; !reflect.DeepEqual(got.Columns, want) {
			t.Fatalf("columns %v, want %v", got.Columns, want)
		}
		for _, row := range got.Rows {
			if want := strconv.Itoa(len(users[row[0]])); row[2] != want {
				t.Errorf("%s: cohort size %s, want %s", row[0], row[2], want)
			}
		}
	})
	t.Run("the policy's canonical facts", func(t *testing.T) {
		if dec := o.Authorize("acme_growth_admin", week("sampled_events")); !dec.Allowed || dec.SampleFraction != 0.1 || dec.MinCohort != 0 {
			t.Errorf("sampled_events for the admin: %+v", dec)
		}
		cols := o.AllowedColumns("product_viewer")
		for _, c := range []string{"projects.timezone", "events.user_id", "events_daily.project_id"} {
			if !cols[c] {
				t.Errorf("product viewers may not read %s", c)
			}
		}
		if cols["events_daily.users"] || cols["sessions.user_id"] {
			t.Errorf("product viewers may read the view's aggregates or the sessions' users")
		}
		if got, want := o.TenantColumns(), []string{"events_daily.project_id", "sessions.project_id"}; !reflect.DeepEqual(got, want) {
			t.Errorf("TenantColumns() = %v, want %v", got, want)
		}
		if got := fmt.Sprint(oracle.SampleHash32(0), oracle.SampleHash32(1), oracle.SampleHash32(2)); got != "0 2654435761 1013904226" {
			t.Errorf("sample hashes %s", got)
		}
	})
}
