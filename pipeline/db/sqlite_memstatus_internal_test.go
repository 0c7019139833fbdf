package db

import (
	"context"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/state"
)

// SQLite's memory statistics (a process-wide mutex on every allocation)
// are off before the first connection: the call succeeded, and SQLite
// counts no memory after a state is loaded and a statement executed (with
// the statistics on it counts hundreds of kilobytes).
func TestSQLiteMemstatusOff(t *testing.T) {
	if sqliteMemstatusErr != 0 {
		t.Fatalf("sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) = %d, want 0 (SQLite initialized before the package?)", sqliteMemstatusErr)
	}
	ctx := context.Background()
	d, err := domains.Load("support_saas")
	if err != nil {
		t.Fatal(err)
	}
	st, err := state.Generate(d)
	if err != nil {
		t.Fatal(err)
	}
	e, err := OpenSQLite(ctx, d, st, []Containment{{Name: "correct"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := e.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	res, err := sess.Run(ctx, Exec{SQL: "SELECT count(*) FROM accounts", Mode: Base})
	if err != nil || res.Blocked {
		t.Fatalf("run: %v %+v", err, res)
	}
	if n := sqliteMemoryUsed(); n != 0 {
		t.Errorf("SQLite counted %d bytes: its memory statistics are on", n)
	}
}
