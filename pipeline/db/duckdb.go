package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/policystrata/policystrata/pipeline/cell"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// DuckDB is the embedded engine: one in-memory database per run.
type DuckDB struct {
	db     *sql.DB
	domain *spec.Domain
	// st is the loaded state (sessions may be restricted to subsets of it)
	st *state.State
	// masked: base tables are views over schema store filtered by each
	// table's mask variable (Options.Restrictable)
	masked bool
	// memos: statement results, parses and containment probes (each
	// depends only on its key: the database is read-only)
	results, parses, visible *lru
	stats                    *Stats
}

// Options tune an engine.
type Options struct {
	// CacheEntries bounds the result and parse memos (0: DefaultCacheEntries,
	// negative: no memo).
	CacheEntries int
	// Restrictable loads the base tables behind masking views so that a
	// session can be restricted to a subset of the state (WithState) by
	// setting one variable per table instead of deleting rows. For the
	// minimizer's engines; queries see exactly the same rows.
	Restrictable bool
	// Roles, when set, limits the live namespaces to these roles (a replay
	// needs only its principal's); nil builds every role's.
	Roles []string
	// Stats, when set, counts the engine's database work.
	Stats *Stats
	// NoResultMemo executes every statement, even one the session ran
	// before (parses stay memoized): for measuring execution.
	NoResultMemo bool
	// ViewsOnly keeps every SQLite namespace as views (see
	// SQLite.materialize): for an engine that serves a handful of
	// statements, where filling tables per connection costs more than it
	// saves.
	ViewsOnly bool
}

// resultMemo is the result memo opt asks for, of n entries.
func (opt Options) resultMemo(n int) *lru {
	if opt.NoResultMemo {
		return newLRU(0)
	}
	return newLRU(n)
}

// OpenDuckDB creates an in-memory DuckDB database holding domain d's schema
// and state, a view namespace per (containment, role), and the oracle's
// ownership-filtered namespace.
func OpenDuckDB(ctx context.Context, d *spec.Domain, st *state.State, containments []Containment) (*DuckDB, error) {
	return OpenDuckDBWith(ctx, d, st, containments, Options{})
}

// OpenDuckDBWith is OpenDuckDB with options.
func OpenDuckDBWith(ctx context.Context, d *spec.Domain, st *state.State, containments []Containment, opt Options) (*DuckDB, error) {
	sqldb, err := newDuckDB()
	if err != nil {
		return nil, fmt.Errorf("open duckdb: %w", err)
	}
	n := opt.CacheEntries
	if n == 0 {
		n = DefaultCacheEntries
	}
	e := &DuckDB{db: sqldb, domain: d, st: st, masked: opt.Restrictable, results: opt.resultMemo(n), parses: newLRU(n), visible: newLRU(n), stats: opt.Stats}
	start := time.Now()
	if err := e.load(ctx, st, containments, opt.Roles); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("load duckdb: %w", err)
	}
	e.stats.add(StatLoad, 1, time.Since(start))
	return e, nil
}

// newDuckDB opens a new single-threaded in-memory DuckDB database.
func newDuckDB() (*sql.DB, error) {
	connector, err := duckdb.NewConnector("?threads=1", nil)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(connector), nil
}

// Name returns "duckdb".
func (e *DuckDB) Name() string { return "duckdb" }

// Close releases the database.
func (e *DuckDB) Close() error { return e.db.Close() }

func duckType(t string) string {
	switch t {
	case "integer":
		return "BIGINT"
	case "text":
		return "VARCHAR"
	case "boolean":
		return "BOOLEAN"
	case "date":
		return "DATE"
	case "timestamp":
		return "TIMESTAMP"
	}
	return "VARCHAR"
}

func (e *DuckDB) load(ctx context.Context, st *state.State, containments []Containment, only []string) error {
	d := e.domain
	var stmts []string
	store := "base"
	if e.masked {
		store = "store"
		stmts = append(stmts, "CREATE SCHEMA store", "CREATE SCHEMA mask")
	}
	stmts = append(stmts, "CREATE SCHEMA base", "CREATE SCHEMA oracle_meta", "CREATE SCHEMA oracle",
		"CREATE TABLE oracle_meta.row_owner (tbl VARCHAR, pk VARCHAR, tenant VARCHAR)")
	stmts = append(stmts, dialectDuckDB(d)...)
	for _, t := range d.Schema.Tables {
		var cols []string
		for _, c := range t.Columns {
			col := quoteIdent(c.Name) + " " + duckType(c.Type)
			if c.Name == t.PrimaryKey {
				col += " PRIMARY KEY"
			}
			cols = append(cols, col)
		}
		sch := e.storeOf(t, store)
		stmts = append(stmts, fmt.Sprintf("CREATE TABLE %s.%s (%s)", sch, quoteIdent(t.Name), strings.Join(cols, ", ")))
		if sch != "base" {
			stmts = append(stmts, maskTableSQL(t), fmt.Sprintf("CREATE VIEW base.%s AS SELECT * FROM %s.%s WHERE %s", quoteIdent(t.Name), sch, quoteIdent(t.Name), maskPredicate(t)))
		}
	}
	if err := e.execAll(ctx, stmts); err != nil {
		return err
	}
	for _, t := range st.Tables {
		if err := e.insertRows(ctx, e.storeOf(d.Schema.Table(t.Name), store), t.Name, t.Rows); err != nil {
			return fmt.Errorf("insert %s: %w", t.Name, err)
		}
		owners := make([][]any, len(t.Rows))
		for i, r := range t.Rows {
			owners[i] = []any{t.Name, cell.Format(r[t.PK]), t.Owner[i]}
		}
		if err := e.insertRows(ctx, "oracle_meta", "row_owner", owners); err != nil {
			return fmt.Errorf("insert ownership of %s: %w", t.Name, err)
		}
	}
	// the oracle namespace: a copy of each table carrying the owner the
	// oracle computed for every row, filtered by the transaction's tenants
	stmts = nil
	for _, t := range d.Schema.Tables {
		sch, mask := e.storeOf(t, store), ""
		if sch != "base" {
			mask = " AND " + maskPredicate(t)
		}
		stmts = append(stmts,
			fmt.Sprintf("CREATE TABLE oracle_meta.%s AS SELECT b.*, o.tenant AS __owner FROM %s.%s b JOIN oracle_meta.row_owner o ON o.tbl = %s AND o.pk = CAST(b.%s AS VARCHAR)",
				quoteIdent(t.Name), sch, quoteIdent(t.Name), quoteLit(t.Name), quoteIdent(t.PrimaryKey)),
			fmt.Sprintf("CREATE VIEW oracle.%s AS SELECT * EXCLUDE (__owner) FROM oracle_meta.%s WHERE list_contains(getvariable('oracle_tenant_ids'), __owner)%s",
				quoteIdent(t.Name), quoteIdent(t.Name), mask))
	}
	appTenants := func() string { return "SELECT unnest(getvariable('app_tenant_ids'))" }
	for _, c := range containments {
		for _, role := range spec.SortedKeys(d.Policy.Roles) {
			if only != nil && !slices.Contains(only, role) {
				continue
			}
			vs, err := secureViewSQL(d, c, role, SchemaName(c.Name, role), appTenants)
			if err != nil {
				return err
			}
			stmts = append(stmts, vs...)
		}
	}
	return e.execAll(ctx, stmts)
}

func (e *DuckDB) execAll(ctx context.Context, stmts []string) error {
	for _, s := range stmts {
		if _, err := e.db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", firstLine(s), err)
		}
	}
	return nil
}

func firstLine(s string) string {
	if len(s) > 120 {
		return s[:120] + "..."
	}
	return s
}

// insertRows inserts rows in batches of literal VALUES.
// insertRows loads rows into schema.table through DuckDB's appender (no
// SQL text to parse: loading a state is dominated by parsing INSERT
// literals otherwise).
func (e *DuckDB) insertRows(ctx context.Context, schema, table string, rows [][]any) error {
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return appendRows(conn, schema, table, rows)
}

// appendRows appends rows to schema.table on conn with DuckDB's appender.
func appendRows(conn *sql.Conn, schema, table string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	return conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("append %s.%s: not a driver connection", schema, table)
		}
		a, err := duckdb.NewAppenderFromConn(c, schema, table)
		if err != nil {
			return err
		}
		vals := make([]driver.Value, 0, len(rows[0]))
		for _, r := range rows {
			vals = vals[:0]
			for _, v := range r {
				vals = append(vals, v)
			}
			if err := a.AppendRow(vals...); err != nil {
				a.Close()
				return fmt.Errorf("append %s.%s: %w", schema, table, err)
			}
		}
		return a.Close()
	})
}

// Session opens a dedicated connection.
func (e *DuckDB) Session(ctx context.Context) (Session, error) {
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("open session: %w", err)
	}
	return &duckSession{e: e, conn: conn}, nil
}

type duckSession struct {
	e    *DuckDB
	conn *sql.Conn
	// current session settings, to skip redundant SETs
	path, app, oracle string
	// masks are the mask variables currently set (masked engines)
	masks map[string]string
}

func (s *duckSession) Close() error { return s.conn.Close() }

func (s *duckSession) set(ctx context.Context, cur *string, stmt string) error {
	if *cur == stmt {
		return nil
	}
	start := time.Now()
	if _, err := s.conn.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("configure session: %w", err)
	}
	s.e.stats.add(StatConfigure, 1, time.Since(start))
	*cur = stmt
	return nil
}

func (s *duckSession) prepare(ctx context.Context, e Exec) error {
	switch e.Mode {
	case Live:
		if err := checkTenants(e.Tenants); err != nil {
			return err
		}
		if err := s.set(ctx, &s.app, "SET VARIABLE app_tenant_ids = "+listLit(e.Tenants)); err != nil {
			return err
		}
		return s.set(ctx, &s.path, "SET search_path = "+quoteLit(SchemaName(e.Containment, e.Role)))
	case Base:
		return s.set(ctx, &s.path, "SET search_path = 'base'")
	case Oracle:
		if err := checkTenants(e.Tenants); err != nil {
			return err
		}
		if err := s.set(ctx, &s.oracle, "SET VARIABLE oracle_tenant_ids = "+listLit(e.Tenants)); err != nil {
			return err
		}
		return s.set(ctx, &s.path, "SET search_path = 'oracle'")
	}
	return fmt.Errorf("unknown mode %d", e.Mode)
}

// Run executes e.SQL in its namespace (memoized: the database is read-only).
func (s *duckSession) Run(ctx context.Context, e Exec) (Result, error) {
	if err := s.clearMasks(ctx); err != nil {
		return Result{}, err
	}
	return guardedRun(ctx, s.e.results, s, s.e.stats, s.run, e)
}

func (s *duckSession) run(ctx context.Context, e Exec) (Result, error) {
	if err := s.prepare(ctx, e); err != nil {
		return Result{}, err
	}
	start := time.Now()
	defer func() { s.e.stats.add(statOfMode(e.Mode), 1, time.Since(start)) }()
	rows, err := s.conn.QueryContext(ctx, e.SQL)
	if err != nil {
		return refused(ctx, err)
	}
	return readResult(ctx, rows, func(_ int, v any) string { return cell.Format(v) })
}

// MaxResultRows bounds how many rows a statement may return before the
// engine stops reading it.
const MaxResultRows = 100000

// cleanError keeps the first line of a database error (no source excerpts).
func cleanError(err error) string {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return strings.TrimSpace(msg)
}

// Visible reports the rows and columns of table visible to a live session.
func (s *duckSession) Visible(ctx context.Context, containment, role string, tenants []string, table string) (Visibility, error) {
	if err := s.clearMasks(ctx); err != nil {
		return Visibility{}, err
	}
	return probeVisibility(ctx, s.e.visible, s.e.domain, s, containment, role, tenants, table, s.columnsOf(containment, role))
}

// columnsOf reads the columns a live session of containment and role may
// read from the engine's catalog.
func (s *duckSession) columnsOf(containment, role string) grantedColumnsFunc {
	return func(ctx context.Context, t *spec.Table) ([]string, error) {
		key := "columns\x00" + SchemaName(containment, role) + "\x00" + t.Name
		if v, ok := s.e.parses.get(key); ok {
			return append([]string{}, v.([]string)...), nil
		}
		res, err := s.run(ctx, Exec{Mode: Base, SQL: fmt.Sprintf(
			"SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s",
			quoteLit(SchemaName(containment, role)), quoteLit(t.Name))})
		if err != nil {
			return nil, err
		}
		if res.Blocked {
			return nil, fmt.Errorf("read columns of %s: %s", t.Name, res.Error)
		}
		cols := make([]string, len(res.Rows))
		for i, r := range res.Rows {
			cols[i] = r[0]
		}
		// a namespace's columns do not depend on the rows (or a restriction)
		s.e.parses.put(key, append([]string{}, cols...))
		return cols, nil
	}
}

// Inspect answers what DuckDB's parser says of sql (the fast parser's
// answer where it recognizes the text, else json_serialize_sql's).
func (s *duckSession) Inspect(ctx context.Context, text string) (SQLInfo, error) {
	return memoParse(ctx, s.e.parses, s.e.stats, text, s.inspect)
}

func (s *duckSession) inspect(ctx context.Context, text string) (SQLInfo, error) {
	return inspectDuck(ctx, parseOn(s.conn), text)
}
