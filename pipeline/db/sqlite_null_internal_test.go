package db

import (
	"context"
	"reflect"
	"testing"
)

// SQLite's Go functions give what DuckDB gives when an argument is NULL
// (the driver hands a NULL to an interface-typed parameter as a nil []byte,
// which the functions once took for a value: date_trunc('month', NULL)
// failed with "not a date or timestamp: []", and uniqExact counted NULL as
// a value), on the ClickHouse domain, where DuckDB has the macros.
func TestSQLiteFunctionsTakeNullAsDuckDBDoes(t *testing.T) {
	ctx := context.Background()
	d, st := domainState(t, "analytics_clickhouse")
	lite := openSQLiteSession(t, d, st, Options{})
	duck, err := OpenDuckDB(ctx, d, st, []Containment{{Name: "correct"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { duck.Close() })
	dsess, err := duck.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dsess.Close() })
	// a NULL of each kind: no row has a negative id
	const nullTS = "CASE WHEN id < 0 THEN started_at END"
	for _, q := range []string{
		"SELECT date_trunc('month', " + nullTS + ") AS v FROM sessions ORDER BY id LIMIT 2",
		"SELECT date_trunc(CASE WHEN id < 0 THEN 'month' END, started_at) AS v FROM sessions ORDER BY id LIMIT 2",
		"SELECT toDate(" + nullTS + ") AS v FROM sessions ORDER BY id LIMIT 2",
		"SELECT toDate(" + nullTS + ", 'Europe/Paris') AS v FROM sessions ORDER BY id LIMIT 2",
		"SELECT toDateTime(" + nullTS + ", 'Europe/Paris') AS v FROM sessions ORDER BY id LIMIT 2",
		"SELECT timezone('UTC', " + nullTS + ") AS v FROM sessions ORDER BY id LIMIT 2",
		"SELECT timezone(CASE WHEN id < 0 THEN 'UTC' END, started_at) AS v FROM sessions ORDER BY id LIMIT 2",
		"SELECT sampleHash32(CASE WHEN id < 0 THEN id END) AS v FROM sessions ORDER BY id LIMIT 2",
		"SELECT inSample(CASE WHEN id < 0 THEN id END, 0.5) AS v FROM sessions ORDER BY id LIMIT 2",
		"SELECT uniqExact(CASE WHEN id % 2 = 0 THEN user_id END) AS v FROM sessions",
		"SELECT uniqExactIf(CASE WHEN id % 2 = 0 THEN user_id END, id % 3 = 0) AS v FROM sessions",
		"SELECT countIf(CASE WHEN id % 2 = 0 THEN user_id END, id % 3 = 0) AS v FROM sessions",
		"SELECT countIf(CASE WHEN id % 2 = 0 THEN id % 3 = 0 END) AS v FROM sessions",
	} {
		x := Exec{Mode: Base, SQL: q}
		got, err := lite.run(ctx, x)
		if err != nil {
			t.Fatal(err)
		}
		want, err := dsess.Run(ctx, x)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Rows, want.Rows) || got.Blocked != want.Blocked {
			t.Errorf("%s\n sqlite: %+v\n duckdb: %+v", q, got, want)
		}
	}
}
