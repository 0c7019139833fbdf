package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/policystrata/policystrata/pipeline/cell"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// pgType maps a portable column type to PostgreSQL. Text is COLLATE "C" so
// comparisons and ORDER BY are bytewise, as in Go and DuckDB.
func pgType(t string) string {
	switch t {
	case "integer":
		return "bigint"
	case "boolean":
		return "boolean"
	case "date":
		return "date"
	case "timestamp":
		return "timestamp"
	}
	return `text COLLATE "C"`
}

// pgBaseType is pgType without a collation (function result types).
func pgBaseType(t string) string {
	return strings.TrimSuffix(pgType(t), ` COLLATE "C"`)
}

// pgTenants is the subquery listing the live session's tenants.
func pgTenants() string {
	return "SELECT unnest(string_to_array(current_setting(" + quoteLit(tenantSetting) + ", true), ','))"
}

// load creates and fills the run's schemas in one transaction.
func (e *Postgres) load(ctx context.Context, conn *pgx.Conn, st *state.State, containments []Containment) error {
	var super bool
	if err := conn.QueryRow(ctx, "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user").Scan(&super); err != nil {
		return fmt.Errorf("check connecting role: %w", err)
	}
	stmts, err := e.loadSQL(st, containments, super)
	if err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "BEGIN"); err != nil {
		return err
	}
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			_, _ = conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
			return fmt.Errorf("%s: %w", firstLine(s), err)
		}
	}
	if _, err := conn.Exec(ctx, "COMMIT"); err != nil {
		return err
	}
	return nil
}

// loadSQL renders every statement of the load, in order.
func (e *Postgres) loadSQL(st *state.State, containments []Containment, super bool) ([]string, error) {
	d, o := e.domain, e.obj
	q := quoteIdent
	base := q(o.Base)
	var stmts []string
	for _, s := range o.Schemas() {
		stmts = append(stmts, "CREATE SCHEMA "+q(s))
	}
	// application roles: no login, no ownership, no BYPASSRLS
	for _, c := range containments {
		for _, r := range spec.SortedKeys(d.Policy.Roles) {
			role := q(o.Roles[c.Name][r])
			stmts = append(stmts,
				"CREATE ROLE "+role+" NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS",
				fmt.Sprintf("GRANT USAGE ON SCHEMA %s, %s, %s TO %s", q(o.Variants[c.Name]), q(o.Policy), q(o.Compat), role))
			if !super {
				// A non-superuser may only SET ROLE to roles it is a member of.
				stmts = append(stmts, "GRANT "+role+" TO CURRENT_USER")
			}
		}
	}
	// DuckDB's date_trunc on a DATE returns TIMESTAMP; PostgreSQL's would
	// pick timestamptz. The exact-match overload keeps lowered SQL (and its
	// CASTs to text) identical on both engines.
	stmts = append(stmts, fmt.Sprintf(
		"CREATE FUNCTION %s.date_trunc(text, date) RETURNS timestamp LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT pg_catalog.date_trunc($1, $2::timestamp)'",
		q(o.Compat)))
	stmts = append(stmts, dialectPostgres(d, q(o.Compat))...)

	// base tables and state
	for _, t := range d.Schema.Tables {
		var cols []string
		for _, c := range t.Columns {
			col := q(c.Name) + " " + pgType(c.Type)
			if c.Name == t.PrimaryKey {
				col += " PRIMARY KEY"
			}
			cols = append(cols, col)
		}
		stmts = append(stmts, fmt.Sprintf("CREATE TABLE %s.%s (%s)", base, q(t.Name), strings.Join(cols, ", ")))
	}
	stmts = append(stmts, fmt.Sprintf(`CREATE TABLE %s.row_owner (tbl text COLLATE "C", pk text COLLATE "C", tenant text COLLATE "C")`, q(o.Meta)))
	for _, t := range st.Tables {
		if d.Schema.Table(t.Name) == nil {
			return nil, fmt.Errorf("state table %s is not in the schema", t.Name)
		}
		stmts = append(stmts, insertStatements(base+"."+q(t.Name), t.Rows)...)
		owners := make([][]any, len(t.Rows))
		for i, r := range t.Rows {
			owners[i] = []any{t.Name, cell.Format(r[t.PK]), t.Owner[i]}
		}
		stmts = append(stmts, insertStatements(q(o.Meta)+".row_owner", owners)...)
	}

	// oracle views: rows the oracle says the transaction's tenants own
	for _, t := range d.Schema.Tables {
		stmts = append(stmts, fmt.Sprintf(
			"CREATE VIEW %s.%s AS SELECT * FROM %s.%s WHERE CAST(%s AS VARCHAR) IN (SELECT pk FROM %s.row_owner WHERE tbl = %s AND tenant = ANY(string_to_array(current_setting(%s, true), ',')))",
			q(o.Oracle), q(t.Name), base, q(t.Name), q(t.PrimaryKey), q(o.Meta), quoteLit(t.Name), quoteLit(oracleSetting)))
	}

	fns := &pgNamer{used: map[string]bool{}}
	for _, c := range containments {
		vs, err := e.variantSQL(c, fns)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, vs...)
	}
	stmts = append(stmts, "ANALYZE "+q(o.Meta)+".row_owner")
	schemas := []string{o.Base}
	for _, c := range containments {
		schemas = append(schemas, o.Variants[c.Name])
	}
	for _, s := range schemas {
		for _, t := range d.Schema.Tables {
			stmts = append(stmts, "ANALYZE "+q(s)+"."+q(t.Name))
		}
	}
	return stmts, nil
}

// variantSQL renders containment c: a copy of every base table in the
// variant's schema with row-level security enabled and forced (except the
// tables the variant leaves unprotected), one SELECT policy per table
// following the owner chain (ownershipPredicate, as the DuckDB views do), and
// one application role per domain role with USAGE on the schema (created by
// loadSQL) gets SELECT on exactly its granted columns (every column under
// TableGrants).
func (e *Postgres) variantSQL(c Containment, fns *pgNamer) ([]string, error) {
	d, o := e.domain, e.obj
	q := quoteIdent
	sch := q(o.Variants[c.Name])
	base := q(o.Base)
	roles := o.Roles[c.Name]
	var stmts []string
	for _, t := range d.Schema.Tables {
		tbl := sch + "." + q(t.Name)
		stmts = append(stmts,
			fmt.Sprintf("CREATE TABLE %s (LIKE %s.%s INCLUDING ALL)", tbl, base, q(t.Name)),
			fmt.Sprintf("INSERT INTO %s SELECT * FROM %s.%s", tbl, base, q(t.Name)))
		if !c.Unprotected(d, t.Name) {
			var err error
			if stmts, err = e.policySQL(stmts, c, t, tbl, fns); err != nil {
				return nil, err
			}
		}
		for _, r := range spec.SortedKeys(d.Policy.Roles) {
			if c.TableGrants {
				stmts = append(stmts, fmt.Sprintf("GRANT SELECT ON %s TO %s", tbl, q(roles[r])))
				continue
			}
			cols := grantedColumns(d, c, r, t.Name)
			if len(cols) == 0 {
				continue
			}
			qc := make([]string, len(cols))
			for i, col := range cols {
				qc[i] = q(col)
			}
			stmts = append(stmts, fmt.Sprintf("GRANT SELECT (%s) ON %s TO %s", strings.Join(qc, ", "), tbl, q(roles[r])))
		}
	}
	return stmts, nil
}

// policySQL enables and forces row-level security on tbl and adds its tenant
// policy; owner chains that read other tables run in a SECURITY DEFINER
// function.
func (e *Postgres) policySQL(stmts []string, c Containment, t *spec.Table, tbl string, fns *pgNamer) ([]string, error) {
	d, o := e.domain, e.obj
	q := quoteIdent
	base := q(o.Base)
	roles := o.Roles[c.Name]
	stmts = append(stmts,
		"ALTER TABLE "+tbl+" ENABLE ROW LEVEL SECURITY",
		"ALTER TABLE "+tbl+" FORCE ROW LEVEL SECURITY")
	pred, err := ownershipPredicate(d, c, t.Name, pgTenants, schemaRef(base))
	if err != nil {
		return nil, err
	}
	if strings.Contains(pred, base+".") {
		// The chain reads other tables. Policy subqueries run with the
		// querying role's privileges, and the application roles must not
		// read the base tables, so the chain runs in a SECURITY DEFINER
		// function (owned by the loader) that returns the owned keys.
		fn := q(o.Policy) + "." + q(fns.name("owned", c.Name, "", t.Name))
		body := fmt.Sprintf("SELECT %s FROM %s.%s WHERE %s", q(t.PrimaryKey), base, q(t.Name), pred)
		if strings.Contains(body, "$ps$") {
			return nil, fmt.Errorf("ownership predicate of %s contains $ps$", t.Name)
		}
		stmts = append(stmts,
			fmt.Sprintf("CREATE FUNCTION %s() RETURNS SETOF %s LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $ps$%s$ps$",
				fn, pgBaseType(t.Column(t.PrimaryKey).Type), body),
			"REVOKE ALL ON FUNCTION "+fn+"() FROM PUBLIC")
		for _, r := range spec.SortedKeys(d.Policy.Roles) {
			stmts = append(stmts, fmt.Sprintf("GRANT EXECUTE ON FUNCTION %s() TO %s", fn, q(roles[r])))
		}
		pred = fmt.Sprintf("%s IN (SELECT %s())", q(t.PrimaryKey), fn)
	}
	pred = c.rowFilter(d, t.Name, pred)
	stmts = append(stmts, fmt.Sprintf("CREATE POLICY tenant_isolation ON %s AS PERMISSIVE FOR SELECT TO PUBLIC USING (%s)", tbl, pred))
	return stmts, nil
}
