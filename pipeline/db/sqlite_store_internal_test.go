package db

import (
	"context"
	"reflect"
	"testing"
)

// A restriction changes the session's scratch store once for every
// namespace that reads it: after the base namespace's statement brought
// the tickets, the oracle's and a live namespace's statements on the same
// tables write nothing (each scratch connection had storage of its own
// before, and each was brought to the subset separately).
func TestSQLiteScratchStoreIsShared(t *testing.T) {
	ctx := context.Background()
	d, st := supportState(t)
	stats := &Stats{}
	s := openSQLiteSession(t, d, st, Options{Stats: stats, CacheEntries: -1})
	rst := withoutFirstTicket(t, d, st)
	execs := []Exec{
		{Mode: Base, SQL: ticketsPerAccount},
		{Mode: Oracle, Tenants: []string{"beta"}, SQL: ticketsPerAccount},
		{Mode: Live, Containment: "correct", Role: "analyst", Tenants: []string{"acme"}, SQL: ticketsPerAccount},
	}
	restricts := func() int64 { return stats.Lines()[StatRestrict].Executed }
	err := s.WithState(ctx, rst, func(Session) error {
		for i, x := range execs {
			before := restricts()
			if _, err := s.run(ctx, x); err != nil {
				return err
			}
			wrote := restricts() - before
			if i == 0 && wrote == 0 {
				t.Errorf("the first restricted statement wrote nothing")
			}
			if i > 0 && wrote != 0 {
				t.Errorf("the %s statement wrote %d restriction statements after the store was brought to the subset", []string{"base", "oracle", "live"}[i], wrote)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Two sessions of one engine restricted to different subsets at once see
// each their own rows: every session's store is a database of its own.
func TestSQLiteScratchStoresAreApart(t *testing.T) {
	ctx := context.Background()
	d, st := supportState(t)
	e, err := OpenSQLite(ctx, d, st, []Containment{{Name: "correct"}}, Options{CacheEntries: -1})
	if err != nil {
		t.Fatal(err)
	}
	open := func() Session {
		s, err := e.Session(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open(), open()
	q := Exec{Mode: Base, SQL: "SELECT count(*) FROM support_tickets"}
	full, err := a.Run(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	sub := withoutFirstTicket(t, d, st)
	err = a.(Restricter).WithState(ctx, sub, func(ra Session) error {
		fewer, err := ra.Run(ctx, q)
		if err != nil {
			return err
		}
		if reflect.DeepEqual(fewer, full) {
			t.Errorf("the restricted session counts the whole state's tickets")
		}
		return b.(Restricter).WithState(ctx, st, func(rb Session) error {
			all, err := rb.Run(ctx, q)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(all, full) {
				t.Errorf("a second session restricted to the whole state sees %v, want %v", all.Rows, full.Rows)
			}
			again, err := ra.Run(ctx, q)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(again, fewer) {
				t.Errorf("the first session's subset changed under the second's restriction: %v, want %v", again.Rows, fewer.Rows)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
