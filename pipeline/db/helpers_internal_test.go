package db

import (
	"context"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// supportState loads support_saas and generates its state.
func supportState(t *testing.T) (*spec.Domain, *state.State) {
	t.Helper()
	d, err := domains.Load("support_saas")
	if err != nil {
		t.Fatal(err)
	}
	st, err := state.Generate(d)
	if err != nil {
		t.Fatal(err)
	}
	return d, st
}

// openSQLiteSessionOn is openSQLiteSession with the default options.
func openSQLiteSessionOn(t *testing.T, d *spec.Domain, st *state.State) *sqliteSession {
	t.Helper()
	return openSQLiteSession(t, d, st, Options{})
}

// openSQLiteSession opens a SQLite engine on st with the correct
// containment and a session on it, closed when the test ends.
func openSQLiteSession(t *testing.T, d *spec.Domain, st *state.State, opt Options) *sqliteSession {
	t.Helper()
	ctx := context.Background()
	e, err := OpenSQLite(ctx, d, st, []Containment{{Name: "correct"}}, opt)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := e.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	return sess.(*sqliteSession)
}
