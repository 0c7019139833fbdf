package db

import (
	"context"
	"testing"
)

// A sweep drops the objects of a run whose lease is free (its process died
// without Close) and leaves a live run's alone; the live run then closes
// cleanly.
func TestSweepDropsDeadRunsOnly(t *testing.T) {
	dsn := pgTestDSN(t)
	ctx := context.Background()
	d, st := supportState(t)
	open := func() *Postgres {
		e, err := OpenPostgres(ctx, dsn, d, st, []Containment{{Name: "v7"}}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	live, dead := open(), open()
	defer live.Close()
	// dead's process "dies": its lease connection ends, its objects stay
	if err := dead.lease.Close(ctx); err != nil {
		t.Fatal(err)
	}
	dead.parser.Close()
	if s, r := pgLeftovers(t, dsn, dead.obj.Suffix); len(s) == 0 || len(r) == 0 {
		t.Fatalf("the dead run's objects should exist before the sweep: %v %v", s, r)
	}
	rep, err := SweepPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if s, r := pgLeftovers(t, dsn, dead.obj.Suffix); len(s)+len(r) > 0 {
		t.Errorf("dead run left %v %v after the sweep (report %+v)", s, r, rep)
	}
	if s, r := pgLeftovers(t, dsn, live.obj.Suffix); len(s) != len(live.obj.Schemas()) || len(r) != len(live.obj.AppRoles()) {
		t.Errorf("the sweep touched the live run: %v %v", s, r)
	}
	found := false
	for _, l := range rep.Live {
		found = found || l == live.obj.Suffix
	}
	if !found {
		t.Errorf("live run %s not reported alive: %+v", live.obj.Suffix, rep.Live)
	}
	if err := live.Close(); err != nil {
		t.Fatal(err)
	}
	if s, r := pgLeftovers(t, dsn, live.obj.Suffix); len(s)+len(r) > 0 {
		t.Errorf("live run left %v %v after Close", s, r)
	}
}
