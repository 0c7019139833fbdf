package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// Postgres is the PostgreSQL engine with real row-level security. Open loads
// the domain's schema and state into fresh schemas named with a per-run
// suffix: an unrestricted base schema, an oracle namespace of views filtered
// by an ownership table, and one schema per containment variant holding its
// own copy of the tables under FORCE ROW LEVEL SECURITY, read by NOLOGIN,
// non-owner application roles (one per variant and domain role) through
// column grants. Close drops every schema and role the run created.
type Postgres struct {
	cfg    *pgx.ConnConfig
	domain *spec.Domain
	obj    PGObjects
	// parser is an in-memory DuckDB used only for Inspect, so both engines
	// parse SQL identically.
	parser  *sql.DB
	stats   *Stats
	results *lru
	parses  *lru
	visible *lru
	// lease holds the run's advisory lock until Close (see takeLease).
	lease *pgx.Conn

	mu       sync.Mutex
	closed   bool
	closeErr error
}

// PGObjects names the schemas and roles a Postgres engine created. Every
// name starts with "ps_<Suffix>_", so concurrent runs never collide and a
// crashed run's leftovers are recognizable; Close drops all of them.
type PGObjects struct {
	// Suffix is the run's random suffix.
	Suffix string
	// Base holds the unrestricted tables (owned by the connecting user, no
	// row-level security).
	Base string
	// Oracle holds views of the base tables filtered by Meta's ownership
	// table, bound to the transaction's oracle tenants.
	Oracle string
	// Meta holds the oracle's ownership table.
	Meta string
	// Policy holds the SECURITY DEFINER functions that row-level security
	// policies call to follow the owner chain through base tables.
	Policy string
	// Compat holds DuckDB-compatibility functions on every search path.
	Compat string
	// Variants maps a containment variant to its schema.
	Variants map[string]string
	// Roles maps a containment variant and a domain role to the
	// application role a live session of that pair runs as.
	Roles map[string]map[string]string
}

// Schemas lists every schema the engine created.
func (o PGObjects) Schemas() []string {
	out := []string{o.Base, o.Oracle, o.Meta, o.Policy, o.Compat}
	for _, c := range spec.SortedKeys(o.Variants) {
		out = append(out, o.Variants[c])
	}
	return out
}

// AppRoles lists every application role the engine created.
func (o PGObjects) AppRoles() []string {
	var out []string
	for _, c := range spec.SortedKeys(o.Roles) {
		for _, r := range spec.SortedKeys(o.Roles[c]) {
			out = append(out, o.Roles[c][r])
		}
	}
	return out
}

// tenantSetting and oracleSetting are the transaction settings holding the
// session's tenants (comma-separated) for live and oracle reads.
const (
	tenantSetting = "app.tenant_id"
	oracleSetting = "policystrata.oracle_tenant_id"
)

// OpenPostgres connects to the server at dsn and loads domain d's schema and
// state st into fresh schemas of its own (see Postgres), with one schema and
// one set of application roles per containment variant. The connecting user
// must be allowed to create schemas in the database and roles on the server
// (a superuser, or a user with CREATEROLE). Loading is one transaction: a
// failed Open leaves nothing behind.
func OpenPostgres(ctx context.Context, dsn string, d *spec.Domain, st *state.State, containments []Containment, opt Options) (*Postgres, error) {
	suffix, err := newSuffix()
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return openPostgres(ctx, dsn, d, st, containments, opt, suffix)
}

func openPostgres(ctx context.Context, dsn string, d *spec.Domain, st *state.State, containments []Containment, opt Options, suffix string) (*Postgres, error) {
	cfg, err := pgConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	n := opt.CacheEntries
	if n == 0 {
		n = DefaultCacheEntries
	}
	e := &Postgres{cfg: cfg, domain: d, obj: pgNames(d, containments, suffix),
		results: newLRU(n), parses: newLRU(n), visible: newLRU(n), stats: opt.Stats}
	if e.parser, err = newDuckDB(); err != nil {
		return nil, fmt.Errorf("open postgres: sql parser: %w", err)
	}
	// drop what dead runs left behind (best effort: a user who may not
	// drop them still runs), then hold this run's lease before creating
	// anything, so that no sweep can take its objects for dead ones
	_, _ = SweepPostgres(ctx, dsn)
	if e.lease, err = takeLease(ctx, cfg, suffix); err != nil {
		e.parser.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg.Copy())
	if err != nil {
		e.parser.Close()
		e.lease.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := e.load(ctx, conn, st, containments); err != nil {
		e.parser.Close()
		defer e.lease.Close(context.WithoutCancel(ctx))
		// The load transaction rolled back. Should its COMMIT have
		// succeeded unacknowledged, drop the run's objects too (best
		// effort; only names carrying this run's random suffix).
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dropTimeout)
		_ = e.drop(dctx)
		cancel()
		return nil, fmt.Errorf("load postgres: %w", err)
	}
	return e, nil
}

// pgConfig parses dsn and pins the session settings result normalization
// and literal quoting rely on: UTC time zone, ISO dates, shortest-exact
// float text, standard-conforming strings (a backslash in a quoted literal
// is an ordinary character, so doubling quotes is the whole escaping, as on
// DuckDB, whatever the DSN or the server's defaults say), and no
// server-side prepared statements (statements run in changing roles and
// search paths).
func pgConfig(dsn string) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams["TimeZone"] = "UTC"
	cfg.RuntimeParams["DateStyle"] = "ISO, MDY"
	cfg.RuntimeParams["IntervalStyle"] = "postgres"
	cfg.RuntimeParams["extra_float_digits"] = "3"
	cfg.RuntimeParams["standard_conforming_strings"] = "on"
	cfg.RuntimeParams["backslash_quote"] = "off"
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "policystrata"
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	return cfg, nil
}

// newSuffix returns 12 random lowercase hex digits.
func newSuffix() (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// pgMaxIdent is PostgreSQL's identifier length limit (NAMEDATALEN - 1).
const pgMaxIdent = 63

// pgNamer derives unique, valid, lowercase identifiers.
type pgNamer struct{ used map[string]bool }

// name joins parts with "_", replaces anything but [a-z0-9_], shortens
// names over the identifier limit with a hash of the full name, and makes
// collisions (after sanitizing) unique with a counter.
func (n *pgNamer) name(parts ...string) string {
	s := identRE.ReplaceAllString(strings.ToLower(strings.Join(parts, "_")), "_")
	s = fitIdent(s, "")
	base := s
	for i := 2; n.used[s]; i++ {
		s = fitIdent(base, fmt.Sprintf("_%d", i))
	}
	n.used[s] = true
	return s
}

func fitIdent(s, tail string) string {
	if len(s)+len(tail) <= pgMaxIdent {
		return s + tail
	}
	h := fnv.New32a()
	h.Write([]byte(s))
	tag := fmt.Sprintf("_%08x", h.Sum32())
	return s[:pgMaxIdent-len(tail)-len(tag)] + tag + tail
}

// pgNames names a run's schemas and roles.
func pgNames(d *spec.Domain, containments []Containment, suffix string) PGObjects {
	n := &pgNamer{used: map[string]bool{}}
	pre := "ps_" + suffix
	o := PGObjects{Suffix: suffix, Base: n.name(pre, "base"), Oracle: n.name(pre, "oracle"), Meta: n.name(pre, "meta"),
		Policy: n.name(pre, "policy"), Compat: n.name(pre, "compat"), Variants: map[string]string{}, Roles: map[string]map[string]string{}}
	for _, c := range containments {
		o.Variants[c.Name] = n.name(pre, "v", c.Name)
	}
	for _, c := range containments {
		o.Roles[c.Name] = map[string]string{}
		for _, r := range spec.SortedKeys(d.Policy.Roles) {
			o.Roles[c.Name][r] = n.name(pre, c.Name, "", r)
		}
	}
	return o
}

// Name returns "postgres".
func (e *Postgres) Name() string { return "postgres" }

// Objects names the schemas and roles the engine created.
func (e *Postgres) Objects() PGObjects { return e.obj }

// Session opens a dedicated server connection.
func (e *Postgres) Session(ctx context.Context) (Session, error) {
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed {
		return nil, fmt.Errorf("open session: engine is closed")
	}
	conn, err := pgx.ConnectConfig(ctx, e.cfg.Copy())
	if err != nil {
		return nil, fmt.Errorf("open session: %w", err)
	}
	return &pgSession{e: e, conn: conn}, nil
}

// Close drops every schema and role the engine created and releases the
// parser. Close sessions first: dropping waits for their open transactions.
func (e *Postgres) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return e.closeErr
	}
	e.closed = true
	ctx, cancel := context.WithTimeout(context.Background(), dropTimeout)
	defer cancel()
	err := e.drop(ctx)
	if err == nil {
		// only once the objects are gone: a failed drop leaves them to
		// the next sweep when this process ends
		if lerr := e.lease.Close(ctx); lerr != nil {
			err = fmt.Errorf("close postgres: release lease: %w", lerr)
		}
	}
	if perr := e.parser.Close(); err == nil && perr != nil {
		err = fmt.Errorf("close postgres: %w", perr)
	}
	e.closeErr = err
	return err
}

// dropTimeout bounds dropping a run's objects.
const dropTimeout = 2 * time.Minute

// drop removes the run's schemas (with everything in them) and then its
// roles, in one transaction.
func (e *Postgres) drop(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, e.cfg.Copy())
	if err != nil {
		return fmt.Errorf("drop postgres objects: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	stmts := []string{"BEGIN"}
	for _, s := range e.obj.Schemas() {
		stmts = append(stmts, "DROP SCHEMA IF EXISTS "+quoteIdent(s)+" CASCADE")
	}
	for _, r := range e.obj.AppRoles() {
		stmts = append(stmts, "DROP ROLE IF EXISTS "+quoteIdent(r))
	}
	stmts = append(stmts, "COMMIT")
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			_, _ = conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
			return fmt.Errorf("drop postgres objects: %s: %w", firstLine(s), err)
		}
	}
	return nil
}
