package db

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"
)

// TestNativeDateTruncMatchesTheFunction: for every value a date or
// timestamp column can store (sqliteValue of dates and timestamps, with
// and without fractional seconds, on every month and day boundary, and
// NULL), the adapter's native date_trunc gives what the registered
// function gives, for each part it writes natively.
func TestNativeDateTruncMatchesTheFunction(t *testing.T) {
	ctx := context.Background()
	registerSQLiteDriver()
	sdb, conn, err := openSQLiteConn(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(); sdb.Close() })
	if _, err := conn.ExecContext(ctx, "CREATE TABLE t (d DATE, ts TIMESTAMP)"); err != nil {
		t.Fatal(err)
	}
	var times []time.Time
	for _, s := range []string{"2026-01-01T00:00:00Z", "2025-12-31T23:59:59Z", "2026-02-28T12:30:00Z", "2024-02-29T23:59:59.999999999Z",
		"2026-05-31T00:00:00.5Z", "2026-06-01T00:00:00Z", "1999-12-31T23:59:59Z", "2026-03-29T01:30:00+02:00"} {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		times = append(times, v)
	}
	for _, v := range times {
		if _, err := conn.ExecContext(ctx, "INSERT INTO t VALUES (?, ?)", sqliteValue("date", v), sqliteValue("timestamp", v)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := conn.ExecContext(ctx, "INSERT INTO t VALUES (NULL, NULL)"); err != nil {
		t.Fatal(err)
	}
	a := &sqliteDialect{times: map[string]bool{"t.d": true, "t.ts": true}}
	for part := range truncPrefix {
		for _, col := range []string{"t.d", "t.ts"} {
			call := fmt.Sprintf("date_trunc('%s', %s)", part, col)
			native := a.adapt(call)
			if native == call {
				t.Fatalf("%s was not written natively", call)
			}
			rows, err := conn.QueryContext(ctx, "SELECT "+call+", "+native+", "+col+" FROM t")
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var want, got, in sql.NullString
				if err := rows.Scan(&want, &got, &in); err != nil {
					t.Fatal(err)
				}
				if want != got {
					t.Errorf("%s of %v: native %v, function %v", call, in, got, want)
				}
				n++
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			rows.Close()
			if n != len(times)+1 {
				t.Fatalf("%d rows, want %d", n, len(times)+1)
			}
		}
	}
}
