package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/policystrata/policystrata/pipeline/cell"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// sqliteSession is one worker's set of namespace connections.
type sqliteSession struct {
	e     *SQLite
	conns map[namespace]*nsConn
	// restriction, when set, is the WithState in progress
	restriction *sqliteRestriction
	// clock orders connection uses (least recently used goes first)
	clock int64
}

// maxConns bounds a session's open connections: a run whose tasks touch
// many (containment, role, tenant set) combinations keeps the most
// recently used ones, and a closed one reloads from the image on its next
// use (about the cost of one statement).
const maxConns = 24

// sqliteCacheKiB bounds each connection's page cache: the database is the
// deserialized image in memory already, so a large cache only copies it.
const sqliteCacheKiB = 256

// evict closes the least recently used connections beyond maxConns-1.
func (s *sqliteSession) evict() {
	for len(s.conns) >= maxConns {
		var oldest namespace
		first := true
		for ns, c := range s.conns {
			if first || c.used < s.conns[oldest].used {
				oldest, first = ns, false
			}
		}
		c := s.conns[oldest]
		c.closeStmts()
		c.conn.Close()
		c.db.Close()
		delete(s.conns, oldest)
	}
}

// nsConn is one namespace's private database.
type nsConn struct {
	db   *sql.DB
	conn *sql.Conn
	// restricted is the tag of the restriction applied in the open
	// savepoint ("" when none)
	restricted string
	// used is the session's clock at the connection's last use
	used int64
	// deps maps each table of the namespace to the storage tables its
	// view reads (the table's own and those of its ownership chain)
	deps map[string][]string
	// done lists the tables the open savepoint has restricted
	done map[string]bool
	// stmts are the connection's prepared statements by text: a
	// connection's namespace and tenants never change, so a statement
	// prepared on it means the same on every execution (the restrictions
	// change rows, not the schema)
	stmts map[string]*sql.Stmt
}

// maxPrepared bounds a connection's prepared statements.
const maxPrepared = 32

// prepared returns text prepared on c.
func (c *nsConn) prepared(ctx context.Context, text string) (*sql.Stmt, error) {
	if st, ok := c.stmts[text]; ok {
		return st, nil
	}
	if len(c.stmts) >= maxPrepared {
		c.closeStmts()
	}
	st, err := c.conn.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[text] = st
	return st, nil
}

func (c *nsConn) closeStmts() {
	for _, st := range c.stmts {
		st.Close()
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
		c.closeStmts()
		if err := c.conn.Close(); err != nil && first == nil {
			first = err
		}
		if err := c.db.Close(); err != nil && first == nil {
			first = err
		}
	}
	s.conns = map[namespace]*nsConn{}
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
	s.evict()
	start := time.Now()
	stmts, deps, err := s.e.namespaceSQL(ns)
	if err != nil {
		return nil, err
	}
	sdb, err := sql.Open(sqliteDriver, ":memory:")
	if err != nil {
		return nil, fmt.Errorf("open namespace: %w", err)
	}
	sdb.SetMaxOpenConns(1)
	conn, err := sdb.Conn(ctx)
	if err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open namespace: %w", err)
	}
	c := &nsConn{db: sdb, conn: conn, used: s.clock, deps: deps}
	fail := func(err error) (*nsConn, error) {
		conn.Close()
		sdb.Close()
		return nil, fmt.Errorf("load namespace: %w", err)
	}
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("not a SQLite connection")
		}
		return sc.Deserialize(s.e.image, "main")
	})
	if err != nil {
		return fail(err)
	}
	stmts = append([]string{fmt.Sprintf("PRAGMA cache_size = -%d", sqliteCacheKiB)}, stmts...)
	for _, stmt := range stmts {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fail(fmt.Errorf("%s: %w", firstLine(stmt), err))
		}
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
	if _, err := conn.ExecContext(ctx, "PRAGMA query_only = ON"); err != nil {
		return fail(err)
	}
	s.e.stats.add(StatLoad, len(stmts)+3, time.Since(start))
	s.conns[ns] = c
	return c, nil
}

// Run executes e.SQL in its namespace (memoized: the database is read-only).
func (s *sqliteSession) Run(ctx context.Context, e Exec) (Result, error) {
	return guardedRun(ctx, s.e.results, s, s.e.stats, s.run, e)
}

func (s *sqliteSession) run(ctx context.Context, e Exec) (Result, error) {
	ns := namespace{mode: e.Mode}
	if e.Mode == Live {
		ns.containment, ns.role = e.Containment, e.Role
	}
	c, err := s.conn(ctx, ns, e.Tenants)
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

// Inspect parses sql with DuckDB's json_serialize_sql (memoized for the
// whole process: a parse depends on the text only).
func (s *sqliteSession) Inspect(ctx context.Context, text string) (SQLInfo, error) {
	memo := s.e.parses
	if memo.cap > 0 {
		memo = sharedParses
	}
	return memoParse(ctx, memo, s.e.stats, text, sqliteParse)
}

// sqliteRestriction is a WithState in progress: the statements that turn
// the loaded state into the subset, applied to each namespace connection
// when it is first used inside it.
type sqliteRestriction struct {
	tag  string
	plan []sqliteRestrictOp
}

// sqliteRestrictOp empties a table down to keep (the listed primary keys,
// the rows idx of the loaded table loaded), or replaces a derived table's
// rows.
type sqliteRestrictOp struct {
	table  *spec.Table
	keep   []string
	idx    []int
	loaded *state.Table
	// rows replace the table's rows when set (derived tables)
	rows    *state.Table
	replace bool
}

// sparseRestriction: a restriction that keeps at most 1/sparseRestriction
// of a table's rows empties the table and inserts them again, instead of
// deleting the others one by one.
const sparseRestriction = 4

// reinsertSQLiteRows inserts rows idx of the loaded table lt (with their
// owners) into t's emptied storage table at the rowids the image gave them
// (the table's primary key when it is an integer, else the row's position
// plus one), so the table reads back exactly as the image's rows would. It
// returns the statements it ran: rows go in batches of reinsertBatches
// sizes (a few texts per table, each prepared once per connection).
func reinsertSQLiteRows(ctx context.Context, c *nsConn, t *spec.Table, lt *state.Table, idx []int) (int, error) {
	pk := t.Column(t.PrimaryKey)
	ins := newSQLiteInsert(t, lt.Columns, pk == nil || sqliteType(pk.Type) != "INTEGER")
	args := make([]any, 0, reinsertBatches[0]*ins.width())
	stmts := 0
	for len(idx) > 0 {
		n := 1
		for _, b := range reinsertBatches {
			if len(idx) >= b {
				n = b
				break
			}
		}
		args = args[:0]
		for _, i := range idx[:n] {
			args = ins.appendRow(args, lt.Rows[i], lt.Owner[i], int64(i+1))
		}
		if err := c.exec(ctx, ins.text(n), args...); err != nil {
			return stmts, fmt.Errorf("insert %s: %w", t.Name, err)
		}
		stmts++
		idx = idx[n:]
	}
	return stmts, nil
}

// reinsertBatches are the batch sizes reinsertSQLiteRows uses, largest
// first.
var reinsertBatches = []int{64, 16, 4, 1}

// WithState runs fn with a session that sees only st's rows: each
// namespace connection fn uses is restricted inside a savepoint rolled back
// when fn returns.
func (s *sqliteSession) WithState(ctx context.Context, st *state.State, fn func(Session) error) (err error) {
	if s.restriction != nil {
		return fmt.Errorf("restrict state: already restricted")
	}
	d, loaded := s.e.domain, s.e.st
	var plan []sqliteRestrictOp
	var tag []string
	for _, t := range d.Schema.Tables {
		lt, ct := loaded.Table(t.Name), st.Table(t.Name)
		if lt == nil || ct == nil {
			return fmt.Errorf("restrict state: table %s missing", t.Name)
		}
		keep, idx, subset := subsetRows(lt, ct)
		switch {
		case subset && len(keep) == len(lt.Rows):
			continue
		case subset:
			plan = append(plan, sqliteRestrictOp{table: t, keep: keep, idx: idx, loaded: lt})
			tag = append(tag, t.Name+"="+strings.Join(keep, ","))
		case t.MaterializedView != nil:
			plan = append(plan, sqliteRestrictOp{table: t, rows: ct, replace: true})
			var b strings.Builder
			for i, r := range ct.Rows {
				for _, v := range r {
					b.WriteString(cell.Format(v))
					b.WriteByte(1)
				}
				b.WriteString(ct.Owner[i])
				b.WriteByte(2)
			}
			tag = append(tag, t.Name+"~"+b.String())
		default:
			return fmt.Errorf("restrict state: table %s: rows are not a subset of the loaded state", t.Name)
		}
	}
	if len(plan) == 0 {
		return fn(s)
	}
	sum := sha256.Sum256([]byte(strings.Join(tag, "\x00")))
	s.restriction = &sqliteRestriction{tag: "\x01" + hex.EncodeToString(sum[:16]) + "\x00", plan: plan}
	defer func() {
		s.restriction = nil
		for _, c := range s.conns {
			if c.restricted == "" {
				continue
			}
			c.restricted, c.done = "", nil
			bg := context.WithoutCancel(ctx)
			for _, stmt := range []string{"ROLLBACK TO ps_restrict", "RELEASE ps_restrict", "PRAGMA query_only = ON"} {
				if e := c.exec(bg, stmt); e != nil && err == nil {
					err = fmt.Errorf("restrict state: end: %w", e)
				}
			}
		}
	}()
	return fn(&restrictedSession{tag: s.restriction.tag, results: s.e.results, visible: s.e.visible, stats: s.e.stats,
		domain: s.e.domain, run: s.run, inspect: s.Inspect, columns: s.columnsOf})
}

// applyRestriction restricts c to the restriction in progress, if any,
// as far as a statement reading tables needs: the rows of the storage
// tables their views read (a table the namespace does not know restricts
// everything). Tables restricted earlier in the same savepoint stay so.
func (s *sqliteSession) applyRestriction(ctx context.Context, c *nsConn, tables []string) error {
	r := s.restriction
	if r == nil {
		return nil
	}
	start := time.Now()
	n := 0
	exec := func(stmt string, args ...any) error {
		n++
		if err := c.exec(ctx, stmt, args...); err != nil {
			return fmt.Errorf("restrict state: %s: %w", firstLine(stmt), err)
		}
		return nil
	}
	if c.restricted != r.tag {
		// query_only stays off until the savepoint is rolled back: the
		// guard admits only single SELECTs, and the rollback undoes the
		// savepoint's writes whatever they are
		if err := exec("PRAGMA query_only = OFF"); err != nil {
			return err
		}
		if err := exec("SAVEPOINT ps_restrict"); err != nil {
			return err
		}
		c.restricted, c.done = r.tag, map[string]bool{}
	}
	need := map[string]bool{}
	for _, t := range tables {
		deps, ok := c.deps[strings.ToLower(t)]
		if !ok {
			for _, op := range r.plan {
				need[op.table.Name] = true
			}
			break
		}
		for _, d := range deps {
			need[d] = true
		}
	}
	for _, op := range r.plan {
		if !need[op.table.Name] || c.done[op.table.Name] {
			continue
		}
		c.done[op.table.Name] = true
		tbl := "main." + storeName(op.table.Name)
		if op.replace {
			if err := exec("DELETE FROM " + tbl); err != nil {
				return err
			}
			if err := insertSQLiteRows(ctx, c.conn, op.table, op.rows, op.rows.Rows, op.rows.Owner); err != nil {
				return fmt.Errorf("restrict state: %w", err)
			}
			n += sqliteInsertStatements(len(op.rows.Rows), newSQLiteInsert(op.table, op.rows.Columns, false).width())
			continue
		}
		if len(op.idx)*sparseRestriction <= len(op.loaded.Rows) {
			// few rows kept: empty the table (SQLite drops its pages
			// whole) and insert the kept rows again, at their rowids
			if err := exec("DELETE FROM " + tbl); err != nil {
				return err
			}
			k, err := reinsertSQLiteRows(ctx, c, op.table, op.loaded, op.idx)
			if err != nil {
				return fmt.Errorf("restrict state: %w", err)
			}
			n += k
			continue
		}
		// one text per table (the kept keys are a JSON parameter), so the
		// connection prepares it once for every restriction
		keys, err := json.Marshal(op.keep)
		if err != nil {
			return fmt.Errorf("restrict state: %w", err)
		}
		if err := exec(fmt.Sprintf("DELETE FROM %s WHERE CAST(%s AS TEXT) NOT IN (SELECT value FROM json_each(?))", tbl, quoteIdent(op.table.PrimaryKey)), string(keys)); err != nil {
			return err
		}
	}
	if n > 0 {
		s.e.stats.add(StatRestrict, n, time.Since(start))
	}
	return nil
}
