package state_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// analytics loads the ClickHouse-dialect domain from disk and its state.
func analytics(t *testing.T) (*spec.Domain, *state.State) {
	t.Helper()
	d, err := domains.LoadDir("../../domains/analytics_clickhouse")
	if err != nil {
		t.Fatal(err)
	}
	st, err := state.Generate(d)
	if err != nil {
		t.Fatal(err)
	}
	return d, st
}

// TestMaterializedView: every row of events_daily is one (project, event
// name, UTC day) group of the events at or after the view's creation, with
// its event count and distinct users and sessions, numbered in key order,
// owned by its project; no group is missing.
func TestMaterializedView(t *testing.T) {
	_, st := analytics(t)
	ev, mv := st.Table("events"), st.Table("events_daily")
	created := state.Date(2026, 6, 17)
	type agg struct {
		events          int64
		users, sessions map[any]bool
	}
	want := map[string]*agg{}
	before := 0
	for _, r := range ev.Rows {
		ts := r[ev.Col("event_time")].(time.Time)
		if ts.Before(created) {
			before++
			continue
		}
		k := fmt.Sprint(r[ev.Col("project_id")], "|", r[ev.Col("event_name")], "|", ts.Format(time.DateOnly))
		if want[k] == nil {
			want[k] = &agg{users: map[any]bool{}, sessions: map[any]bool{}}
		}
		want[k].events++
		want[k].users[r[ev.Col("user_id")]] = true
		want[k].sessions[r[ev.Col("session_id")]] = true
	}
	if before == 0 || len(want) == 0 {
		t.Fatalf("%d events before the view, %d groups after: the state does not exercise the view", before, len(want))
	}
	if len(mv.Rows) != len(want) {
		t.Fatalf("%d view rows, want %d groups", len(mv.Rows), len(want))
	}
	prev := ""
	for i, r := range mv.Rows {
		day := r[mv.Col("day")].(time.Time)
		k := fmt.Sprint(r[mv.Col("project_id")], "|", r[mv.Col("event_name")], "|", day.Format(time.DateOnly))
		w := want[k]
		if w == nil {
			t.Fatalf("view row %v is no group", r)
		}
		got := [4]int64{r[mv.PK].(int64), r[mv.Col("events")].(int64), r[mv.Col("users")].(int64), r[mv.Col("sessions")].(int64)}
		if exp := [4]int64{int64(i + 1), w.events, int64(len(w.users)), int64(len(w.sessions))}; got != exp {
			t.Errorf("%s: (id, events, users, sessions) = %v, want %v", k, got, exp)
		}
		if k <= prev {
			t.Errorf("rows out of key order: %s after %s", k, prev)
		}
		prev = k
		if mv.Owner[i] != r[mv.Col("project_id")] {
			t.Errorf("%s owned by %s", k, mv.Owner[i])
		}
	}
}

// Timestamp boundaries are RFC 3339 instants, kept to the second.
func TestTimestampBoundaries(t *testing.T) {
	_, st := analytics(t)
	s := st.Table("sessions")
	seen := map[time.Time]bool{}
	for _, r := range s.Rows {
		seen[r[s.Col("started_at")].(time.Time)] = true
	}
	for _, b := range []time.Time{time.Date(2026, 6, 17, 22, 15, 0, 0, time.UTC), time.Date(2026, 6, 21, 2, 0, 0, 0, time.UTC)} {
		if !seen[b] {
			t.Errorf("no session starts at boundary %v", b)
		}
	}
}
