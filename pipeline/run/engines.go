package run

import (
	"context"
	"fmt"

	"github.com/policystrata/policystrata/pipeline/aimstate"
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/evaluate"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/pool"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// Engines are the databases a run uses: the main engine, the optional
// cross-check engine (the other one, same state), and the search states'
// DuckDB engines, each loaded when a search first needs it.
type engines struct {
	main   db.Engine
	cross  db.Engine
	probes []*lazyEngine
	// st is the suite's state: each worker that minimizes loads it into
	// a DuckDB engine of its own (restricting a session to a subset
	// rewrites the engine's mask tables, which concurrent sessions would
	// share).
	st *state.State
	d  *spec.Domain
	// embedded is the engine of the search and minimization databases
	embedded string
	// stats counts the database work of every engine but the cross-check's
	stats *db.Stats
}

// searchCacheEntries bounds the statement memos of each search state's
// engine (the main engine keeps db.DefaultCacheEntries).
const searchCacheEntries = 1024

// openEngine loads st into the named engine.
func openEngine(ctx context.Context, name, dsn string, d *spec.Domain, st *state.State, stats *db.Stats) (db.Engine, error) {
	switch name {
	case "", db.EngineSQLite, db.EngineDuckDB:
		return db.OpenEmbedded(ctx, name, d, st, layers.Containments(), db.Options{Stats: stats})
	case "postgres":
		if dsn == "" {
			return nil, fmt.Errorf("engine postgres needs a DSN (--pg-dsn or POLICYSTRATA_PG_DSN)")
		}
		return db.OpenPostgres(ctx, dsn, d, st, layers.Containments(), db.Options{Stats: stats})
	}
	return nil, fmt.Errorf("unknown engine %q (sqlite, duckdb, postgres)", name)
}

// embeddedOf is the embedded engine that holds a run's other databases
// (search states, minimization): the main engine when it is embedded, else
// the default.
func embeddedOf(name string) string {
	if name == db.EngineDuckDB {
		return name
	}
	return db.DefaultEngine
}

// crossOf is the engine a run on name is cross-checked against: DuckDB for
// SQLite and PostgreSQL, PostgreSQL for DuckDB.
func crossOf(name string) string {
	if name == db.EngineDuckDB {
		return "postgres"
	}
	return db.EngineDuckDB
}

func openEngines(ctx context.Context, cfg Config, st *state.State, ev *evaluate.Evaluator) (*engines, error) {
	e := &engines{}
	var err error
	e.stats, e.embedded = &db.Stats{}, embeddedOf(cfg.Engine)
	ev.Engine, ev.Stats = e.embedded, e.stats
	if e.main, err = openEngine(ctx, cfg.Engine, cfg.PGDSN, cfg.Domain, st, e.stats); err != nil {
		return nil, err
	}
	e.st, e.d = st, cfg.Domain
	if cfg.CrossCheck {
		// the cross-check's own statements are not counted
		if e.cross, err = openEngine(ctx, crossOf(e.main.Name()), cfg.PGDSN, cfg.Domain, st, nil); err != nil {
			e.close()
			return nil, fmt.Errorf("cross-check engine: %w", err)
		}
	}
	var probes []*evaluate.Probe
	var pstates []*state.State
	if !cfg.NoAimedStates {
		ev.State = st
		aimed, err := aimstate.Derive(cfg.Domain, st)
		if err != nil {
			e.close()
			return nil, err
		}
		for _, a := range aimed {
			probes = append(probes, &evaluate.Probe{Ref: trace.StateRef{Name: "aimed:" + a.Name, Seed: cfg.Source.StateSeed(), Derivation: a.Doc}})
			pstates = append(pstates, a.State)
		}
	}
	for k := 1; k <= cfg.ProbeStates; k++ {
		seed := ProbeSeed(cfg.Source.StateSeed(), k)
		pst, err := state.GenerateSeed(cfg.Domain, seed)
		if err != nil {
			e.close()
			return nil, fmt.Errorf("probe state %d: %w", k, err)
		}
		probes = append(probes, &evaluate.Probe{Ref: trace.StateRef{Name: fmt.Sprintf("random:%d", k), Seed: seed,
			Derivation: fmt.Sprintf("the suite's generator with seed %d", seed)}, Random: true})
		pstates = append(pstates, pst)
	}
	for i, pst := range pstates {
		name, pst := probes[i].Ref.Name, pst
		e.probes = append(e.probes, &lazyEngine{open: func(ctx context.Context) (db.Engine, error) {
			// a search state answers a few statements per searched task:
			// a small memo keeps the run's memory flat
			pe, err := db.OpenEmbedded(ctx, e.embedded, cfg.Domain, pst, layers.Containments(), db.Options{Stats: e.stats, CacheEntries: searchCacheEntries, ViewsOnly: true})
			if err != nil {
				return nil, fmt.Errorf("open search state %s: %w", name, err)
			}
			return pe, nil
		}})
		probes[i].Oracle = oracle.New(cfg.Domain, pst)
		ev.Probes = append(ev.Probes, probes[i])
	}
	return e, nil
}

func (e *engines) close() {
	for _, x := range []db.Engine{e.main, e.cross} {
		if x != nil {
			x.Close()
		}
	}
	for _, x := range e.probes {
		x.Close()
	}
}

// worker opens one connection on every engine.
func (e *engines) worker(ctx context.Context, ev *evaluate.Evaluator, min *evaluate.Minimizer, compact bool) (pool.Worker[indexed, *item], error) {
	sess, err := e.main.Session(ctx)
	if err != nil {
		return nil, err
	}
	w := &worker{sess: evaluate.Sessions{Main: sess}, ev: ev, min: min, compact: compact}
	if min != nil {
		// Through a local: a failed open returns a nil *DuckDB, which
		// stored in the interface field would not compare equal to nil
		// and w.Close would call Close on it (seen when a signal cancels
		// the run while workers start).
		eng, err := db.OpenEmbedded(ctx, e.embedded, e.d, e.st, layers.Containments(), db.Options{Restrictable: true, Stats: e.stats})
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("minimization engine: %w", err)
		}
		w.minEngine = eng
		if w.minSess, err = w.minEngine.Session(ctx); err != nil {
			w.Close()
			return nil, err
		}
	}
	if e.cross != nil {
		if w.cross, err = e.cross.Session(ctx); err != nil {
			w.Close()
			return nil, err
		}
	}
	for _, pe := range e.probes {
		w.sess.Probes = append(w.sess.Probes, &lazySession{eng: pe})
	}
	return w, nil
}
