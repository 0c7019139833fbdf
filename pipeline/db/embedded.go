package db

import (
	"context"
	"fmt"

	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// The embedded engines (no server).
const (
	// EngineSQLite executes tasks at the lowest cost per statement: the
	// default.
	EngineSQLite = "sqlite"
	// EngineDuckDB is the embedded analytical engine: the cross-check of
	// SQLite and the engine of the scanner's database stage.
	EngineDuckDB = "duckdb"
)

// DefaultEngine is the engine a run uses when none is named.
const DefaultEngine = EngineSQLite

// OpenEmbedded loads domain d and state st into the named embedded engine
// ("" is DefaultEngine) with the containment variants cs. Every engine it
// opens can restrict a session to a subset of st (Restricter).
func OpenEmbedded(ctx context.Context, name string, d *spec.Domain, st *state.State, cs []Containment, opt Options) (Engine, error) {
	switch name {
	case "":
		return OpenEmbedded(ctx, DefaultEngine, d, st, cs, opt)
	case EngineSQLite:
		e, err := OpenSQLite(ctx, d, st, cs, opt)
		if err != nil {
			return nil, err
		}
		return e, nil
	case EngineDuckDB:
		e, err := OpenDuckDBWith(ctx, d, st, cs, opt)
		if err != nil {
			return nil, err
		}
		return e, nil
	}
	return nil, fmt.Errorf("unknown embedded engine %q (%s, %s)", name, EngineSQLite, EngineDuckDB)
}
