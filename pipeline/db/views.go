package db

import (
	"fmt"
	"strings"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// tenantSet is the SQL of a subquery listing the session's tenant ids, for
// a view predicate's IN.
type tenantSet func() string

// tableRef renders a reference to a table's unrestricted rows.
type tableRef func(table string) string

// schemaRef refers to tables in schema (already quoted where needed).
func schemaRef(schema string) tableRef {
	return func(table string) string { return schema + "." + quoteIdent(table) }
}

// ownershipPredicate renders the row filter of table t (unqualified columns of
// t) that keeps the rows owned by the tenants in ts, walking the owner chain
// through the unrestricted tables base refers to.
func ownershipPredicate(d *spec.Domain, c Containment, table string, ts tenantSet, base tableRef) (string, error) {
	ten := d.Policy.Tenancy
	if table == ten.Table {
		pk := d.Schema.Table(table).PrimaryKey
		return fmt.Sprintf("%s IN (%s)", quoteIdent(pk), ts()), nil
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
			return fmt.Sprintf("%s IN (SELECT %s FROM %s WHERE %s IN (%s))",
				quoteIdent(legacyCol), quoteIdent(kc), base(kt), quoteIdent(pk), ts()), nil
		}
		return fmt.Sprintf("%s IN (%s)", quoteIdent(col), ts()), nil
	}
	inner, err := ownershipPredicate(d, c, rt, ts, base)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s IN (SELECT %s FROM %s WHERE %s)", quoteIdent(t.OwnerVia), quoteIdent(rc), base(rt), inner), nil
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
		stmt, err := secureView(d, c, role, sch, t.Name, ts)
		if err != nil {
			return nil, err
		}
		if stmt != "" {
			stmts = append(stmts, stmt)
		}
	}
	return stmts, nil
}

// secureView renders the statement creating containment c's view of table
// for role in schema sch, or "" when the role has no column of it.
func secureView(d *spec.Domain, c Containment, role, sch, table string, ts tenantSet) (string, error) {
	cols := grantedColumns(d, c, role, table)
	if len(cols) == 0 {
		return "", nil
	}
	pred, err := ownershipPredicate(d, c, table, ts, schemaRef("base"))
	if err != nil {
		return "", err
	}
	pred = c.rowFilter(d, table, pred)
	q := make([]string, len(cols))
	for i, col := range cols {
		q[i] = quoteIdent(col)
	}
	return fmt.Sprintf("CREATE VIEW %s.%s AS SELECT %s FROM base.%s WHERE %s",
		quoteIdent(sch), quoteIdent(table), strings.Join(q, ", "), quoteIdent(table), pred), nil
}

// ContainmentView is the definition of the secure view through which
// containment c shows table to role's sessions: the columns granted and the
// row filter, with the session's tenants as a symbol ("" when the role can
// read no column of table). Both engines build their controls from the same
// column lists and predicates, so two containments with equal definitions
// for a table behave identically on every database state.
func ContainmentView(d *spec.Domain, c Containment, role, table string) (string, error) {
	if d.Schema.Table(table) == nil {
		return "", fmt.Errorf("containment view: unknown table %q", table)
	}
	return secureView(d, c, role, "app", table, func() string { return "SELECT unnest(session_tenants)" })
}
