package minimize

import (
	"errors"
	"slices"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

func TestReduceQuery(t *testing.T) {
	q := spec.SemanticQuery{Metric: "m", Dimensions: []string{"a", "severity", "b"}, Filters: map[string]string{"x": "1", "y": "2"},
		Limit: 500, TimeRange: "fiscal_ytd"}.Normalized()
	cases := []struct {
		name     string
		keep     func(q spec.SemanticQuery) bool // does the witness survive on q?
		wantDims []string
		wantFilt int
		wantLim  int
		wantTR   string
		maxTries int
	}{
		{"fault needs nothing: the bare query in one replay", func(c spec.SemanticQuery) bool { return true }, []string{}, 0, 100, DefaultTimeRange, 1},
		{"fault needs severity only", func(c spec.SemanticQuery) bool { return slices.Contains(c.Dimensions, "severity") }, []string{"severity"}, 0, 100, DefaultTimeRange, 20},
		{"fault needs filter y, the big limit and the fiscal range", func(c spec.SemanticQuery) bool {
			return c.Filters["y"] == "2" && c.Limit == 500 && c.TimeRange == "fiscal_ytd"
		}, []string{}, 1, 500, "fiscal_ytd", 30},
		{"fault needs everything", func(c spec.SemanticQuery) bool {
			return len(c.Dimensions) == 3 && len(c.Filters) == 2 && c.Limit == 500 && c.TimeRange == "fiscal_ytd"
		}, []string{"a", "severity", "b"}, 2, 500, "fiscal_ytd", 8},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var st Stats
			got, err := ReduceQuery(q, nil, func(c spec.SemanticQuery, _ Subset) (bool, error) { return tc.keep(c), nil }, &st)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Dimensions, tc.wantDims) || len(got.Filters) != tc.wantFilt || got.Limit != tc.wantLim || got.TimeRange != tc.wantTR {
				t.Errorf("reduced to %+v", got)
			}
			if st.QueryAttempts > tc.maxTries {
				t.Errorf("%d attempts, want at most %d", st.QueryAttempts, tc.maxTries)
			}
			if !tc.keep(got) {
				t.Errorf("reduced query no longer reproduces the witness")
			}
			for _, m := range QueryMoves(got) {
				if tc.keep(m.Query) {
					t.Errorf("not 1-minimal: the %s move still reproduces", m.Kind)
				}
			}
		})
	}
}

// ReduceQueryOnce stops after one pass over the moves; ReduceQuery goes on
// while a pass accepts a move, here the dimension a whose drop preserves
// the witness only once the filter x (tried after it) is gone.
func TestReduceQueryOnce(t *testing.T) {
	q := spec.SemanticQuery{Metric: "m", Dimensions: []string{"a"}, Filters: map[string]string{"x": "1"}, Limit: 500}.Normalized()
	keep := func(c spec.SemanticQuery, _ Subset) (bool, error) {
		return c.Limit == 500 && (slices.Contains(c.Dimensions, "a") || c.Filters["x"] == ""), nil
	}
	var once, full Stats
	got, err := ReduceQueryOnce(q, nil, nil, keep, &once)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Dimensions, []string{"a"}) || len(got.Filters) != 0 || got.Limit != 500 {
		t.Errorf("one pass reduced to %+v, want dimension a kept, filter x dropped", got)
	}
	all, err := ReduceQuery(q, nil, keep, &full)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Dimensions) != 0 || len(all.Filters) != 0 || all.Limit != 500 {
		t.Errorf("passes until none accepts reduced to %+v, want only the limit kept", all)
	}
	if once.QueryAttempts >= full.QueryAttempts {
		t.Errorf("one pass took %d replays, the full reduction %d", once.QueryAttempts, full.QueryAttempts)
	}
}

// A hint (an earlier witness's reduced query) cuts the query to the
// features the hint kept, with the query's own values, in one replay after
// the bare query; hints that project to the bare or the whole query, or
// that do not preserve the witness, cost at most one replay each.
func TestReduceQueryOnceHints(t *testing.T) {
	q := spec.SemanticQuery{Metric: "m", Dimensions: []string{"a", "b"}, Filters: map[string]string{"x": "1", "y": "2"},
		Limit: 5001, TimeRange: "quarter_to_date"}.Normalized()
	// the witness needs a limit above 1000 and the filter x, whatever its value
	keep := func(c spec.SemanticQuery, _ Subset) (bool, error) { return c.Limit > 1000 && c.Filters["x"] != "", nil }
	tests := []struct {
		name     string
		hints    []spec.SemanticQuery
		want     spec.SemanticQuery
		attempts int
	}{
		{"no hint: the bare query then one pass", nil,
			spec.SemanticQuery{Metric: "m", Filters: map[string]string{"x": "1"}, Limit: 5001}, 1 + 6},
		{"a hint with other values", []spec.SemanticQuery{{Metric: "m", Filters: map[string]string{"x": "9"}, Limit: 1001}},
			spec.SemanticQuery{Metric: "m", Filters: map[string]string{"x": "1"}, Limit: 5001}, 2},
		{"a failing hint first, a bare hint skipped", []spec.SemanticQuery{
			{Metric: "m", Limit: 1001}, {Metric: "m"}, {Metric: "m", Dimensions: []string{"b"}, Filters: map[string]string{"x": "3"}, Limit: 2000}},
			spec.SemanticQuery{Metric: "m", Dimensions: []string{"b"}, Filters: map[string]string{"x": "1"}, Limit: 5001}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var st Stats
			got, err := ReduceQueryOnce(q, nil, tc.hints, keep, &st)
			if err != nil {
				t.Fatal(err)
			}
			if got.Key() != tc.want.Normalized().Key() {
				t.Errorf("reduced to %+v, want %+v", got, tc.want.Normalized())
			}
			if st.QueryAttempts != tc.attempts {
				t.Errorf("%d replays, want %d", st.QueryAttempts, tc.attempts)
			}
			if st.LimitReset || st.FiltersRemoved != 1 || st.DimensionsRemoved != 2-len(got.Dimensions) || !st.TimeRangeReset {
				t.Errorf("stats %+v do not describe the cut to %+v", st, got)
			}
		})
	}
}

func TestReduceQueryPropagatesErrors(t *testing.T) {
	q := spec.SemanticQuery{Metric: "m", Dimensions: []string{"a"}}.Normalized()
	var st Stats
	_, err := ReduceQuery(q, nil, func(spec.SemanticQuery, Subset) (bool, error) { return false, errors.New("db gone") }, &st)
	if err == nil {
		t.Fatal("replay error swallowed")
	}
}

// The state reduction finds the rows a fault needs, keeps foreign keys whole
// (every kept row's parents are kept), and ends 1-minimal: no single row
// removal still reproduces.
func TestReduceState(t *testing.T) {
	d, err := domains.Load("support_saas")
	if err != nil {
		t.Fatal(err)
	}
	st0, err := state.GenerateSeed(d, 7)
	if err != nil {
		t.Fatal(err)
	}
	full := st0.BaseRows(d)
	sp := NewSpace(d, full)
	// the "fault" shows when some invoice above 11500 cents of tenant acme and
	// some ticket of another tenant are both present
	invoiceOf := func(rows map[string][][]any, tenant string) bool {
		subs := map[any]bool{}
		accts := map[any]bool{}
		for _, a := range rows["accounts"] {
			if a[1] == tenant {
				accts[a[0]] = true
			}
		}
		for _, s := range rows["subscriptions"] {
			if accts[s[1]] {
				subs[s[0]] = true
			}
		}
		for _, inv := range rows["invoices"] {
			if subs[inv[1]] && inv[3].(int64) > 11500 {
				return true
			}
		}
		return false
	}
	otherTicket := func(rows map[string][][]any) bool {
		accts := map[any]bool{}
		for _, a := range rows["accounts"] {
			if a[1] != "acme" {
				accts[a[0]] = true
			}
		}
		for _, tk := range rows["support_tickets"] {
			if accts[tk[1]] {
				return true
			}
		}
		return false
	}
	check := func(_ spec.SemanticQuery, s Subset) (bool, error) {
		rows := s.Select(full)
		if _, err := state.FromRows(d, rows); err != nil {
			return false, err // a broken foreign key is a bug in the reducer
		}
		return invoiceOf(rows, "acme") && otherTicket(rows), nil
	}
	var stats Stats
	q := spec.SemanticQuery{Metric: "m"}.Normalized()
	if ok, err := check(q, sp.Full()); err != nil || !ok {
		t.Fatalf("the full state does not show the fault (%v)", err)
	}
	s, err := sp.ReduceState(q, sp.Full(), check, &stats)
	if err != nil {
		t.Fatal(err)
	}
	_, s, one, err := sp.OneMinimal(q, s, check, &stats)
	if err != nil {
		t.Fatal(err)
	}
	if !one || stats.Exhausted {
		t.Fatalf("not 1-minimal within budget (%+v)", stats)
	}
	// acme, its account, subscription, invoice; another tenant with its
	// account and ticket
	kept := s.Select(full)
	for _, tab := range d.Schema.Tables {
		for _, fk := range tab.ForeignKeys {
			rt, rc, _ := spec.SplitQualified(fk.References)
			present := map[any]bool{}
			for _, r := range kept[rt] {
				present[r[colIndex(d.Schema.Table(rt), rc)]] = true
			}
			for _, r := range kept[tab.Name] {
				if v := r[colIndex(tab, fk.Column)]; v != nil && !present[v] {
					t.Errorf("%s.%s = %v references a removed row", tab.Name, fk.Column, v)
				}
			}
		}
	}
	counts := map[string]int{}
	for tab, ix := range s {
		counts[tab] = len(ix)
	}
	want := map[string]int{"tenants": 2, "accounts": 2, "subscriptions": 1, "invoices": 1, "support_tickets": 1, "ticket_events": 0}
	for tab, n := range want {
		if counts[tab] != n {
			t.Errorf("%s: kept %d rows, want %d (all: %v)", tab, counts[tab], n, counts)
		}
	}
	if st0.RowCount() < 100*s.Rows() {
		t.Errorf("kept %d of %d rows", s.Rows(), st0.RowCount())
	}
	t.Logf("kept %d of %d rows in %d replays", s.Rows(), st0.RowCount(), stats.StateAttempts)
	if stats.StateAttempts > 150 {
		t.Errorf("%d replays; the level-by-level search should need far fewer", stats.StateAttempts)
	}
}

// minSet finds exactly the needed items of a monotone test within
// r*(log2(n)+1)+1 replays, and on a test that is not monotone still ends on
// a passing set.
func TestMinSet(t *testing.T) {
	items := make([]rowID, 64)
	for i := range items {
		items[i] = rowID{"t", i}
	}
	has := func(keep []rowID, n int) bool { return slices.Contains(keep, rowID{"t", n}) }
	cases := []struct {
		name string
		need []int
		// test passes when every needed item is kept, and, when set, odd
		// is also false (a test that is not monotone)
		odd      func(keep []rowID) bool
		maxTries int
	}{
		{"nothing needed", nil, nil, 1},
		{"one item", []int{5}, nil, 1 + 7},
		{"the first and the last", []int{0, 63}, nil, 1 + 2*7},
		{"three items", []int{3, 4, 40}, nil, 1 + 3*7},
		{"every item", func() []int {
			var all []int
			for i := range 64 {
				all = append(all, i)
			}
			return all
		}(), nil, 64 * 7},
		{"not monotone: the needed item alone fails", []int{5}, func(keep []rowID) bool { return len(keep) == 1 }, 64},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tries := 0
			test := func(keep []rowID) (bool, error) {
				tries++
				for _, n := range tc.need {
					if !has(keep, n) {
						return false, nil
					}
				}
				return tc.odd == nil || !tc.odd(keep), nil
			}
			got, err := minSet(items, test)
			if err != nil {
				t.Fatal(err)
			}
			if tries > tc.maxTries {
				t.Errorf("%d replays, want at most %d", tries, tc.maxTries)
			}
			if ok, _ := test(got); !ok {
				t.Fatalf("result %v does not pass", got)
			}
			if tc.odd == nil && len(got) != len(tc.need) {
				t.Errorf("need %v: got %v", tc.need, got)
			}
		})
	}
	if _, err := minSet(items, func([]rowID) (bool, error) { return false, errors.New("db gone") }); err == nil {
		t.Error("replay error swallowed")
	}
}

// TestReachable: a query is reachable from another exactly when query
// moves (drop dimensions and filters, reset limit and time range) lead there.
func TestReachable(t *testing.T) {
	from := spec.SemanticQuery{Metric: "m", Dimensions: []string{"a", "b", "c"}, Filters: map[string]string{"x": "1", "y": "2"},
		TimeRange: "quarter_to_date", Grain: "month", Limit: 7}
	cases := []struct {
		name string
		to   spec.SemanticQuery
		want bool
	}{
		{"itself", from, true},
		{"bare", spec.SemanticQuery{Metric: "m", Grain: "month", Limit: spec.DefaultLimit, TimeRange: DefaultTimeRange}, true},
		{"a subsequence of dimensions, one filter", spec.SemanticQuery{Metric: "m", Dimensions: []string{"a", "c"}, Filters: map[string]string{"y": "2"}, Grain: "month", Limit: 7, TimeRange: "quarter_to_date"}, true},
		{"dimensions out of order", spec.SemanticQuery{Metric: "m", Dimensions: []string{"c", "a"}, Grain: "month", Limit: 7, TimeRange: "quarter_to_date"}, false},
		{"another metric", spec.SemanticQuery{Metric: "n", Grain: "month", Limit: 7, TimeRange: "quarter_to_date"}, false},
		{"a filter value changed", spec.SemanticQuery{Metric: "m", Filters: map[string]string{"x": "9"}, Grain: "month", Limit: 7, TimeRange: "quarter_to_date"}, false},
		{"a new dimension", spec.SemanticQuery{Metric: "m", Dimensions: []string{"d"}, Grain: "month", Limit: 7, TimeRange: "quarter_to_date"}, false},
		{"another limit", spec.SemanticQuery{Metric: "m", Grain: "month", Limit: 8, TimeRange: "quarter_to_date"}, false},
		{"another time range", spec.SemanticQuery{Metric: "m", Grain: "month", Limit: 7, TimeRange: "fiscal_ytd"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Reachable(from, tc.to); got != tc.want {
				t.Errorf("Reachable = %v, want %v", got, tc.want)
			}
		})
	}
}
