package importdomain

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseMatView(t *testing.T) {
	cases := []struct {
		name, sql string
		want      *matView
	}{
		{"clickhouse aggregating view", "create materialized view db.v\nengine = AggregatingMergeTree\norder by (p, day)\nas\nselect p, toDate(ts) as day, countState() as n, uniqExactState(u) as users\nfrom db.events\ngroup by p, day",
			&matView{Name: "v", From: "events", Rest: "group by p, day", At: "f:1",
				Items: []viewItem{{"p", "p"}, {"toDate(ts)", "day"}, {"countState()", "n"}, {"uniqExactState(u)", "users"}}}},
		{"postgres view with a qualified column", "CREATE MATERIALIZED VIEW IF NOT EXISTS v AS SELECT e.p, date_trunc('month', e.ts) AS m, sum(e.x) AS total FROM e GROUP BY 1, 2",
			&matView{Name: "v", From: "e", Rest: "GROUP BY 1, 2", At: "f:1",
				Items: []viewItem{{"e.p", "p"}, {"date_trunc('month', e.ts)", "m"}, {"sum(e.x)", "total"}}}},
		{"writes to another table", "create materialized view v to t as select p from e",
			&matView{Name: "v", From: "e", Target: "t", At: "f:1", Items: []viewItem{{"p", "p"}}}},
		{"not a select from a table", "create materialized view v as values (1)", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, parseMatView(c.sql, "f:1"), cmp.AllowUnexported(matView{}, viewItem{})); diff != "" {
				t.Errorf("parseMatView (-want +got):\n%s", diff)
			}
		})
	}
}

// A view the format cannot express is reported with the reason, and the
// conversion goes on without it.
func TestConvertViewRefusals(t *testing.T) {
	events := &dbTable{Name: "events", Columns: []dbColumn{{"id", "INTEGER"}, {"p", "VARCHAR"}, {"u", "VARCHAR"}, {"ts", "TIMESTAMP"}, {"x", "DOUBLE"}},
		ForeignKeys: []dbForeignKey{{Column: "p", RefTable: "projects", RefColumn: "id"}}}
	c := &conv{tables: []*dbTable{{Name: "projects", Columns: []dbColumn{{"id", "VARCHAR"}}}, events},
		pk: map[string]string{"projects": "id", "events": "id"}, owner: map[string]string{"events": "p"}}
	cases := []struct{ name, sql, why string }{
		{"other target", "create materialized view v to t as select p from events", "it writes to table t"},
		{"unknown source", "create materialized view v as select p from sessions", "its source sessions is not a converted table"},
		{"filtered", "create materialized view v as select p, count() as n from events where u = 'a' group by p", "it filters its source"},
		{"joined", "create materialized view v as select p, count() as n from events join sessions using (s) group by p", "it reads more than its source (join sessions using (s))"},
		{"two tables", "create materialized view v as select p, count() as n from events, sessions group by p", "it reads more than its source (, sessions group by)"},
		{"having", "create materialized view v as select p, count() as n from events group by p having count() > 2", "it reads more than its source (group by p having)"},
		{"no tenant key", "create materialized view v as select u, count() as n from events group by u", "it has no key on events.p"},
		{"unknown function", "create materialized view v as select p, avg(x) as a from events group by p", `select item "avg(x)"`},
		{"sum of a non-integer", "create materialized view v as select p, sum(x) as s from events group by p", "does not aggregate an integer column"},
		{"bucket of a text column", "create materialized view v as select p, toDate(u) as d from events group by p, d", "does not bucket a date column"},
		{"unaliased aggregate", "create materialized view v as select p, count() from events group by p", "has no alias"},
		{"unknown column", "create materialized view v as select q from events", "q is not a column of events"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := parseMatView(tc.sql, "f:1")
			if v == nil {
				t.Fatal("not parsed")
			}
			tab, why := c.convertView(v)
			if tab != nil || !strings.Contains(why, tc.why) {
				t.Errorf("convertView = %v, %q; want refused with %q", tab, why, tc.why)
			}
		})
	}
	v := parseMatView("create materialized view v as select p, toStartOfMonth(ts) as m, count() as n, sum(id) as s from events group by p, m", "f:1")
	tab, why := c.convertView(v)
	if tab == nil {
		t.Fatalf("refused: %s", why)
	}
	if tab.PrimaryKey != "id" || tab.OwnerVia != "p" || len(tab.Columns) != 5 || tab.MaterializedView.GroupBy[1].Bucket != "month" || tab.MaterializedView.Aggregates[0].Source != "events.id" {
		t.Errorf("converted view = %+v", tab)
	}
}

// FuzzParseMatView feeds arbitrary CREATE MATERIALIZED VIEW text to the
// parser and the conversion: a view converts or is refused with a reason,
// never a panic.
func FuzzParseMatView(f *testing.F) {
	f.Add("create materialized view v engine = AggregatingMergeTree order by (p, day) as select p, toDate(ts) as day, countState() as n, uniqExactState(u) as users from events group by p, day")
	f.Add("create materialized view v to t as select p from events")
	f.Add("create materialized view v as select p, sum(id) as s, date_trunc('month', ts) as m from events group by p, m having count() > 1")
	f.Add("create materialized view v as select 'a,b' as x, (p) as q from events")
	events := &dbTable{Name: "events", Columns: []dbColumn{{"id", "INTEGER"}, {"p", "VARCHAR"}, {"u", "VARCHAR"}, {"ts", "TIMESTAMP"}},
		ForeignKeys: []dbForeignKey{{Column: "p", RefTable: "projects", RefColumn: "id"}}}
	c := &conv{tables: []*dbTable{{Name: "projects", Columns: []dbColumn{{"id", "VARCHAR"}}}, events},
		pk: map[string]string{"projects": "id", "events": "id"}, owner: map[string]string{"events": "p"}}
	f.Fuzz(func(t *testing.T, sql string) {
		v := parseMatView(sql, "f:1")
		if v == nil {
			return
		}
		if tab, why := c.convertView(v); (tab == nil) == (why == "") {
			t.Errorf("convertView = %v, %q: want a table or a reason", tab, why)
		}
	})
}
