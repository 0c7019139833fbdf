package db_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/policystrata/policystrata/pipeline/cell"
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/oracle"
)

// analyticsDir is the ClickHouse-dialect domain, read from disk.
const analyticsDir = "../../domains/analytics_clickhouse"

// macroCase is one ClickHouse-dialect statement and the value the oracle's
// Go code (or a hand computation) says it returns.
type macroCase struct {
	name, sql, want string
}

// macroCases computes, independently of the engines, what the ClickHouse
// compatibility functions return over env's events.
func macroCases(env *evaltest.Env) []macroCase {
	ev := env.State.Table("events")
	col := func(r []any, c string) any { return r[ev.Col(c)] }
	users, returning := map[string]bool{}, map[string]bool{}
	purchases, sampled := 0, 0
	for _, r := range ev.Rows {
		users[cell.Format(col(r, "user_id"))] = true
		if col(r, "event_name") == "purchase" {
			purchases++
		}
		if col(r, "event_name") == "return" {
			returning[cell.Format(col(r, "user_id"))] = true
		}
		if oracle.InSample(col(r, "id").(int64), 0.1) {
			sampled++
		}
	}
	return []macroCase{
		{"uniqExact counts distinct values", "SELECT uniqExact(user_id) FROM events", fmt.Sprint(len(users))},
		{"countIf counts rows where the condition holds", "SELECT countIf(event_name = 'purchase') FROM events", fmt.Sprint(purchases)},
		{"countIf with a value counts its non-NULL values", "SELECT countIf(user_id, event_name = 'purchase') FROM events", fmt.Sprint(purchases)},
		{"uniqExactIf counts distinct values where the condition holds", "SELECT uniqExactIf(user_id, event_name = 'return') FROM events", fmt.Sprint(len(returning))},
		{"uniqExact of nothing is 0", "SELECT uniqExact(user_id) FROM events WHERE id < 0", "0"},
		{"toDate without a zone is the UTC date", "SELECT toDate(TIMESTAMP '2026-06-14 03:00:00')", "2026-06-14"},
		{"toDate in Los Angeles is the eve", "SELECT toDate(TIMESTAMP '2026-06-14 03:00:00', 'America/Los_Angeles')", "2026-06-13"},
		{"toDate in Tokyo is the next day", "SELECT toDate(TIMESTAMP '2026-06-18 15:15:00', 'Asia/Tokyo')", "2026-06-19"},
		{"toDateTime is the wall clock in Berlin", "SELECT toDateTime(TIMESTAMP '2026-06-17 22:15:00', 'Europe/Berlin')", "2026-06-18 00:15:00"},
		{"toDateTime across daylight saving time", "SELECT toDateTime(TIMESTAMP '2026-01-10 12:00:00', 'America/Los_Angeles')", "2026-01-10 04:00:00"},
		{"sampleHash32 is Knuth's multiplicative hash", "SELECT sampleHash32(3)", fmt.Sprint(oracle.SampleHash32(3))},
		{"inSample keeps the rows whose hash is in the lowest fraction", "SELECT count(*) FROM events WHERE inSample(id, 0.1)", fmt.Sprint(sampled)},
	}
}

// checkMacros runs macroCases on sess.
func checkMacros(t *testing.T, env *evaltest.Env, sess db.Session) {
	for _, tc := range macroCases(env) {
		t.Run(tc.name, func(t *testing.T) {
			r, err := sess.Run(context.Background(), db.Exec{Mode: db.Base, SQL: tc.sql})
			if err != nil {
				t.Fatal(err)
			}
			if r.Blocked || len(r.Rows) != 1 || r.Rows[0][0] != tc.want {
				t.Errorf("%s = %v (%s), want %s", tc.sql, r.Rows, r.Error, tc.want)
			}
		})
	}
}

// The ClickHouse dialect's macros compute ClickHouse's semantics on DuckDB.
func TestClickHouseMacros(t *testing.T) {
	env := evaltest.SetupDir(t, analyticsDir)
	checkMacros(t, env, env.Session)
}

// PostgreSQL's compatibility functions compute the same.
func TestPostgresClickHouseMacros(t *testing.T) {
	env := evaltest.SetupDir(t, analyticsDir)
	_, pg := openPG(t, env)
	checkMacros(t, env, pg)
}

// A default-dialect domain gets no ClickHouse functions.
func TestDefaultDialectHasNoMacros(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	r, err := env.Session.Run(context.Background(), db.Exec{Mode: db.Base, SQL: "SELECT uniqExact(id) FROM accounts"})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Blocked {
		t.Errorf("uniqExact ran on a DuckDB-dialect domain: %v", r.Rows)
	}
}

// The engines agree on every statement the analytics_clickhouse suites
// lower to (ClickHouse functions, local time zones, samples, cohort sizes),
// correctly and through the ClickHouse compiler faults (the others' SQL
// shapes are checked on support_saas), under every containment variant,
// and on what every session can see.
func TestCrossEngineClickHouse(t *testing.T) {
	env := evaltest.SetupDir(t, analyticsDir)
	clickHouse := func(v string) bool {
		return v == layers.CompilerUTCBuckets || v == layers.CompilerUniqAsCount || v == layers.CompilerRollup
	}
	t.Run("suites", func(t *testing.T) {
		_, pg := openPG(t, env)
		checkCrossEngineSuites(t, env, pg, "postgres", clickHouse)
	})
	t.Run("visible", func(t *testing.T) {
		_, pg := openPG(t, env)
		checkCrossEngineVisible(t, env, pg, "postgres", [][]string{{"project_acme_mobile"}, {"project_beta_web"}, {"project_acme_mobile", "project_beta_web"}, {"nobody"}})
	})
}
