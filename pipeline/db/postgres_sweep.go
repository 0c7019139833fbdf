package db

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// A run holds a lease on its PostgreSQL objects: a session-level advisory
// lock, keyed by its name suffix, on a connection open for the engine's
// whole life. The server releases the lock when that connection ends,
// however the process ends (Close, a signal, kill -9, a lost machine), so
// objects whose lease is free belong to a dead run and may be dropped.

// leaseTag marks policystrata's advisory-lock keys ("ps" in the top bits).
const leaseTag = 0x7073

// runObjectRE matches the schemas and roles of a run: "ps_" and the run's
// 12 hex digit suffix.
var runObjectRE = regexp.MustCompile(`^ps_([0-9a-f]{12})(_|$)`)

// LeaseKey is the advisory-lock key of the run whose objects carry suffix
// (12 hex digits, as in ps_<suffix>_...): whoever holds it owns them, and
// SweepPostgres drops them once it is free. The scanner leases its schema
// with it too.
func LeaseKey(suffix string) (int64, error) {
	v, err := strconv.ParseUint(suffix, 16, 48)
	if err != nil {
		return 0, fmt.Errorf("lease key: suffix %q: %w", suffix, err)
	}
	return int64(leaseTag)<<48 | int64(v), nil
}

// takeLease opens the connection that holds the run's lease until it is
// closed.
func takeLease(ctx context.Context, cfg *pgx.ConnConfig, suffix string) (*pgx.Conn, error) {
	key, err := LeaseKey(suffix)
	if err != nil {
		return nil, err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg.Copy())
	if err != nil {
		return nil, fmt.Errorf("take lease: %w", err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("take lease: %w", err)
	}
	return conn, nil
}

// SweepReport says what SweepPostgres found: the schemas and roles it
// dropped, the suffixes of runs still alive (their lease is held), and the
// objects it could not drop, with why.
type SweepReport struct {
	Dropped []string          `json:"dropped"`
	Live    []string          `json:"live_runs"`
	Failed  map[string]string `json:"failed,omitempty"`
}

// SweepPostgres drops the schemas (in the DSN's database) and roles (on
// the server) of every run whose lease is free: runs that ended without
// cleaning up. Objects of runs still alive are left alone. A role that
// still holds privileges in another database cannot be dropped from this
// one: it is listed in Failed (sweep that database too).
func SweepPostgres(ctx context.Context, dsn string) (SweepReport, error) {
	rep := SweepReport{Dropped: []string{}, Live: []string{}, Failed: map[string]string{}}
	cfg, err := pgConfig(dsn)
	if err != nil {
		return rep, fmt.Errorf("sweep postgres: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return rep, fmt.Errorf("sweep postgres: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	schemas, err := runObjects(ctx, conn, "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname ~ '^ps_[0-9a-f]{12}'")
	if err != nil {
		return rep, err
	}
	roles, err := runObjects(ctx, conn, "SELECT rolname FROM pg_catalog.pg_roles WHERE rolname ~ '^ps_[0-9a-f]{12}'")
	if err != nil {
		return rep, err
	}
	suffixes := map[string]bool{}
	for s := range schemas {
		suffixes[s] = true
	}
	for s := range roles {
		suffixes[s] = true
	}
	order := make([]string, 0, len(suffixes))
	for s := range suffixes {
		order = append(order, s)
	}
	sort.Strings(order)
	for _, suffix := range order {
		key, err := LeaseKey(suffix)
		if err != nil {
			return rep, err
		}
		var free bool
		if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&free); err != nil {
			return rep, fmt.Errorf("sweep postgres: %w", err)
		}
		if !free {
			rep.Live = append(rep.Live, suffix)
			continue
		}
		drop := func(name, stmt string) {
			if _, err := conn.Exec(ctx, stmt); err != nil {
				rep.Failed[name] = err.Error()
				return
			}
			rep.Dropped = append(rep.Dropped, name)
		}
		for _, s := range schemas[suffix] {
			drop(s, "DROP SCHEMA IF EXISTS "+quoteIdent(s)+" CASCADE")
		}
		for _, r := range roles[suffix] {
			drop(r, "DROP ROLE IF EXISTS "+quoteIdent(r))
		}
		if _, err := conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", key); err != nil {
			return rep, fmt.Errorf("sweep postgres: %w", err)
		}
	}
	return rep, nil
}

// runObjects lists the names query returns by run suffix, sorted.
func runObjects(ctx context.Context, conn *pgx.Conn, query string) (map[string][]string, error) {
	rows, err := conn.Query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("sweep postgres: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("sweep postgres: %w", err)
	}
	sort.Strings(names)
	out := map[string][]string{}
	for _, n := range names {
		if m := runObjectRE.FindStringSubmatch(n); m != nil {
			out[m[1]] = append(out[m[1]], n)
		}
	}
	return out, nil
}

// ValidatePGDSN reports whether dsn parses as a PostgreSQL connection
// string (without connecting).
func ValidatePGDSN(dsn string) error {
	if _, err := pgx.ParseConfig(dsn); err != nil {
		return fmt.Errorf("invalid PostgreSQL DSN: %w", err)
	}
	return nil
}
