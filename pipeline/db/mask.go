package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// storeOf is the schema holding table t's rows: store for a base table of
// a masked engine, else base (materialized-view tables are always real
// tables in base: their rows are derived, not a subset).
func (e *DuckDB) storeOf(t *spec.Table, store string) string {
	if t.MaterializedView != nil {
		return "base"
	}
	return store
}

// maskVar is the session variable holding table t's kept primary keys.
func maskVar(t *spec.Table) string {
	return "keep__" + identRE.ReplaceAllString(strings.ToLower(t.Name), "_")
}

// maskPredicate keeps the rows of t whose key the mask lists (all rows
// while the mask is NULL).
func maskPredicate(t *spec.Table) string {
	v := quoteLit(maskVar(t))
	return fmt.Sprintf("(getvariable(%s) IS NULL OR list_contains(getvariable(%s), %s))", v, v, quoteIdent(t.PrimaryKey))
}

// setMask sets (or with "NULL" clears) one mask variable, skipping a
// redundant SET.
func (s *duckSession) setMask(ctx context.Context, name, val string) error {
	cur, ok := s.masks[name]
	if (ok && cur == val) || (!ok && val == "NULL") {
		return nil
	}
	if _, err := s.conn.ExecContext(ctx, "SET VARIABLE "+name+" = "+val); err != nil {
		return fmt.Errorf("set mask: %w", err)
	}
	if s.masks == nil {
		s.masks = map[string]string{}
	}
	if val == "NULL" {
		delete(s.masks, name)
	} else {
		s.masks[name] = val
	}
	return nil
}

// clearMasks makes the whole loaded state visible again.
func (s *duckSession) clearMasks(ctx context.Context) error {
	for _, name := range spec.SortedKeys(s.masks) {
		if err := s.setMask(ctx, name, "NULL"); err != nil {
			return err
		}
	}
	return nil
}

// maskState restricts a masked engine's session to st: base tables by
// their masks, derived tables by statements to run in a transaction. It
// returns those statements and a tag identifying the restriction.
func (s *duckSession) maskState(ctx context.Context, st *state.State) ([]string, string, error) {
	d, loaded := s.e.domain, s.e.st
	var stmts, tag []string
	for _, t := range d.Schema.Tables {
		lt, ct := loaded.Table(t.Name), st.Table(t.Name)
		if lt == nil || ct == nil {
			return nil, "", fmt.Errorf("restrict state: table %s missing", t.Name)
		}
		keep, subset := subsetKeys(lt, ct)
		if t.MaterializedView != nil {
			if !subset || len(keep) != len(lt.Rows) {
				ms, err := restrictStatements(d, loaded, derivedOnly(d, loaded, st, t.Name))
				if err != nil {
					return nil, "", err
				}
				stmts = append(stmts, ms...)
			}
			continue
		}
		if !subset {
			return nil, "", fmt.Errorf("restrict state: table %s: rows are not a subset of the loaded state", t.Name)
		}
		val := "NULL"
		if len(keep) < len(lt.Rows) {
			lits := make([]string, len(ct.Rows))
			for i, r := range ct.Rows {
				lits[i] = SQLLiteral(r[ct.PK])
			}
			val = "[" + strings.Join(lits, ", ") + "]"
			if len(lits) == 0 {
				val = "[]::" + duckType(t.Column(t.PrimaryKey).Type) + "[]"
			}
		}
		if err := s.setMask(ctx, maskVar(t), val); err != nil {
			return nil, "", err
		}
		tag = append(tag, maskVar(t)+"="+val)
	}
	return stmts, strings.Join(append(tag, stmts...), "\x00"), nil
}

// derivedOnly is the loaded state with only table name's rows taken from
// st (restrictStatements then rewrites just that table).
func derivedOnly(d *spec.Domain, loaded, st *state.State, name string) *state.State {
	return state.WithTable(loaded, st.Table(name))
}
