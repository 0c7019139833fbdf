package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/policystrata/policystrata/pipeline/cell"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// sqliteRestriction is a WithState in progress: what each table holds in
// the subset, applied to the session's scratch store as far as the
// statements run inside it read.
type sqliteRestriction struct {
	tag string
	// ops holds the tables the subset changes, by name; a table without an
	// op holds the loaded state's rows
	ops map[string]*sqliteRestrictOp
	// pieces are the tag's parts by table (for the tables with an op)
	pieces map[string]string
}

// sqliteRestrictOp is one table of a restriction: the loaded rows idx it
// keeps (increasing), or, for a derived table (any table in WithAnyState)
// whose rows are not the loaded ones, the rows that replace them.
type sqliteRestrictOp struct {
	idx []int
	// rows replace the table's rows when set; content tags them
	rows    *state.Table
	content string
}

// scratchContent is what the scratch store's storage tables hold: the
// store is never rolled back, so the next restriction starts from the
// previous one's rows and changes only what differs (the state search's
// candidates differ from one another by a few rows).
type scratchContent struct {
	// tables holds the tables that differ from the loaded state
	tables map[string]tableContent
	// tag is the restriction the store was last brought to, and done
	// the tables already brought to it
	tag  string
	done map[string]bool
}

// tableContent is one storage table's rows in the scratch store: the
// loaded rows idx (increasing), or replaced rows tagged by content.
type tableContent struct {
	idx      []int
	replaced string
}

// WithState runs fn with a session that sees only st's rows: statements
// inside fn run on scratch connections of their namespaces, whose views
// read the session's scratch store, brought to st's rows (for the tables
// the statement reads) when it is used.
func (s *sqliteSession) WithState(ctx context.Context, st *state.State, fn func(Session) error) error {
	return s.withState(ctx, st, false, fn)
}

// WithAnyState runs fn with a session that sees exactly st's rows: as
// WithState, with every table whose rows are not a subset of the loaded
// ones replaced whole in the scratch store (inserted in st's order, as a
// database loaded with st holds them).
func (s *sqliteSession) WithAnyState(ctx context.Context, st *state.State, fn func(Session) error) error {
	return s.withState(ctx, st, true, fn)
}

// withState restricts the session to st; replace lets a base table's rows be
// other than a subset of the loaded ones (they replace the table's).
func (s *sqliteSession) withState(ctx context.Context, st *state.State, replace bool, fn func(Session) error) error {
	if s.restriction != nil {
		return fmt.Errorf("restrict state: already restricted")
	}
	d, loaded := s.e.domain, s.e.st
	ops := map[string]*sqliteRestrictOp{}
	pieces := map[string]string{}
	var tag []string
	stateTag := ""
	for _, t := range d.Schema.Tables {
		lt, ct := loaded.Table(t.Name), st.Table(t.Name)
		if lt == nil || ct == nil {
			return fmt.Errorf("restrict state: table %s missing", t.Name)
		}
		keep, idx, subset := subsetRows(lt, ct)
		if subset && replace {
			// a state of its own may keep a row and change its owner (an
			// account moved to another tenant moves the rows below it);
			// a subset of the loaded state never does
			subset = sameOwners(lt, ct, idx)
		}
		switch {
		case subset && len(keep) == len(lt.Rows):
			continue
		case subset:
			ops[t.Name] = &sqliteRestrictOp{idx: idx}
			pieces[t.Name] = t.Name + "=" + strings.Join(keep, ",")
			tag = append(tag, pieces[t.Name])
		case replace:
			// a state derived for one task: its replaced tables are
			// tagged by the call, not by their content (hashing thousands
			// of rows cost more than the statements they answer, and such
			// a state rarely comes back)
			if stateTag == "" {
				stateTag = "state" + strconv.FormatInt(replacedSeq.Add(1), 10)
			}
			ops[t.Name] = &sqliteRestrictOp{rows: ct, content: stateTag}
			pieces[t.Name] = t.Name + "~" + stateTag
			tag = append(tag, pieces[t.Name])
		case t.MaterializedView != nil:
			var b strings.Builder
			for i, r := range ct.Rows {
				for _, v := range r {
					b.WriteString(cell.Format(v))
					b.WriteByte(1)
				}
				b.WriteString(ct.Owner[i])
				b.WriteByte(2)
			}
			sum := sha256.Sum256([]byte(b.String()))
			content := hex.EncodeToString(sum[:16])
			ops[t.Name] = &sqliteRestrictOp{rows: ct, content: content}
			pieces[t.Name] = t.Name + "~" + content
			tag = append(tag, pieces[t.Name])
		default:
			return fmt.Errorf("restrict state: table %s: rows are not a subset of the loaded state", t.Name)
		}
	}
	if len(ops) == 0 {
		return fn(s)
	}
	s.restriction = &sqliteRestriction{tag: restrictionTag(tag), ops: ops, pieces: pieces}
	defer func() { s.restriction = nil }()
	results, visible := s.e.results, s.e.visible
	if stateTag != "" {
		// no later call sees these rows: memos of the call's own, freed
		// with it, keep its results out of the engine's
		results, visible = newLRU(replacedMemoEntries), newLRU(replacedMemoEntries)
	}
	return fn(&restrictedSession{tag: s.restriction.tag, results: results, visible: visible, stats: s.e.stats,
		domain: s.e.domain, run: s.run, inspect: s.Inspect, columns: s.columnsOf, resultTag: s.resultTag})
}

// sameOwners reports whether ct's rows, the loaded rows idx of lt, have
// their loaded owners.
func sameOwners(lt, ct *state.Table, idx []int) bool {
	for i, j := range idx {
		if ct.Owner[i] != lt.Owner[j] {
			return false
		}
	}
	return true
}

// replacedMemoEntries bounds the result and visibility memos of one
// WithAnyState call (a task's faulty and correct stacks run a few dozen
// statements there).
const replacedMemoEntries = 256

// replacedSeq numbers the process's WithAnyState calls (their replaced
// tables' content tags).
var replacedSeq atomic.Int64

// restrictionTag is the memo prefix of a restriction made of pieces (one
// per changed table, in schema order).
func restrictionTag(pieces []string) string {
	sum := sha256.Sum256([]byte(strings.Join(pieces, "\x00")))
	return "\x01" + hex.EncodeToString(sum[:16]) + "\x00"
}

// resultTag is the memo prefix of statement e's result inside the
// restriction in progress: the restriction's pieces for the storage tables
// the statement reads (through its namespace's views), which is all a
// result can depend on, as applyRestriction brings only those tables. Two
// subsets that differ only in tables a statement does not read give it
// the same prefix, so a state reduction's replays share the results of
// statements the removed rows cannot change. A statement naming a table
// its namespace does not know gets the whole restriction's tag.
func (s *sqliteSession) resultTag(ctx context.Context, e Exec) (string, error) {
	r := s.restriction
	c, err := s.execConn(ctx, e)
	if err != nil {
		return "", err
	}
	info, err := s.Inspect(ctx, e.SQL)
	if err != nil {
		return "", err
	}
	need, ok := c.storageTables(info.Tables)
	if !ok {
		return r.tag, nil
	}
	var pieces []string
	for _, t := range s.e.domain.Schema.Tables {
		if p, ok := r.pieces[t.Name]; ok && need[t.Name] {
			pieces = append(pieces, p)
		}
	}
	return restrictionTag(pieces), nil
}

// applyRestriction brings the session's scratch store to the restriction
// in progress, if any, as far as a statement on the scratch connection c
// needs: the storage tables its views read (a table the namespace does not
// know needs every table). The store is shared by every scratch
// connection of the session, so a table brought for one statement serves
// the others. A statement that fails leaves the store's rows unknown, so
// the store and its connections are closed (the next use builds a new one).
func (s *sqliteSession) applyRestriction(ctx context.Context, c *nsConn, tables []string) error {
	r := s.restriction
	if r == nil || !c.shared {
		return nil
	}
	store := s.store
	sc := store.scratch
	if sc.tag != r.tag {
		sc.tag, sc.done = r.tag, map[string]bool{}
	}
	need, ok := c.storageTables(tables)
	if !ok {
		need = map[string]bool{}
		for _, t := range s.e.domain.Schema.Tables {
			need[t.Name] = true
		}
	}
	start := time.Now()
	w := &scratchWriter{ctx: ctx, c: store}
	for _, t := range s.e.domain.Schema.Tables {
		if !need[t.Name] || sc.done[t.Name] {
			continue
		}
		sc.done[t.Name] = true
		if err := w.bring(t, s.e.st.Table(t.Name), r.ops[t.Name]); err != nil {
			s.closeStore()
			return fmt.Errorf("restrict state: %w", err)
		}
	}
	if w.n > 0 {
		s.e.stats.add(StatRestrict, w.n, time.Since(start))
	}
	return nil
}

// scratchSeq numbers the process's scratch stores (each store's shared
// in-memory database is found by its name).
var scratchSeq atomic.Int64

// openStore returns the session's scratch store, building it on first
// use: a named in-memory database (SQLite's memdb VFS, which every
// connection opening the name shares) holding the storage tables with
// every loaded row, on a connection of its own that also holds the loaded
// image attached (as loadedSchema) to copy rows back from. The scratch
// namespace connections open the same name and hold only their views.
func (s *sqliteSession) openStore(ctx context.Context) (*nsConn, error) {
	if s.store != nil {
		return s.store, nil
	}
	start := time.Now()
	uri := fmt.Sprintf("file:/policystrata-scratch-%d?vfs=memdb", scratchSeq.Add(1))
	sdb, conn, err := openSQLiteConn(ctx, uri)
	if err != nil {
		return nil, fmt.Errorf("open scratch store: %w", err)
	}
	c := &nsConn{db: sdb, conn: conn, uri: uri, scratch: &scratchContent{tables: map[string]tableContent{}}}
	if err := attachLoaded(ctx, conn, s.e.image); err != nil {
		c.close()
		return nil, fmt.Errorf("open scratch store: %w", err)
	}
	n, err := s.e.copyLoaded(ctx, conn)
	if err != nil {
		c.close()
		return nil, fmt.Errorf("open scratch store: %w", err)
	}
	s.e.stats.add(StatLoad, n+2, time.Since(start))
	s.store = c
	return c, nil
}

// closeStore closes the scratch store and every scratch connection that
// reads it.
func (s *sqliteSession) closeStore() {
	for ns, c := range s.conns {
		if c.shared {
			c.close()
			delete(s.conns, ns)
		}
	}
	if s.store != nil {
		s.store.close()
		s.store = nil
	}
}

// scratchWriter changes the scratch store's rows, counting its
// statements. The store's connection runs no statement of a namespace, so
// it is writable; the namespace connections reading it stay query_only.
type scratchWriter struct {
	ctx context.Context
	c   *nsConn
	n   int
}

func (w *scratchWriter) exec(stmt string, args ...any) error {
	w.n++
	if err := w.c.exec(w.ctx, stmt, args...); err != nil {
		return fmt.Errorf("%s: %w", firstLine(stmt), err)
	}
	return nil
}

// bring makes t's storage table hold op's rows (the loaded table lt's
// when op is nil), changing only what differs from what it holds now.
func (w *scratchWriter) bring(t *spec.Table, lt *state.Table, op *sqliteRestrictOp) error {
	sc := w.c.scratch
	cur, changed := sc.tables[t.Name]
	tbl := "main." + storeName(t.Name)
	if op != nil && op.rows != nil {
		if changed && cur.replaced == op.content {
			return nil
		}
		if err := w.exec("DELETE FROM " + tbl); err != nil {
			return err
		}
		if err := w.insert(t, op.rows); err != nil {
			return err
		}
		sc.tables[t.Name] = tableContent{replaced: op.content}
		return nil
	}
	all := len(lt.Rows)
	var want []int // nil: every loaded row
	if op != nil {
		want = op.idx
	}
	if !changed && want == nil {
		return nil
	}
	wantN := all
	if want != nil {
		wantN = len(want)
	}
	var removed, added []int
	if !changed || cur.replaced == "" {
		removed, added = diffRows(cur.idx, !changed, want, all)
		if len(removed) == 0 && len(added) == 0 {
			w.record(t, want)
			return nil
		}
	}
	if changed && cur.replaced != "" || len(removed)+len(added) > wantN {
		// rewriting the table costs less than the difference: empty it
		// (SQLite drops its pages whole) and insert the wanted rows
		if err := w.exec("DELETE FROM " + tbl); err != nil {
			return err
		}
		if err := w.copyRows(t, lt, want); err != nil {
			return err
		}
		w.record(t, want)
		return nil
	}
	if len(removed) > 0 {
		ids, err := rowidList(t, lt, removed)
		if err != nil {
			return err
		}
		if err := w.exec("DELETE FROM "+tbl+" WHERE rowid IN (SELECT value FROM json_each(?))", ids); err != nil {
			return err
		}
	}
	if len(added) > 0 {
		if err := w.copyRows(t, lt, added); err != nil {
			return err
		}
	}
	w.record(t, want)
	return nil
}

// record notes that t now holds the loaded rows want (every row when nil).
func (w *scratchWriter) record(t *spec.Table, want []int) {
	if want == nil {
		delete(w.c.scratch.tables, t.Name)
	} else {
		w.c.scratch.tables[t.Name] = tableContent{idx: want}
	}
}

// insert adds the replaced rows of lt, in order.
func (w *scratchWriter) insert(t *spec.Table, lt *state.Table) error {
	k, err := insertSQLiteRows(w.ctx, w.c.conn, t, lt, lt.Rows, lt.Owner)
	w.n += k
	return err
}

// copyRows copies the loaded rows idx of t (every row when nil) from the
// loaded image attached as loadedSchema, at their rowids, inside SQLite.
func (w *scratchWriter) copyRows(t *spec.Table, lt *state.Table, idx []int) error {
	stmt := copyLoadedSQL(t)
	if idx == nil {
		return w.exec(stmt)
	}
	ids, err := rowidList(t, lt, idx)
	if err != nil {
		return err
	}
	return w.exec(stmt+" WHERE rowid IN (SELECT value FROM json_each(?))", ids)
}

// copyLoadedSQL copies t's storage rows from the loaded image attached as
// loadedSchema, at their rowids.
func copyLoadedSQL(t *spec.Table) string {
	cols := make([]string, 0, len(t.Columns)+2)
	for _, c := range t.Columns {
		cols = append(cols, quoteIdent(c.Name))
	}
	cols = append(cols, "__owner")
	if !keyIsRowid(t) {
		// keep the image's rowid
		cols = append(cols, "rowid")
	}
	list := strings.Join(cols, ", ")
	return fmt.Sprintf("INSERT INTO main.%s (%s) SELECT %s FROM %s.%s", storeName(t.Name), list, list, loadedSchema, storeName(t.Name))
}

// copyLoaded creates the storage tables in conn's main database and
// copies every row of the loaded image (attached as loadedSchema) into
// them, at their rowids. It returns the statements it ran.
func (e *SQLite) copyLoaded(ctx context.Context, conn *sql.Conn) (int, error) {
	stmts := e.storageSQL()
	for _, t := range e.domain.Schema.Tables {
		stmts = append(stmts, copyLoadedSQL(t))
	}
	for _, stmt := range stmts {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return 0, fmt.Errorf("copy the loaded image: %s: %w", firstLine(stmt), err)
		}
	}
	return len(stmts), nil
}

// loadedSchema is the schema the scratch store's connection attaches the
// loaded image under, to copy rows back from (no statement of a namespace
// runs there).
const loadedSchema = "ps_loaded"

// attachLoaded attaches a copy of the image as loadedSchema.
func attachLoaded(ctx context.Context, conn *sql.Conn, image []byte) error {
	if _, err := conn.ExecContext(ctx, "ATTACH DATABASE ':memory:' AS "+loadedSchema); err != nil {
		return fmt.Errorf("attach the loaded image: %w", err)
	}
	return deserialize(conn, image, loadedSchema)
}

// diffRows compares the increasing loaded-row lists cur (every one of
// all rows when curAll) and want (every row when nil): the rows to remove
// and the rows to add.
func diffRows(cur []int, curAll bool, want []int, all int) (removed, added []int) {
	at := func(list []int, every bool, k int) int {
		if every {
			return k
		}
		return list[k]
	}
	nc, nw := len(cur), len(want)
	if curAll {
		nc = all
	}
	if want == nil {
		nw = all
	}
	i, j := 0, 0
	for i < nc || j < nw {
		switch {
		case j >= nw || (i < nc && at(cur, curAll, i) < at(want, want == nil, j)):
			removed = append(removed, at(cur, curAll, i))
			i++
		case i >= nc || at(want, want == nil, j) < at(cur, curAll, i):
			added = append(added, at(want, want == nil, j))
			j++
		default:
			i++
			j++
		}
	}
	return removed, added
}

// rowidList renders the image rowids of rows idx of lt as a JSON array:
// the primary key when it is an integer (the rowid itself), else the
// row's position plus one (the image inserted the rows in order).
func rowidList(t *spec.Table, lt *state.Table, idx []int) (string, error) {
	intKey := keyIsRowid(t)
	var b strings.Builder
	b.WriteByte('[')
	for k, i := range idx {
		if k > 0 {
			b.WriteByte(',')
		}
		if !intKey {
			b.WriteString(strconv.Itoa(i + 1))
			continue
		}
		switch v := lt.Rows[i][lt.PK].(type) {
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		case int:
			b.WriteString(strconv.Itoa(v))
		default:
			return "", fmt.Errorf("table %s: row %d: primary key %v is not an integer", t.Name, i, v)
		}
	}
	b.WriteByte(']')
	return b.String(), nil
}

// keyIsRowid reports whether t's storage table's rowid is its primary key
// (an INTEGER PRIMARY KEY); otherwise the image numbered its rows 1, 2, ...
// in the loaded order.
func keyIsRowid(t *spec.Table) bool {
	pk := t.Column(t.PrimaryKey)
	return pk != nil && sqliteType(pk.Type) == "INTEGER"
}
