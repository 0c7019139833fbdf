package db_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/suites"
)

// crossCase is one lowered statement of a suite task and who runs it.
type crossCase struct {
	name, sql, role string
	tenants         []string
}

// suiteCases lowers every task of the named suites of env's domain with the
// correct stack (validator, then compiler, in shadow for denied queries, as
// layers.Run does) and, to widen the check, with the faulty compiler
// variants keep selects (every one when keep is nil). Identical statements
// for the same principal are kept once, under the first name (v7 first).
func suiteCases(t *testing.T, env *evaltest.Env, keep func(variant string) bool, names ...string) []crossCase {
	t.Helper()
	d := env.Domain
	var out []crossCase
	seen := map[string]bool{}
	for _, name := range names {
		s, err := suites.Load(d, name)
		if err != nil {
			t.Fatal(err)
		}
		for task := range s.Tasks() {
			pr := d.Policy.Principals[task.Principal]
			v := layers.Validate(layers.Correct, d, task.Principal, task.SemanticQuery)
			if v.Metric == "" {
				continue // nothing to lower: the metric is unknown
			}
			variants := []string{layers.Correct}
			for _, v := range layers.Variants("compiler") {
				if v != layers.Correct && (keep == nil || keep(v)) {
					variants = append(variants, v)
				}
			}
			for _, variant := range variants {
				comp := layers.Compile(variant, d, layers.CompileInput{Query: task.SemanticQuery, Metric: v.Metric, Obligations: v.Obligations, Shadow: !v.Allowed})
				if comp.Error != "" {
					t.Fatalf("%s/%s: compile %s: %s", name, task.ID, variant, comp.Error)
				}
				key := task.Principal + "\x00" + comp.SQL
				if seen[key] {
					continue
				}
				seen[key] = true
				out = append(out, crossCase{name: fmt.Sprintf("%s/%s/%s", name, task.ID, variant), sql: comp.SQL, role: pr.Role, tenants: pr.TenantIDs})
			}
		}
	}
	return out
}

// The two engines agree on every statement the seeded and control suites
// lower to, in every namespace: live sessions of every containment variant
// (the principal's role and tenants), the base tables and the oracle's
// namespace; and on what a live session can see of every table.
func TestCrossEngineSuites(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	_, pg := openPG(t, env)
	checkCrossEngineSuites(t, env, pg, "postgres", nil)
}

// checkCrossEngineSuites is TestCrossEngineSuites for env's domain (on
// DuckDB, env.Session), another engine's session other loaded with the
// same state, and the faulty compiler variants keep selects.
func checkCrossEngineSuites(t *testing.T, env *evaltest.Env, other db.Session, otherName string, keep func(variant string) bool) {
	duck := env.Session
	ctx := context.Background()
	cases := suiteCases(t, env, keep, "seeded", "controls")
	if len(cases) < 20 {
		t.Fatalf("only %d distinct statements: the suites did not load", len(cases))
	}
	var compared, withRows, blocked int
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			execs := []db.Exec{{Mode: db.Base, SQL: tc.sql}, {Mode: db.Oracle, Tenants: tc.tenants, SQL: tc.sql}}
			for _, c := range layers.Containments() {
				execs = append(execs, db.Exec{Mode: db.Live, Containment: c.Name, Role: tc.role, Tenants: tc.tenants, SQL: tc.sql})
			}
			for _, e := range execs {
				equal, rd, rp, err := db.CompareEngines(ctx, duck, other, e)
				if err != nil {
					t.Fatal(err)
				}
				compared++
				if rd.Blocked {
					blocked++
				} else if len(rd.Rows) > 0 {
					withRows++
				}
				if !equal {
					t.Errorf("mode %d %s: engines disagree\nduckdb: %+v\n%s: %+v\nsql:\n%s", e.Mode, e.Containment, rd, otherName, rp, tc.sql)
				}
			}
			// the database layer's whole observation: result and probes
			for _, c := range layers.Containments() {
				od, err := layers.Execute(ctx, duck, env.Domain, c.Name, tc.role, tc.tenants, tc.sql, false)
				if err != nil {
					t.Fatal(err)
				}
				op, err := layers.Execute(ctx, other, env.Domain, c.Name, tc.role, tc.tenants, tc.sql, false)
				if err != nil {
					t.Fatal(err)
				}
				if !db.SameResult(od.Result, op.Result) {
					t.Errorf("%s: layers.Execute results disagree", c.Name)
				}
				if diff := cmp.Diff(od.Probes, op.Probes); diff != "" {
					t.Errorf("%s: probes differ (-duckdb +%s):\n%s", c.Name, otherName, diff)
				}
			}
		})
	}
	t.Logf("%d statements, %d comparisons: %d with rows, %d refused by both", len(cases), compared, withRows, blocked)
	if withRows < compared/3 || blocked == 0 {
		t.Errorf("weak check: %d comparisons, %d with rows, %d refused", compared, withRows, blocked)
	}
}

// Every live session's view of every table agrees: the same visible rows
// and the same columns, for every principal and containment variant.
func TestCrossEngineVisible(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	_, pg := openPG(t, env)
	checkCrossEngineVisible(t, env, pg, "postgres", [][]string{{"acme"}, {"beta"}, {"acme", "beta"}, {"nobody"}})
}

// checkCrossEngineVisible is TestCrossEngineVisible for env's domain (on
// DuckDB, env.Session), another engine's session other and the given
// tenant sets.
func checkCrossEngineVisible(t *testing.T, env *evaltest.Env, other db.Session, otherName string, tenantSets [][]string) {
	ctx := context.Background()
	d := env.Domain
	for _, c := range layers.Containments() {
		for _, role := range slices.Sorted(func(yield func(string) bool) {
			for r := range d.Policy.Roles {
				if !yield(r) {
					return
				}
			}
		}) {
			for _, ts := range tenantSets {
				for _, tbl := range d.Schema.Tables {
					vd, err := env.Session.Visible(ctx, c.Name, role, ts, tbl.Name)
					if err != nil {
						t.Fatal(err)
					}
					vp, err := other.Visible(ctx, c.Name, role, ts, tbl.Name)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(vd, vp); diff != "" {
						t.Errorf("%s %s %v %s (-duckdb +%s):\n%s", c.Name, role, ts, tbl.Name, otherName, diff)
					}
				}
			}
		}
	}
}

// Values of every portable type and of the aggregates the compiler emits
// normalize to the same text on both engines, and text sorts bytewise.
func TestCrossEngineNormalization(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	_, pg := openPG(t, env)
	ctx := context.Background()
	cases := []struct{ name, sql string }{
		{"count, sum (numeric vs hugeint) and avg (numeric vs double)",
			"SELECT count(*) AS n, sum(net_amount_cents) AS s, avg(net_amount_cents) AS a, min(invoice_date) AS first FROM invoices"},
		{"avg of integers per group",
			"SELECT severity, avg(resolution_hours) AS a FROM support_tickets GROUP BY severity ORDER BY severity"},
		{"month buckets (timestamp in DuckDB, a date-only overload in PostgreSQL)",
			"SELECT date_trunc('month', invoice_date) AS m, count(*) AS n FROM invoices GROUP BY 1 ORDER BY 1"},
		{"month buckets cast to text",
			"SELECT DISTINCT CAST(date_trunc('month', opened_at) AS VARCHAR) AS m FROM support_tickets ORDER BY 1"},
		{"booleans", "SELECT escalated, CAST(escalated AS VARCHAR) AS e, count(*) AS n FROM support_tickets GROUP BY 1 ORDER BY 1"},
		{"timestamps", "SELECT created_at, CAST(created_at AS VARCHAR) AS c FROM ticket_events ORDER BY id LIMIT 20"},
		{"dates", "SELECT opened_at, CAST(opened_at AS VARCHAR) AS c FROM support_tickets ORDER BY id LIMIT 20"},
		{"bytewise text order", "SELECT name FROM accounts ORDER BY name"},
		{"bytewise order of derived text", "SELECT lower(name) AS l, upper(name) AS u FROM accounts ORDER BY upper(name), name"},
		{"NULLs sort last ascending", "SELECT x FROM (VALUES (2), (NULL), (1)) AS t(x) ORDER BY x"},
		{"empty aggregate is NULL", "SELECT sum(net_amount_cents) AS s, count(*) AS n FROM invoices WHERE id < 0"},
		{"filter clause", "SELECT count(DISTINCT id) FILTER (WHERE escalated) AS e FROM support_tickets"},
	}
	checkNormalization(t, ctx, env.Session, pg, "postgres", cases)
}

// checkNormalization runs each case in the base, oracle and a live
// namespace on DuckDB (duck) and on other (named otherName): neither
// refuses it, both return the same normalized rows, and at least one row.
func checkNormalization(t *testing.T, ctx context.Context, duck, other db.Session, otherName string, cases []struct{ name, sql string }) {
	t.Helper()
	modes := []db.Exec{
		{Mode: db.Base},
		{Mode: db.Oracle, Tenants: []string{"acme"}},
		{Mode: db.Live, Containment: "table_grants", Role: "finance_admin", Tenants: []string{"acme", "beta"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, e := range modes {
				e.SQL = tc.sql
				equal, rd, ro, err := db.CompareEngines(ctx, duck, other, e)
				if err != nil {
					t.Fatal(err)
				}
				if rd.Blocked || ro.Blocked {
					t.Fatalf("mode %d: refused: duckdb %q, %s %q", e.Mode, rd.Error, otherName, ro.Error)
				}
				if !equal || len(rd.Rows) == 0 {
					t.Errorf("mode %d:\nduckdb: %v\n%s: %v", e.Mode, rd, otherName, ro)
				}
			}
		})
	}
}
