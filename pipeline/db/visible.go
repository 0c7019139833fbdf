package db

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// grantedColumnsFunc lists the qualified columns ("table.column") of table
// t that a live session of the probe's containment and role may read.
type grantedColumnsFunc func(ctx context.Context, t *spec.Table) ([]string, error)

// probeVisibility is Session.Visible for both engines: memoized by its key
// in memo, it reads the granted columns with columns and the visible
// primary keys through sess as a live session (so the engine's own row
// controls decide), and returns both sorted.
func probeVisibility(ctx context.Context, memo memoizer, d *spec.Domain, sess Session, containment, role string,
	tenants []string, table string, columns grantedColumnsFunc) (Visibility, error) {
	key := containment + "\x00" + role + "\x00" + strings.Join(tenants, ",") + "\x00" + table
	if v, ok := memo.get(key); ok {
		return cloneVisibility(v.(Visibility)), nil
	}
	t := d.Schema.Table(table)
	if t == nil {
		return Visibility{}, fmt.Errorf("probe: unknown table %q", table)
	}
	cols, err := columns(ctx, t)
	if err != nil {
		return Visibility{}, fmt.Errorf("probe: %w", err)
	}
	v := Visibility{Rows: []string{}, Columns: append([]string{}, cols...)}
	if len(v.Columns) > 0 {
		res, err := sess.Run(ctx, Exec{Mode: Live, Containment: containment, Role: role, Tenants: tenants,
			SQL: fmt.Sprintf("SELECT CAST(%s AS VARCHAR) FROM %s", quoteIdent(t.PrimaryKey), quoteIdent(table))})
		if err != nil {
			return Visibility{}, err
		}
		if !res.Blocked {
			for _, r := range res.Rows {
				v.Rows = append(v.Rows, r[0])
			}
		}
	}
	sort.Strings(v.Rows)
	sort.Strings(v.Columns)
	memo.put(key, cloneVisibility(v))
	return v, nil
}

func cloneVisibility(v Visibility) Visibility {
	return Visibility{Rows: append([]string{}, v.Rows...), Columns: append([]string{}, v.Columns...)}
}
