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

// maskPredicate keeps the rows of t whose key the mask table lists (all
// rows while the mask variable is not set to true).
func maskPredicate(t *spec.Table) string {
	return fmt.Sprintf("(getvariable(%s) IS NOT TRUE OR %s IN (SELECT k FROM mask.%s))", quoteLit(maskVar(t)), quoteIdent(t.PrimaryKey), quoteIdent(t.Name))
}

// maskTableSQL creates table t's mask table.
func maskTableSQL(t *spec.Table) string {
	return fmt.Sprintf("CREATE TABLE mask.%s (k %s)", quoteIdent(t.Name), duckType(t.Column(t.PrimaryKey).Type))
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

// setMaskRows makes table t's mask keep ct's rows (val "NULL": all rows),
// skipping work when the mask already holds them.
func (s *duckSession) setMaskRows(ctx context.Context, t *spec.Table, ct *state.Table, val string) error {
	name := maskVar(t)
	cur, ok := s.masks[name]
	if (ok && cur == val) || (!ok && val == "NULL") {
		return nil
	}
	if val != "NULL" {
		stmts := []string{"DELETE FROM mask." + quoteIdent(t.Name)}
		keys := make([][]any, len(ct.Rows))
		for i, r := range ct.Rows {
			keys[i] = []any{r[ct.PK]}
		}
		stmts = append(stmts, insertStatements("mask."+quoteIdent(t.Name), keys)...)
		for _, stmt := range stmts {
			if _, err := s.conn.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("set mask: %w", err)
			}
		}
	}
	if err := s.setMask(ctx, name, map[bool]string{true: "NULL", false: "true"}[val == "NULL"]); err != nil {
		return err
	}
	if val != "NULL" {
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
			val = "[" + strings.Join(keep, ",") + "]"
		}
		if err := s.setMaskRows(ctx, t, ct, val); err != nil {
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
