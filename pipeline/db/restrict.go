package db

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"

	"github.com/policystrata/policystrata/pipeline/cell"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// Restricter is a session that can run statements as if its engine held
// only a subset of the loaded state: the minimizer's way to test many
// candidate states without loading a database for each.
type Restricter interface {
	// WithState calls fn with a session that sees only st's rows. Every
	// row of st's base tables must be a row of the loaded state (same
	// primary key and values, in the loaded order); tables derived by
	// materialized views are replaced by st's. The session is valid only
	// during fn; results are memoized apart from the full state's.
	WithState(ctx context.Context, st *state.State, fn func(Session) error) error
}

// AnyStater is a session that can run statements as if its engine held
// any state of its domain, not only a subset of the loaded one: the
// distinguishing-state search's way to try a state derived for one task
// without loading a database for it.
type AnyStater interface {
	// WithAnyState calls fn with a session that sees exactly st's rows
	// (a table whose rows are not a subset of the loaded ones is replaced
	// whole), as a database loaded with st would. The session is valid
	// only during fn; results are memoized apart from the full state's.
	WithAnyState(ctx context.Context, st *state.State, fn func(Session) error) error
}

// WithState restricts the session to st inside a transaction it rolls
// back afterwards, so other sessions never see the change.
func (s *duckSession) WithState(ctx context.Context, st *state.State, fn func(Session) error) (err error) {
	var stmts []string
	var tagText string
	if s.e.masked {
		stmts, tagText, err = s.maskState(ctx, st)
	} else {
		stmts, err = restrictStatements(s.e.domain, s.e.st, st)
		tagText = strings.Join(stmts, "\x00")
	}
	if err != nil {
		return err
	}
	if len(stmts) == 0 && allNull(tagText) {
		if err := s.clearMasks(ctx); err != nil {
			return err
		}
		return fn(s)
	}
	sum := sha256.Sum256([]byte(tagText))
	tag := "\x01" + hex.EncodeToString(sum[:16]) + "\x00"
	rs := &restrictedSession{tag: tag, results: s.e.results, visible: s.e.visible, stats: s.e.stats, domain: s.e.domain,
		run: s.run, inspect: s.Inspect,
		columns: func(containment, role string, _ []string) grantedColumnsFunc { return s.columnsOf(containment, role) }}
	if len(stmts) == 0 {
		return fn(rs)
	}
	if _, err := s.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("restrict state: %w", err)
	}
	defer func() {
		_, rerr := s.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		s.path, s.app, s.oracle, s.masks = "", "", "", nil
		if s.e.masked {
			// the masks may have been rolled back with the transaction:
			// clear them for certain
			for _, t := range s.e.domain.Schema.Tables {
				if t.MaterializedView == nil {
					if _, e := s.conn.ExecContext(context.WithoutCancel(ctx), "SET VARIABLE "+maskVar(t)+" = NULL"); e != nil && rerr == nil {
						rerr = e
					}
				}
			}
		}
		if rerr != nil && err == nil {
			err = fmt.Errorf("restrict state: rollback: %w", rerr)
		}
	}()
	for _, stmt := range stmts {
		if _, err := s.conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("restrict state: %s: %w", firstLine(stmt), err)
		}
	}
	return fn(rs)
}

// allNull reports whether a mask tag sets every mask to NULL (the full
// state).
func allNull(tag string) bool {
	for _, part := range strings.Split(tag, "\x00") {
		if part != "" && !strings.HasSuffix(part, "=NULL") {
			return false
		}
	}
	return true
}

// restrictStatements are the DELETEs (and, for derived tables, INSERTs)
// that turn the loaded state into st, in base and oracle_meta alike.
func restrictStatements(d *spec.Domain, loaded, st *state.State) ([]string, error) {
	if loaded == nil {
		return nil, fmt.Errorf("restrict state: the engine does not know its loaded state")
	}
	var out []string
	for _, t := range d.Schema.Tables {
		lt, ct := loaded.Table(t.Name), st.Table(t.Name)
		if lt == nil || ct == nil {
			return nil, fmt.Errorf("restrict state: table %s missing", t.Name)
		}
		base, meta := "base."+quoteIdent(t.Name), "oracle_meta."+quoteIdent(t.Name)
		keep, subset := subsetKeys(lt, ct)
		switch {
		case subset && len(keep) == len(lt.Rows):
			continue
		case subset && t.MaterializedView == nil:
			cond := ""
			if len(keep) > 0 {
				cond = fmt.Sprintf(" WHERE NOT list_contains(%s, CAST(%s AS VARCHAR))", listLit(keep), quoteIdent(t.PrimaryKey))
			}
			out = append(out, "DELETE FROM "+base+cond, "DELETE FROM "+meta+cond)
		default:
			if t.MaterializedView == nil {
				return nil, fmt.Errorf("restrict state: table %s: rows are not a subset of the loaded state", t.Name)
			}
			owned := make([][]any, len(ct.Rows))
			for i, r := range ct.Rows {
				owned[i] = append(append([]any{}, r...), ct.Owner[i])
			}
			out = append(out, "DELETE FROM "+base, "DELETE FROM "+meta)
			out = append(out, insertStatements(base, ct.Rows)...)
			out = append(out, insertStatements(meta, owned)...)
		}
	}
	return out, nil
}

// subsetKeys lists ct's primary keys as text and reports whether every row
// of ct is the loaded row with its key, in the loaded order.
func subsetKeys(lt, ct *state.Table) ([]string, bool) {
	keep, _, ok := subsetRows(lt, ct)
	return keep, ok
}

// subsetRows is subsetKeys with the kept rows' indexes in lt.
func subsetRows(lt, ct *state.Table) ([]string, []int, bool) {
	keep := make([]string, 0, len(ct.Rows))
	idx := make([]int, 0, len(ct.Rows))
	last := -1
	for _, r := range ct.Rows {
		lr, i, ok := lt.ByPK(r[ct.PK])
		if !ok || i <= last || !sameRow(lr, r) {
			return nil, nil, false
		}
		last = i
		keep = append(keep, cell.Format(r[ct.PK]))
		idx = append(idx, i)
	}
	return keep, idx, true
}

// sameRow reports whether two rows hold equal cells (reflect.DeepEqual
// of the rows, without reflection for the scalar cells a state holds: a
// replay compares every row of its subset, and reflection was a tenth of
// the minimizer's own CPU).
func sameRow(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i, x := range a {
		if !sameCell(x, b[i]) {
			return false
		}
	}
	return true
}

func sameCell(x, y any) bool {
	switch xv := x.(type) {
	case nil:
		return y == nil
	case int64:
		yv, ok := y.(int64)
		return ok && xv == yv
	case string:
		yv, ok := y.(string)
		return ok && xv == yv
	case bool:
		yv, ok := y.(bool)
		return ok && xv == yv
	}
	return reflect.DeepEqual(x, y)
}

// restrictedSession is a session inside WithState, on either embedded
// engine: statements run through its engine session's run, and its memo
// entries carry the restriction's tag, apart from the full state's.
type restrictedSession struct {
	tag              string
	results, visible *lru
	stats            *Stats
	domain           *spec.Domain
	run              func(context.Context, Exec) (Result, error)
	inspect          func(context.Context, string) (SQLInfo, error)
	columns          func(containment, role string, tenants []string) grantedColumnsFunc
	// resultTag, when set, is the memo prefix of one statement's result
	// (by the tables it reads); otherwise every statement gets tag
	resultTag func(context.Context, Exec) (string, error)
}

func (r *restrictedSession) Run(ctx context.Context, e Exec) (Result, error) {
	tag := r.tag
	if r.resultTag != nil {
		var err error
		if tag, err = r.resultTag(ctx, e); err != nil {
			return Result{}, err
		}
	}
	return guardedRun(ctx, prefixed{r.results, tag}, r, r.stats, r.run, e)
}

func (r *restrictedSession) Visible(ctx context.Context, containment, role string, tenants []string, table string) (Visibility, error) {
	return probeVisibility(ctx, prefixed{r.visible, r.tag}, r.domain, r, containment, role, tenants, table, r.columns(containment, role, tenants))
}

func (r *restrictedSession) Inspect(ctx context.Context, sql string) (SQLInfo, error) {
	return r.inspect(ctx, sql)
}

// Close does nothing: the session belongs to WithState's caller.
func (r *restrictedSession) Close() error { return nil }
