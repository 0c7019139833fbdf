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
	return domainState(t, "support_saas")
}

// domainState loads the built-in domain name and generates its state.
func domainState(t *testing.T, name string) (*spec.Domain, *state.State) {
	t.Helper()
	d, err := domains.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	st, err := state.Generate(d)
	if err != nil {
		t.Fatal(err)
	}
	return d, st
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

// relationKind is what the connection c holds under table's name in its
// temp schema: "table" or "view".
func relationKind(t *testing.T, c *nsConn, table string) string {
	t.Helper()
	var kind string
	if err := c.conn.QueryRowContext(context.Background(), "SELECT type FROM sqlite_temp_master WHERE name = ?", table).Scan(&kind); err != nil {
		t.Fatal(err)
	}
	return kind
}

// withoutFirstTicket is st without its first support ticket and that
// ticket's events.
func withoutFirstTicket(t *testing.T, d *spec.Domain, st *state.State) *state.State {
	t.Helper()
	sub := st.BaseRows(d)
	gone := sub["support_tickets"][0][0]
	sub["support_tickets"] = sub["support_tickets"][1:]
	var events [][]any
	for _, ev := range sub["ticket_events"] {
		if ev[1] != gone {
			events = append(events, ev)
		}
	}
	sub["ticket_events"] = events
	rst, err := state.FromRows(d, sub)
	if err != nil {
		t.Fatal(err)
	}
	return rst
}
