package db

import (
	"context"
	"testing"
)

// SQLite's memory statistics (a process-wide mutex on every allocation)
// are off before the first connection: the call succeeded, and SQLite
// counts no memory after a state is loaded and a statement executed (with
// the statistics on it counts hundreds of kilobytes).
func TestSQLiteMemstatusOff(t *testing.T) {
	if sqliteMemstatusErr != 0 {
		t.Fatalf("sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) = %d, want 0 (SQLite initialized before the package?)", sqliteMemstatusErr)
	}
	d, st := supportState(t)
	sess := openSQLiteSession(t, d, st, Options{})
	res, err := sess.Run(context.Background(), Exec{SQL: "SELECT count(*) FROM accounts", Mode: Base})
	if err != nil || res.Blocked {
		t.Fatalf("run: %v %+v", err, res)
	}
	if n := sqliteMemoryUsed(); n != 0 {
		t.Errorf("SQLite counted %d bytes: its memory statistics are on", n)
	}
}
