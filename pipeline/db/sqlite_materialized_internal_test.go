package db

import (
	"context"
	"reflect"
	"testing"
)

// ticketsPerAccount joins two tables of support_saas.
const ticketsPerAccount = "SELECT accounts.id, count(*) AS n FROM accounts JOIN support_tickets ON support_tickets.account_id = accounts.id GROUP BY accounts.id ORDER BY accounts.id"

// The live and oracle namespaces of a connection that is never restricted
// hold tables filled when it loads; the base namespace and every scratch
// connection (WithState) keep views, since a scratch connection's rows
// change under them. Both answer the same: a restricted session on the
// whole state sees what the materialized one does.
func TestSQLiteMaterializedNamespaces(t *testing.T) {
	ctx := context.Background()
	d, st := supportState(t)
	s := openSQLiteSession(t, d, st, Options{})
	execs := []Exec{
		{Mode: Live, Containment: "correct", Role: "analyst", Tenants: []string{"acme"}, SQL: ticketsPerAccount},
		{Mode: Oracle, Tenants: []string{"beta"}, SQL: ticketsPerAccount},
		{Mode: Base, SQL: ticketsPerAccount},
	}
	kinds := func(scratch bool) map[Mode]string {
		out := map[Mode]string{}
		for ns, c := range s.conns {
			if ns.scratch == scratch {
				out[ns.mode] = relationKind(t, c, "accounts")
			}
		}
		return out
	}
	var plain []Result
	for _, x := range execs {
		r, err := s.run(ctx, x)
		if err != nil || r.Blocked || len(r.Rows) == 0 {
			t.Fatalf("%+v: %v %+v", x, err, r)
		}
		plain = append(plain, r)
	}
	if got := kinds(false); got[Live] != "table" || got[Oracle] != "table" || got[Base] != "view" {
		t.Errorf("unrestricted connections hold %v, want live and oracle tables, base views", got)
	}
	// a subset without the first ticket and its events: the
	// restriction applies
	rst := withoutFirstTicket(t, d, st)
	err := s.WithState(ctx, rst, func(Session) error {
		// the base namespace sees every tenant's tickets: one fewer
		r, err := s.run(ctx, execs[2])
		if err != nil {
			return err
		}
		if reflect.DeepEqual(r, plain[2]) {
			t.Errorf("a restricted base statement answers as on the whole state")
		}
		for _, x := range execs[:2] {
			if _, err := s.run(ctx, x); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(true); got[Live] != "view" || got[Oracle] != "view" || got[Base] != "view" {
		t.Errorf("scratch connections hold %v, want views", got)
	}
	// the unrestricted connections still answer as before
	for i, x := range execs {
		r, err := s.run(ctx, x)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(r, plain[i]) {
			t.Errorf("%+v changed after a restriction", x)
		}
	}
}

// An engine opened with ViewsOnly keeps its live and oracle namespaces as
// views, and answers as a materialized one.
func TestSQLiteViewsOnly(t *testing.T) {
	ctx := context.Background()
	d, st := supportState(t)
	x := Exec{Mode: Live, Containment: "correct", Role: "analyst", Tenants: []string{"acme"}, SQL: ticketsPerAccount}
	var results []Result
	for _, viewsOnly := range []bool{false, true} {
		s := openSQLiteSession(t, d, st, Options{ViewsOnly: viewsOnly})
		r, err := s.run(ctx, x)
		if err != nil || r.Blocked || len(r.Rows) == 0 {
			t.Fatalf("views only %v: %v %+v", viewsOnly, err, r)
		}
		results = append(results, r)
		want := map[bool]string{false: "table", true: "view"}[viewsOnly]
		for ns, c := range s.conns {
			if kind := relationKind(t, c, "accounts"); ns.mode == Live && kind != want {
				t.Errorf("views only %v: the live namespace holds a %s", viewsOnly, kind)
			}
		}
	}
	if !reflect.DeepEqual(results[0], results[1]) {
		t.Errorf("materialized and view namespaces answer differently:\n%+v\n%+v", results[0], results[1])
	}
}
