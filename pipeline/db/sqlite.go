package db

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// SQLite is the embedded engine with the lowest cost per statement (about
// 20 µs for a compiled query on a live namespace, against 1.7 ms on
// DuckDB; `make bench`): the default engine for task execution. Each
// session holds one private in-memory database per namespace it uses,
// loaded on first use:
// the base namespace, the oracle's, and one per (containment, role). A
// namespace is a set of TEMP views named like the domain's tables over
// storage tables named __ps_<table> (which also carry the owner the
// oracle computed for each row); live views filter rows by the same
// ownership predicates as the other engines, bound to a per-connection
// temp table holding the session's tenants, and expose only the role's
// granted columns. On a connection WithState never restricts, the live
// and oracle namespaces are TEMP tables filled by those views' queries
// when it loads (SQLite.materialize; Options.ViewsOnly keeps views). A
// connection serves one namespace and one tenant set (so nothing rebinds
// a session between statements). Every namespace connection runs with
// query_only on; WithState changes rows only through the session's scratch
// store (openStore), a connection that runs no statement of a namespace.
//
// SQL is parsed as on every engine (memoParse: DuckDB's parser's answer,
// from the fast parser where it recognizes the text) and adapted to
// SQLite's dialect by sqliteDialect.
type SQLite struct {
	domain       *spec.Domain
	st           *state.State
	containments map[string]Containment
	roles        []string
	dialect      *sqliteDialect
	// image is the serialized storage database (every storage table
	// filled with the state), deserialized into each namespace's
	// connection
	image []byte
	// parser is an in-memory DuckDB used only for Inspect
	parser                   *sql.DB
	results, parses, visible *lru
	// adapted memoizes the dialect's rewrite of each text (a statement
	// runs in several namespaces)
	adapted *lru
	stats   *Stats
	// viewsOnly keeps every namespace as views (Options.ViewsOnly)
	viewsOnly bool
}

// adaptedEntries bounds the memo of dialect rewrites.
const adaptedEntries = 1024

// adapt is the dialect's rewrite of text, memoized by the text's digest
// (compiled statements run to kilobytes).
func (e *SQLite) adapt(text string) string {
	key := textKey(text)
	if v, ok := e.adapted.get(key); ok {
		return v.(string)
	}
	out := e.dialect.adapt(text)
	e.adapted.put(key, out)
	return out
}

var registerSQLite sync.Once

// The parser shared by every SQLite engine of the process: an in-memory
// DuckDB used only for json_serialize_sql, and the memo of its parses (a
// parse is a pure function of the text, and the engines a run opens for
// search states and minimization see the same statements as its main one).
// DuckDB's native memory grows slowly with every statement it executes
// (EVAL_CARD, "Cost"), so the parser database is replaced by a fresh one
// after parserRecycle parses; a parse does not depend on which database
// made it, so outputs do not change.
var (
	parserMu     sync.RWMutex
	sharedParser *parserDB
	parserUses   atomic.Int64
	sharedParses = newLRU(sharedParseEntries)
)

// sharedParseEntries bounds the process's memo of parses. A text's
// parses come close together (its task's live, base and search-state
// statements), and the fast parser answers a miss in about 25 µs: with 512
// entries instead of 4,096, generated 5,000 --compact --no-minimize (one
// worker) parsed 4,987 texts instead of 4,559 (0.02 s more), for about 4 MB
// less of live heap.
const sharedParseEntries = 512

// parserDB is a parser database with its parse statement prepared once
// (preparing it for every parse cost about a third of the parse).
type parserDB struct {
	db   *sql.DB
	stmt *sql.Stmt
}

func (p *parserDB) close() {
	p.stmt.Close()
	p.db.Close()
}

// parse runs the prepared parse of text.
func (p *parserDB) parse(ctx context.Context, text string) *sql.Row {
	return p.stmt.QueryRowContext(ctx, text)
}

func newParserDB() (*parserDB, error) {
	d, err := newDuckDB()
	if err != nil {
		return nil, err
	}
	st, err := d.Prepare(parseSQL)
	if err != nil {
		d.Close()
		return nil, err
	}
	return &parserDB{db: d, stmt: st}, nil
}

// sqliteDriver is the database/sql name of the driver with the engine's
// functions registered on every connection.
const sqliteDriver = "policystrata-sqlite3"

// parserRecycle is how many parses one parser database serves.
var parserRecycle int64 = 20000

// withParser runs fn with the process's parser database. Parses share it
// under the read lock; the database is replaced under the write lock, so
// no parse ever runs on a closed one.
func withParser(fn func(*parserDB) error) error {
	for {
		parserMu.RLock()
		if p := sharedParser; p != nil && parserUses.Add(1) <= parserRecycle {
			defer parserMu.RUnlock()
			return fn(p)
		}
		parserMu.RUnlock()
		parserMu.Lock()
		if sharedParser == nil || parserUses.Load() >= parserRecycle {
			fresh, err := newParserDB()
			if err != nil {
				parserMu.Unlock()
				return fmt.Errorf("sql parser: %w", err)
			}
			if sharedParser != nil {
				sharedParser.close()
			}
			sharedParser = fresh
			parserUses.Store(0)
		}
		parserMu.Unlock()
	}
}

// sqliteParse parses text on the process's parser database.
func sqliteParse(ctx context.Context, text string) (SQLInfo, error) {
	var info SQLInfo
	err := withParser(func(parser *parserDB) error {
		var err error
		info, err = inspectDuck(ctx, parser.parse, text)
		return err
	})
	return info, err
}

// registerSQLiteDriver registers the engine's driver (sqliteDriver) once.
func registerSQLiteDriver() {
	registerSQLite.Do(func() {
		sql.Register(sqliteDriver, &sqlite3.SQLiteDriver{ConnectHook: registerSQLiteFuncs})
	})
}

// OpenSQLite prepares domain d's schema and state st for SQLite sessions
// (each session loads the namespaces it uses), with the containment
// variants cs.
func OpenSQLite(ctx context.Context, d *spec.Domain, st *state.State, cs []Containment, opt Options) (*SQLite, error) {
	registerSQLiteDriver()
	n := opt.CacheEntries
	if n == 0 {
		n = DefaultCacheEntries
	}
	e := &SQLite{domain: d, st: st, containments: map[string]Containment{}, roles: opt.Roles,
		dialect: newSQLiteDialect(d), adapted: newLRU(adaptedEntries), results: opt.resultMemo(n), parses: newLRU(n), visible: newLRU(n), stats: opt.Stats,
		viewsOnly: opt.ViewsOnly}
	if n < 0 {
		e.parses = newLRU(n)
	}
	for _, c := range cs {
		e.containments[c.Name] = c
	}
	if st == nil {
		return nil, fmt.Errorf("open sqlite: no state")
	}
	start := time.Now()
	img, n, err := e.buildImage(ctx)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	e.image = img
	e.stats.add(StatLoad, n, time.Since(start))
	return e, nil
}

// Name returns "sqlite".
func (e *SQLite) Name() string { return "sqlite" }

// Close does nothing: sessions hold their own databases, and the parser is
// the process's.
func (e *SQLite) Close() error { return nil }

// Session opens a session; its namespaces load on first use.
func (e *SQLite) Session(ctx context.Context) (Session, error) {
	return &sqliteSession{e: e, conns: map[namespace]*nsConn{}}, nil
}

// storeName is the storage table of table.
func storeName(table string) string { return quoteIdent("__ps_" + table) }

func sqliteType(t string) string {
	switch t {
	case "integer":
		return "INTEGER"
	case "boolean":
		return "BOOLEAN"
	case "date":
		return "DATE"
	case "timestamp":
		return "TIMESTAMP"
	}
	return "TEXT"
}

// sqliteValue is a state value in the engine's storage form.
func sqliteValue(typ string, v any) any {
	switch x := v.(type) {
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	case time.Time:
		u := x.UTC()
		if typ == "date" {
			return u.Format(sqliteDate)
		}
		if u.Nanosecond() != 0 {
			return u.Format("2006-01-02 15:04:05.999999999")
		}
		return u.Format(sqliteTimestamp)
	}
	return v
}

// namespace identifies the views a connection holds and the tenants they
// are bound to.
type namespace struct {
	mode              Mode
	containment, role string
	tenants           string
	// scratch is set for a copy whose storage tables WithState restricts
	scratch bool
}

// storageSQL renders the statements creating the storage tables.
func (e *SQLite) storageSQL() []string {
	var stmts []string
	for _, t := range e.domain.Schema.Tables {
		cols := make([]string, 0, len(t.Columns)+1)
		for _, c := range t.Columns {
			col := quoteIdent(c.Name) + " " + sqliteType(c.Type)
			if c.Name == t.PrimaryKey {
				col += " PRIMARY KEY"
			}
			cols = append(cols, col)
		}
		cols = append(cols, "__owner TEXT")
		stmts = append(stmts, fmt.Sprintf("CREATE TABLE main.%s (%s)", storeName(t.Name), strings.Join(cols, ", ")))
	}
	return stmts
}

// buildImage creates the storage tables on a scratch connection, fills
// them with the state and serializes the database. It returns the image
// and the statements it ran.
func (e *SQLite) buildImage(ctx context.Context) ([]byte, int, error) {
	sdb, err := sql.Open(sqliteDriver, ":memory:")
	if err != nil {
		return nil, 0, err
	}
	defer sdb.Close()
	conn, err := sdb.Conn(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer conn.Close()
	stmts := e.storageSQL()
	for _, stmt := range stmts {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return nil, 0, fmt.Errorf("%s: %w", firstLine(stmt), err)
		}
	}
	if err := e.fill(ctx, conn, e.st); err != nil {
		return nil, 0, err
	}
	known, err := sqliteFunctions(ctx, conn)
	if err != nil {
		return nil, 0, err
	}
	if err := e.checkSQLiteCompat(ctx, known); err != nil {
		return nil, 0, err
	}
	var img []byte
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("serialize: not a SQLite connection")
		}
		var err error
		img, err = c.Serialize("main")
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("serialize state: %w", err)
	}
	return img, len(stmts) + 1, nil
}

// storageRef matches a storage table in a view's definition.
var storageRef = regexp.MustCompile(`main\."__ps_((?:[^"]|"")+)"`)

// namespaceSQL renders the statements creating ns's temp objects on a
// connection holding the storage image: the tenants table and the views,
// with the storage tables each table's view reads.
func (e *SQLite) namespaceSQL(ns namespace) ([]string, map[string][]string, error) {
	stmts, err := e.namespaceStmts(ns)
	if err != nil {
		return nil, nil, err
	}
	deps := map[string][]string{}
	for _, t := range e.domain.Schema.Tables {
		deps[strings.ToLower(t.Name)] = nil
	}
	for _, st := range stmts {
		m := viewName.FindStringSubmatch(st)
		if m == nil {
			continue
		}
		name := strings.ToLower(strings.ReplaceAll(m[1], `""`, `"`))
		seen := map[string]bool{}
		for _, ref := range storageRef.FindAllStringSubmatch(st, -1) {
			tbl := strings.ReplaceAll(ref[1], `""`, `"`)
			if !seen[tbl] {
				seen[tbl] = true
				deps[name] = append(deps[name], tbl)
			}
		}
	}
	return stmts, deps, nil
}

// viewName matches the view a statement creates.
var viewName = regexp.MustCompile(`^CREATE TEMP VIEW "((?:[^"]|"")+)"`)

// materialize reports whether ns's tables are filled once when its
// connection loads instead of being views: a connection that WithState
// never restricts holds the loaded state for its whole life, bound to one
// tenant set, so its filtered views always return the same rows, and a
// table holding them costs SQLite less to plan and read than a view whose
// ownership predicate nests a subquery per foreign-key hop (generated
// 10,000 --compact --no-minimize, EVAL_CARD "Engines and cost"). The base
// namespace's views only project the storage tables, and an engine opened
// with Options.ViewsOnly keeps views everywhere.
func (e *SQLite) materialize(ns namespace) bool {
	return !e.viewsOnly && !ns.scratch && ns.mode != Base
}

// namespaceStmts renders ns's statements. The first creates the tenants
// table; the caller fills it before running the others (a materialized
// namespace's tables are filled through it).
func (e *SQLite) namespaceStmts(ns namespace) ([]string, error) {
	d := e.domain
	stmts := []string{"CREATE TEMP TABLE ps_tenants (id TEXT PRIMARY KEY)"}
	tenants := func() string { return "SELECT id FROM temp.ps_tenants" }
	ref := func(table string) string { return "main." + storeName(table) }
	// relation creates table t's view, or for a materialized namespace a
	// table with the storage table's declared types and primary key,
	// filled by the view's query
	relation := func(t *spec.Table, cols []string, query string) []string {
		quoted := make([]string, len(cols))
		for i, c := range cols {
			quoted[i] = quoteIdent(c)
		}
		sel := fmt.Sprintf("SELECT %s FROM %s", strings.Join(quoted, ", "), query)
		if !e.materialize(ns) {
			return []string{fmt.Sprintf("CREATE TEMP VIEW %s AS %s", quoteIdent(t.Name), sel)}
		}
		defs := make([]string, len(cols))
		for i, c := range cols {
			defs[i] = quoteIdent(c) + " " + sqliteType(t.Column(c).Type)
			if c == t.PrimaryKey {
				defs[i] += " PRIMARY KEY"
			}
		}
		return []string{
			fmt.Sprintf("CREATE TEMP TABLE %s (%s)", quoteIdent(t.Name), strings.Join(defs, ", ")),
			fmt.Sprintf("INSERT INTO temp.%s %s", quoteIdent(t.Name), sel),
		}
	}
	for _, t := range d.Schema.Tables {
		all := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			all[i] = c.Name
		}
		switch ns.mode {
		case Base:
			stmts = append(stmts, relation(t, all, ref(t.Name))...)
		case Oracle:
			stmts = append(stmts, relation(t, all, fmt.Sprintf("%s WHERE __owner IN (%s)", ref(t.Name), tenants()))...)
		case Live:
			c, ok := e.containments[ns.containment]
			if !ok {
				return nil, fmt.Errorf("unknown containment %q", ns.containment)
			}
			if d.Policy.Roles[ns.role] == nil || (e.roles != nil && !slices.Contains(e.roles, ns.role)) {
				return nil, fmt.Errorf("unknown role %q", ns.role)
			}
			cols := grantedColumns(d, c, ns.role, t.Name)
			if len(cols) == 0 {
				continue
			}
			pred, err := ownershipPredicate(d, c, t.Name, tenants, ref)
			if err != nil {
				return nil, err
			}
			pred = c.rowFilter(d, t.Name, pred)
			stmts = append(stmts, relation(t, cols, fmt.Sprintf("%s WHERE %s", ref(t.Name), pred))...)
		default:
			return nil, fmt.Errorf("unknown mode %d", ns.mode)
		}
	}
	return stmts, nil
}

// fill inserts st's rows (and their owners) into the storage tables on
// conn, in one transaction.
func (e *SQLite) fill(ctx context.Context, conn *sql.Conn, st *state.State) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, t := range e.domain.Schema.Tables {
		ct := st.Table(t.Name)
		if ct == nil {
			return fmt.Errorf("state has no table %s", t.Name)
		}
		if _, err := insertSQLiteRows(ctx, tx, t, ct, ct.Rows, ct.Owner); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// execer runs statements: a connection or a transaction.
type execer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// insertBatchParams bounds the parameters of one multi-row INSERT (SQLite
// allows 32,766; a row per statement would cost a driver round trip each).
const insertBatchParams = 960

// sqliteInsert is the multi-row INSERT of a storage table's rows: each
// row's columns and its owner.
type sqliteInsert struct {
	head, tuple string
	types       []string
}

// newSQLiteInsert prepares the INSERT of columns of t's storage table.
func newSQLiteInsert(t *spec.Table, columns []string) sqliteInsert {
	ins := sqliteInsert{types: make([]string, len(columns))}
	cols := make([]string, 0, len(columns)+1)
	for i, c := range columns {
		cols = append(cols, quoteIdent(c))
		if col := t.Column(c); col != nil {
			ins.types[i] = col.Type
		}
	}
	cols = append(cols, "__owner")
	ins.tuple = "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	ins.head = fmt.Sprintf("INSERT INTO main.%s (%s) VALUES ", storeName(t.Name), strings.Join(cols, ", "))
	return ins
}

// width is the parameters one row takes.
func (ins sqliteInsert) width() int { return len(ins.types) + 1 }

// text is the statement inserting n rows.
func (ins sqliteInsert) text(n int) string {
	return ins.head + strings.TrimSuffix(strings.Repeat(ins.tuple+", ", n), ", ")
}

// appendRow appends one row's parameters.
func (ins sqliteInsert) appendRow(args []any, row []any, owner string) []any {
	for j, v := range row {
		args = append(args, sqliteValue(ins.types[j], v))
	}
	return append(args, owner)
}

// insertSQLiteRows inserts rows of ct (with owners) into t's storage table,
// in order, several rows per statement, and returns the statements it ran.
func insertSQLiteRows(ctx context.Context, x execer, t *spec.Table, ct *state.Table, rows [][]any, owners []string) (int, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	ins := newSQLiteInsert(t, ct.Columns)
	per := max(1, insertBatchParams/ins.width())
	var stmt *sql.Stmt
	defer func() {
		if stmt != nil {
			stmt.Close()
		}
	}()
	args := make([]any, 0, per*ins.width())
	stmts := 0
	for start := 0; start < len(rows); start += per {
		n := min(per, len(rows)-start)
		if stmt == nil || n < per {
			if stmt != nil {
				stmt.Close()
			}
			var err error
			if stmt, err = x.PrepareContext(ctx, ins.text(n)); err != nil {
				return stmts, fmt.Errorf("insert %s: %w", t.Name, err)
			}
		}
		args = args[:0]
		for i := start; i < start+n; i++ {
			args = ins.appendRow(args, rows[i], owners[i])
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return stmts, fmt.Errorf("insert %s: %w", t.Name, err)
		}
		stmts++
	}
	return stmts, nil
}
