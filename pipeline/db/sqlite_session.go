package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/policystrata/policystrata/pipeline/cell"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// sqliteSession is one worker's set of namespace connections.
type sqliteSession struct {
	e     *SQLite
	conns map[namespace]*nsConn
	// restriction, when set, is the WithState in progress
	restriction *sqliteRestriction
	// store is the storage the scratch connections share (nil until
	// WithState first needs it)
	store *nsConn
	// clock orders connection uses (least recently used goes first)
	clock int64
}

// maxConns bounds a session's open connections of each kind (scratch or
// not): a run whose tasks touch many (containment, role, tenant set)
// combinations keeps the most recently used ones, and a closed one reloads
// on its next use (from the image, or as views over the scratch store).
// The kinds are bounded apart so that the state search's scratch
// connections never push out the suite state's.
const maxConns = 24

// sqliteCacheKiB bounds each connection's page cache: the database is the
// deserialized image in memory already, so a large cache only copies it.
const sqliteCacheKiB = 256

// evict closes the least recently used connections of scratch's kind
// beyond maxConns-1.
func (s *sqliteSession) evict(scratch bool) {
	for {
		var oldest namespace
		n := 0
		for ns, c := range s.conns {
			if ns.scratch != scratch {
				continue
			}
			if n == 0 || c.used < s.conns[oldest].used {
				oldest = ns
			}
			n++
		}
		if n < maxConns {
			return
		}
		s.conns[oldest].close()
		delete(s.conns, oldest)
	}
}

// nsConn is one namespace's private database.
type nsConn struct {
	db   *sql.DB
	conn *sql.Conn
	// used is the session's clock at the connection's last use
	used int64
	// deps maps each table of the namespace to the storage tables its
	// view reads (the table's own and those of its ownership chain)
	deps map[string][]string
	// scratch holds what the scratch store's storage tables hold now (set
	// on the store's connection only)
	scratch *scratchContent
	// shared is set on a scratch namespace connection: its views read the
	// session's scratch store, not a storage of its own
	shared bool
	// uri names the scratch store's shared database (on the store's
	// connection)
	uri string
	// stmts are the connection's prepared statements by text: a
	// connection's namespace and tenants never change, so a statement
	// prepared on it means the same on every execution (the restrictions
	// change rows, not the schema)
	stmts map[string]*preparedStmt
	// tick orders the statements' uses, for evicting the least recent
	tick int64
}

// preparedStmt is one of a connection's prepared statements and when it
// was last used.
type preparedStmt struct {
	st   *sql.Stmt
	used int64
}

// maxPrepared bounds a connection's prepared statements, and
// maxScratchPrepared those of a scratch connection (which minimization
// restricts to one subset of the state after another, so the same texts
// come back with other rows). A connection that is never restricted sees a
// text again mostly when the result memo answers it: 32 statements each
// held about 15 MB of native memory over a compact run's connections and
// cost time to keep (generated 5,000 --compact --no-minimize, 4 against
// 32: peak 188 against 203 MiB, 0.95x the CPU, paired), while replays
// need them (generated 500 with defaults 1.07x the CPU at 4).
// maxStorePrepared bounds the scratch store's connection, which runs a few
// statements per storage table (empty it, delete rows by rowid, copy rows
// back by rowid or all of them, insert a derived table's rows) over and
// over: at 4 it prepared them again for almost every restriction
// (generated 500 with defaults: 4,900 of its statements prepared, ~1 ms of
// CPU per witness).
const (
	maxPrepared        = 4
	maxScratchPrepared = 32
	maxStorePrepared   = 64
)

// prepared returns text prepared on c.
func (c *nsConn) prepared(ctx context.Context, text string) (*sql.Stmt, error) {
	c.tick++
	if p, ok := c.stmts[text]; ok {
		p.used = c.tick
		return p.st, nil
	}
	limit := maxPrepared
	switch {
	case c.scratch != nil:
		limit = maxStorePrepared
	case c.shared:
		limit = maxScratchPrepared
	}
	if len(c.stmts) >= limit {
		c.evict()
	}
	st, err := c.conn.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	if c.stmts == nil {
		c.stmts = map[string]*preparedStmt{}
	}
	c.stmts[text] = &preparedStmt{st: st, used: c.tick}
	return st, nil
}

// evict closes the least recently used of c's prepared statements.
func (c *nsConn) evict() {
	var oldest string
	var at int64 = -1
	for text, p := range c.stmts {
		if at < 0 || p.used < at {
			oldest, at = text, p.used
		}
	}
	if at >= 0 {
		c.stmts[oldest].st.Close()
		delete(c.stmts, oldest)
	}
}

// close closes c's statements and connection, and returns the first
// error.
func (c *nsConn) close() error {
	c.closeStmts()
	err := c.conn.Close()
	if e := c.db.Close(); err == nil {
		err = e
	}
	return err
}

func (c *nsConn) closeStmts() {
	for _, p := range c.stmts {
		p.st.Close()
	}
	c.stmts = nil
}

// exec runs a statement through c's prepared statements.
func (c *nsConn) exec(ctx context.Context, text string, args ...any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st, err := c.prepared(ctx, text)
	if err == nil {
		_, err = st.ExecContext(uncancelled(ctx), args...)
	}
	return err
}

// uncancelled is ctx without its cancellation, for one statement: the
// driver watches a cancellable context from a goroutine of its own per
// statement, which costs more than the statement (on states of a few
// hundred rows every statement takes well under a millisecond); callers
// check ctx between statements instead.
func uncancelled(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

func (s *sqliteSession) Close() error {
	var first error
	for _, c := range s.conns {
		if err := c.close(); err != nil && first == nil {
			first = err
		}
	}
	s.conns = map[namespace]*nsConn{}
	if s.store != nil {
		// after the connections that read it
		if err := s.store.close(); err != nil && first == nil {
			first = err
		}
		s.store = nil
	}
	return first
}

// conn returns the connection of ns bound to tenants (ignored in the base
// namespace), loading its database on first use: a connection per
// namespace and tenant set, so no statement ever rebinds a session.
func (s *sqliteSession) conn(ctx context.Context, ns namespace, tenants []string) (*nsConn, error) {
	if ns.mode != Base {
		if err := checkTenants(tenants); err != nil {
			return nil, err
		}
		ns.tenants = strings.Join(tenants, "\x00")
	}
	s.clock++
	if c, ok := s.conns[ns]; ok {
		c.used = s.clock
		return c, nil
	}
	s.evict(ns.scratch)
	start := time.Now()
	stmts, deps, err := s.e.namespaceSQL(ns)
	if err != nil {
		return nil, err
	}
	dsn := ":memory:"
	if ns.scratch {
		store, err := s.openStore(ctx)
		if err != nil {
			return nil, err
		}
		dsn = store.uri
	}
	sdb, conn, err := openSQLiteConn(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open namespace: %w", err)
	}
	c := &nsConn{db: sdb, conn: conn, used: s.clock, deps: deps, shared: ns.scratch}
	fail := func(err error) (*nsConn, error) {
		c.close()
		return nil, fmt.Errorf("load namespace: %w", err)
	}
	if !ns.scratch {
		if err := deserialize(conn, s.e.image, "main"); err != nil {
			return fail(err)
		}
	}
	exec := func(stmts []string) error {
		for _, stmt := range stmts {
			if _, err := conn.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("%s: %w", firstLine(stmt), err)
			}
		}
		return nil
	}
	// the tenants table (stmts[0]) is filled before the views and tables
	// that read it
	if err := exec([]string{fmt.Sprintf("PRAGMA cache_size = -%d", sqliteCacheKiB), "PRAGMA temp_store = MEMORY", stmts[0]}); err != nil {
		return fail(err)
	}
	if ns.mode != Base {
		args := make([]any, len(tenants))
		marks := make([]string, len(tenants))
		for i, t := range tenants {
			args[i], marks[i] = t, "(?)"
		}
		if _, err := conn.ExecContext(ctx, "INSERT OR IGNORE INTO temp.ps_tenants VALUES "+strings.Join(marks, ", "), args...); err != nil {
			return fail(err)
		}
	}
	if err := exec(stmts[1:]); err != nil {
		return fail(err)
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA query_only = ON"); err != nil {
		return fail(err)
	}
	s.e.stats.add(StatLoad, len(stmts)+4, time.Since(start))
	s.conns[ns] = c
	return c, nil
}

// openSQLiteConn opens the database dsn through the engine's driver and
// holds its one connection.
func openSQLiteConn(ctx context.Context, dsn string) (*sql.DB, *sql.Conn, error) {
	sdb, err := sql.Open(sqliteDriver, dsn)
	if err != nil {
		return nil, nil, err
	}
	sdb.SetMaxOpenConns(1)
	conn, err := sdb.Conn(ctx)
	if err != nil {
		sdb.Close()
		return nil, nil, err
	}
	return sdb, conn, nil
}

// Run executes e.SQL in its namespace (memoized: the database is read-only).
func (s *sqliteSession) Run(ctx context.Context, e Exec) (Result, error) {
	return guardedRun(ctx, s.e.results, s, s.e.stats, s.run, e)
}

// execConn is the connection e runs on: its namespace's; inside WithState
// a scratch connection of the namespace, which reads the session's
// scratch store (holding the restriction's rows); the other connections
// always hold the loaded state.
func (s *sqliteSession) execConn(ctx context.Context, e Exec) (*nsConn, error) {
	ns := namespace{mode: e.Mode, scratch: s.restriction != nil}
	if e.Mode == Live {
		ns.containment, ns.role = e.Containment, e.Role
	}
	return s.conn(ctx, ns, e.Tenants)
}

// storageTables is the set of storage tables that statements on c naming
// tables read through c's views; ok is false when one of tables is not a
// table of c's namespace (what it reads is then unknown).
func (c *nsConn) storageTables(tables []string) (read map[string]bool, ok bool) {
	read = map[string]bool{}
	for _, t := range tables {
		deps, known := c.deps[strings.ToLower(t)]
		if !known {
			return nil, false
		}
		for _, d := range deps {
			read[d] = true
		}
	}
	return read, true
}

func (s *sqliteSession) run(ctx context.Context, e Exec) (Result, error) {
	c, err := s.execConn(ctx, e)
	if err != nil {
		return Result{}, err
	}
	info, err := s.Inspect(ctx, e.SQL)
	if err != nil {
		return Result{}, err
	}
	for _, t := range info.Tables {
		// the storage tables and SQLite's catalog are not part of any
		// namespace (DuckDB and PostgreSQL sessions cannot name them)
		lt := strings.ToLower(t)
		if strings.HasPrefix(lt, "__ps_") || strings.HasPrefix(lt, "sqlite_") || lt == "ps_tenants" {
			return Result{Blocked: true, Error: "no such table: " + t}, nil
		}
	}
	if err := s.applyRestriction(ctx, c, info.Tables); err != nil {
		return Result{}, err
	}
	start := time.Now()
	res, err := s.query(ctx, c, s.e.adapt(e.SQL), info.textColumns)
	s.e.stats.add(statOfMode(e.Mode), 1, time.Since(start))
	return res, err
}

// query runs text on c and normalizes the result as every engine does.
func (s *sqliteSession) query(ctx context.Context, c *nsConn, text string, textColumns []bool) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	st, err := c.prepared(ctx, text)
	var rows *sql.Rows
	if err == nil {
		rows, err = st.QueryContext(uncancelled(ctx))
	}
	if err != nil {
		return refused(ctx, err)
	}
	types, err := rows.ColumnTypes()
	if err != nil {
		rows.Close()
		return Result{}, fmt.Errorf("read columns: %w", err)
	}
	declared := make([]bool, len(types))
	for i, t := range types {
		declared[i] = t.DatabaseTypeName() != "" || (i < len(textColumns) && textColumns[i])
	}
	return readResult(ctx, rows, func(i int, v any) string { return sqliteCell(v, declared[i]) })
}

// sqliteCell normalizes one value: an expression's text in the storage form
// of a timestamp or an instant is the timestamp it stands for (DuckDB
// returns those as typed values); declared columns arrive typed already,
// and casts to text (declared too) are the text they are.
func sqliteCell(v any, declared bool) string {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	if s, ok := v.(string); ok && !declared && len(s) >= 19 && len(s) <= 35 && s[4] == '-' && s[10] == ' ' {
		if t, kind, ok := parseSQLiteTime(s); ok && kind != 'd' {
			return cell.Format(t)
		}
	}
	return cell.Format(v)
}

// Visible reports the rows and columns of table visible to a live session.
func (s *sqliteSession) Visible(ctx context.Context, containment, role string, tenants []string, table string) (Visibility, error) {
	return probeVisibility(ctx, s.e.visible, s.e.domain, s, containment, role, tenants, table, s.columnsOf(containment, role, tenants))
}

// columnsOf reads the columns of a live namespace's view from SQLite's
// catalog.
func (s *sqliteSession) columnsOf(containment, role string, tenants []string) grantedColumnsFunc {
	return func(ctx context.Context, t *spec.Table) ([]string, error) {
		key := "columns\x00" + containment + "\x00" + role + "\x00" + t.Name
		if v, ok := s.e.parses.get(key); ok {
			return append([]string{}, v.([]string)...), nil
		}
		c, err := s.conn(ctx, namespace{mode: Live, containment: containment, role: role}, tenants)
		if err != nil {
			return nil, err
		}
		rows, err := c.conn.QueryContext(ctx, "SELECT ? || '.' || name FROM pragma_table_info(?, 'temp') ORDER BY cid", t.Name, t.Name)
		if err != nil {
			return nil, fmt.Errorf("read columns of %s: %w", t.Name, err)
		}
		defer rows.Close()
		var cols []string
		for rows.Next() {
			var col string
			if err := rows.Scan(&col); err != nil {
				return nil, err
			}
			cols = append(cols, col)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		s.e.parses.put(key, append([]string{}, cols...))
		return cols, nil
	}
}

// Inspect answers what DuckDB's parser says of sql (the fast parser's
// answer where it recognizes the text, else json_serialize_sql's),
// memoized for the whole process: a parse depends on the text only.
func (s *sqliteSession) Inspect(ctx context.Context, text string) (SQLInfo, error) {
	memo := s.e.parses
	if memo.cap > 0 {
		memo = sharedParses
	}
	return memoParse(ctx, memo, s.e.stats, text, sqliteParse)
}

// deserialize loads a copy of image as conn's database schema.
func deserialize(conn *sql.Conn, image []byte, schema string) error {
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("not a SQLite connection")
		}
		return sc.Deserialize(image, schema)
	})
}
