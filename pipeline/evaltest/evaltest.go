// Package evaltest sets up a domain (built in, like support_saas, or a
// directory on disk), its generated state and an embedded DuckDB engine for
// tests and benchmarks of the database-backed stages.
package evaltest

import (
	"context"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// Env is a loaded domain with its oracle and a session on a fresh engine.
type Env struct {
	Domain  *spec.Domain
	State   *state.State
	Oracle  *oracle.Oracle
	Engine  db.Engine
	Session db.Session
}

// Setup loads domain name into a new DuckDB engine; everything is closed
// when tb ends.
func Setup(tb testing.TB, name string) *Env {
	tb.Helper()
	return SetupWith(tb, name, db.Options{})
}

// SetupWith is Setup with engine options.
func SetupWith(tb testing.TB, name string, opt db.Options) *Env {
	tb.Helper()
	d, err := domains.Load(name)
	if err != nil {
		tb.Fatal(err)
	}
	return open(tb, d, opt)
}

// SetupDir is Setup for the domain directory dir on disk (a domain that is
// not, or not yet, built in).
func SetupDir(tb testing.TB, dir string) *Env {
	tb.Helper()
	d, err := domains.LoadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return open(tb, d, db.Options{})
}

// SetupDomain is Setup for an already loaded (possibly edited) domain.
func SetupDomain(tb testing.TB, d *spec.Domain) *Env {
	tb.Helper()
	return open(tb, d, db.Options{})
}

// SetupState is Setup for domain d on the state st (a derived state, for
// instance).
func SetupState(tb testing.TB, d *spec.Domain, st *state.State) *Env {
	tb.Helper()
	return openState(tb, d, st, db.Options{})
}

// SetupSeed is Setup for domain d on the state its generator makes from
// seed (a generated suite's StateSeed).
func SetupSeed(tb testing.TB, d *spec.Domain, seed uint64) *Env {
	tb.Helper()
	st, err := state.GenerateSeed(d, seed)
	if err != nil {
		tb.Fatal(err)
	}
	return openState(tb, d, st, db.Options{})
}

// open generates d's state and loads it into a new DuckDB engine.
func open(tb testing.TB, d *spec.Domain, opt db.Options) *Env {
	tb.Helper()
	st, err := state.Generate(d)
	if err != nil {
		tb.Fatal(err)
	}
	return openState(tb, d, st, opt)
}

// SetupEngine is SetupWith on the named embedded engine (db.EngineSQLite
// or db.EngineDuckDB).
func SetupEngine(tb testing.TB, name, engine string, opt db.Options) *Env {
	tb.Helper()
	d, err := domains.Load(name)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := state.Generate(d)
	if err != nil {
		tb.Fatal(err)
	}
	return openEngine(tb, d, st, engine, opt)
}

// openState loads st into a new DuckDB engine.
func openState(tb testing.TB, d *spec.Domain, st *state.State, opt db.Options) *Env {
	tb.Helper()
	return openEngine(tb, d, st, db.EngineDuckDB, opt)
}

// openEngine loads st into a new engine of the named kind.
func openEngine(tb testing.TB, d *spec.Domain, st *state.State, engine string, opt db.Options) *Env {
	tb.Helper()
	ctx := context.Background()
	eng, err := db.OpenEmbedded(ctx, engine, d, st, layers.Containments(), opt)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { eng.Close() })
	sess, err := eng.Session(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sess.Close() })
	return &Env{Domain: d, State: st, Oracle: oracle.New(d, st), Engine: eng, Session: sess}
}
