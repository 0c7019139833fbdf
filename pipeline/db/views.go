package db

import (
	"fmt"
	"strings"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// tenantSet is the SQL for the session's tenant ids in a view predicate.
type tenantSet func() string

// ownershipPredicate renders the row filter of table t (unqualified columns of
// t) that keeps the rows owned by the tenants in ts, walking the owner chain
// through base tables in schema `base`.
func ownershipPredicate(d *spec.Domain, c Containment, table string, ts tenantSet, base string) (string, error) {
	ten := d.Policy.Tenancy
	if table == ten.Table {
		pk := d.Schema.Table(table).PrimaryKey
		return fmt.Sprintf("%s IN (SELECT unnest(%s))", quoteIdent(pk), ts()), nil
	}
	t := d.Schema.Table(table)
	fk := t.FK(t.OwnerVia)
	rt, rc, _ := spec.SplitQualified(fk.References)
	if rt == ten.Table {
		col := t.OwnerVia
		if c.LegacyOwnership && ten.LegacyColumn != "" && table+"."+col == ten.Column {
			_, legacyCol, _ := spec.SplitQualified(ten.LegacyColumn)
			kt, kc, _ := spec.SplitQualified(ten.LegacyKey)
			pk := d.Schema.Table(kt).PrimaryKey
			return fmt.Sprintf("%s IN (SELECT %s FROM %s.%s WHERE %s IN (SELECT unnest(%s)))",
				quoteIdent(legacyCol), quoteIdent(kc), base, quoteIdent(kt), quoteIdent(pk), ts()), nil
		}
		return fmt.Sprintf("%s IN (SELECT unnest(%s))", quoteIdent(col), ts()), nil
	}
	inner, err := ownershipPredicate(d, c, rt, ts, base)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s IN (SELECT %s FROM %s.%s WHERE %s)", quoteIdent(t.OwnerVia), quoteIdent(rc), base, quoteIdent(rt), inner), nil
}

// grantedColumns lists the columns of table the role's sessions may read
// under containment c, in schema order.
func grantedColumns(d *spec.Domain, c Containment, role, table string) []string {
	t := d.Schema.Table(table)
	var out []string
	granted := map[string]bool{}
	for _, g := range d.Schema.Grants[role] {
		granted[g] = true
	}
	for _, col := range t.Columns {
		if c.TableGrants || granted[table+"."+col.Name] {
			out = append(out, col.Name)
		}
	}
	return out
}

// secureViewSQL renders the statements creating containment c's views for
// role in schema sch. A table the role has no column of gets no view.
func secureViewSQL(d *spec.Domain, c Containment, role, sch string, ts tenantSet) ([]string, error) {
	stmts := []string{"CREATE SCHEMA " + quoteIdent(sch)}
	for _, t := range d.Schema.Tables {
		cols := grantedColumns(d, c, role, t.Name)
		if len(cols) == 0 {
			continue
		}
		pred, err := ownershipPredicate(d, c, t.Name, ts, "base")
		if err != nil {
			return nil, err
		}
		pred = c.rowFilter(d, t.Name, pred)
		q := make([]string, len(cols))
		for i, col := range cols {
			q[i] = quoteIdent(col)
		}
		stmts = append(stmts, fmt.Sprintf("CREATE VIEW %s.%s AS SELECT %s FROM base.%s WHERE %s",
			quoteIdent(sch), quoteIdent(t.Name), strings.Join(q, ", "), quoteIdent(t.Name), pred))
	}
	return stmts, nil
}
