package doctor

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/scan"
	"github.com/policystrata/policystrata/pipeline/scan/config"
	"github.com/policystrata/policystrata/pipeline/state"
)

// Introspection is what the database fixture really holds.
type Introspection struct {
	// Engine is postgres (catalog read over admin_url) or duckdb (the
	// embedded fixture built from the domain's schema and seeded state).
	Engine    string      `json:"engine"`
	Reachable bool        `json:"reachable"`
	Error     string      `json:"error,omitempty"`
	Tables    []TableInfo `json:"tables"`
	Views     []string    `json:"views"`
	Grants    []string    `json:"grants"`
}

// TableInfo is one table's row-level security as the catalog states it.
type TableInfo struct {
	Name       string   `json:"name"`
	RLSEnabled bool     `json:"rls_enabled"`
	RLSForced  bool     `json:"rls_forced"`
	Policies   []string `json:"policies"`
	// TenantColumns are the table's tenant columns; Unindexed those no
	// index leads with.
	TenantColumns []string `json:"tenant_columns"`
	Unindexed     []string `json:"unindexed_tenant_columns"`
}

// databaseItems decides database_fixture and rls_policies.
func databaseItems(ctx context.Context, c *config.Config, d *scan.Domain) (*Introspection, Item, Item) {
	fix := Item{ID: "database_fixture", Title: "Database fixture", Owner: "database"}
	rls := Item{ID: "rls_policies", Title: "Row-level security", Owner: "database"}
	if c.Database == nil {
		fix.Status, fix.Detail = Missing, "no database configured"
		rls.Status, rls.Detail = Missing, "no database configured"
		return nil, fix, rls
	}
	checks := len(c.Database.RLSChecks)
	if c.Database.UsesPostgres() {
		// the fixture as a scan builds it: the schema and seed scripts run
		// in a leased run schema, dropped when doctor is done
		fix.Files = []string{"admin_url"}
		pg, err := scan.PreparePostgres(ctx, c)
		if err != nil {
			in := &Introspection{Engine: "postgres", Tables: []TableInfo{}, Views: []string{}, Grants: []string{}, Error: err.Error()}
			fix.Status, fix.Detail, fix.Error = Invalid, "the PostgreSQL fixture could not be prepared (admin_url, start_docker, schema and seed scripts)", err.Error()
			rls.Status, rls.Detail = Missing, "the database could not be read"
			return in, fix, rls
		}
		in := introspectPostgres(ctx, pg.AdminConfig(), tenantColumnNames(c, d))
		if s := pg.Schema(); s != "" {
			in.renameSchema(s, RunSchema)
		}
		pg.Close()
		if !in.Reachable {
			fix.Status, fix.Detail, fix.Error = Invalid, "PostgreSQL at admin_url does not answer", in.Error
			rls.Status, rls.Detail = Missing, "the database could not be read"
			return in, fix, rls
		}
		fix.Status, fix.Detail = Wired, fmt.Sprintf("PostgreSQL answers with %d tables", len(in.Tables))
		if len(in.Tables) == 0 {
			fix.Status, fix.Detail = Partial, "PostgreSQL answers but holds no tables"
		}
		var gaps []string
		for _, t := range in.Tables {
			if len(t.TenantColumns) == 0 {
				continue
			}
			if !t.RLSEnabled || !t.RLSForced || len(t.Policies) == 0 {
				gaps = append(gaps, fmt.Sprintf("%s (enabled %t, forced %t, %d policies)", t.Name, t.RLSEnabled, t.RLSForced, len(t.Policies)))
			}
		}
		switch {
		case len(gaps) > 0:
			rls.Status, rls.Detail = Partial, "tenant tables without enabled and forced RLS policies: "+strings.Join(gaps, ", ")
		case checks == 0:
			rls.Status, rls.Detail = Partial, "RLS is enabled and forced on every tenant table, but no rls_checks test it"
		default:
			rls.Status, rls.Detail = Wired, fmt.Sprintf("RLS enabled and forced on every tenant table; %d rls_checks", checks)
		}
		return in, fix, rls
	}
	if d.Full == nil {
		fix.Status, fix.Detail = Missing, "no PostgreSQL admin_url and the domain has no schema.yaml for the embedded fixture"
		rls.Status, rls.Detail = Missing, "no database fixture"
		return nil, fix, rls
	}
	in := &Introspection{Engine: "duckdb", Tables: []TableInfo{}, Views: []string{}, Grants: []string{}}
	st, err := state.Generate(d.Full)
	if err == nil {
		var e *db.DuckDB
		e, err = db.OpenDuckDB(ctx, d.Full, st, []db.Containment{{Name: "v7"}})
		if err == nil {
			e.Close()
		}
	}
	if err != nil {
		in.Error = err.Error()
		fix.Status, fix.Detail, fix.Error = Invalid, "the embedded DuckDB fixture does not build", err.Error()
		rls.Status, rls.Detail = Missing, "no database fixture"
		return in, fix, rls
	}
	in.Reachable = true
	for _, t := range d.Full.Schema.Tables {
		in.Tables = append(in.Tables, TableInfo{Name: t.Name, RLSEnabled: true, RLSForced: true, Policies: []string{"tenant secure view (session tenant)"}, TenantColumns: []string{}, Unindexed: []string{}})
	}
	fix.Status, fix.Detail = Wired, fmt.Sprintf("embedded DuckDB fixture built from the domain's schema (%d tables) and seeded state", len(d.Full.Schema.Tables))
	if checks == 0 {
		rls.Status, rls.Detail = Partial, "the fixture's tenant secure views are built, but no rls_checks test them"
	} else {
		rls.Status, rls.Detail = Wired, fmt.Sprintf("tenant secure views bound to the session tenant; %d rls_checks", checks)
	}
	return in, fix, rls
}

// tenantColumnNames are the bare tenant column names the config and domain
// name (tenant_id when none).
func tenantColumnNames(c *config.Config, d *scan.Domain) []string {
	var out []string
	add := func(col string) {
		if i := strings.LastIndexByte(col, '.'); i >= 0 {
			col = col[i+1:]
		}
		if col != "" && !slices.Contains(out, col) {
			out = append(out, strings.ToLower(col))
		}
	}
	for _, col := range c.Tenancy.TenantColumns {
		add(col)
	}
	for _, cols := range c.Tenancy.TableTenantColumns {
		for _, col := range cols {
			add(col)
		}
	}
	add(d.Policy.Tenancy.Column)
	if len(out) == 0 {
		out = []string{"tenant_id"}
	}
	return out
}

// introspectPostgres reads the catalog of the schemas on the admin
// connection's search path: tables with their RLS flags and policies,
// views, grants, and tenant columns without a leading index.
func introspectPostgres(ctx context.Context, cfg *pgx.ConnConfig, tenantCols []string) *Introspection {
	in := &Introspection{Engine: "postgres", Tables: []TableInfo{}, Views: []string{}, Grants: []string{}}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		in.Error = err.Error()
		return in
	}
	defer conn.Close(context.Background())
	in.Reachable = true
	// the fixture is what the connection's search path reaches
	const user = `n.nspname = ANY (current_schemas(false))`
	rows, err := conn.Query(ctx, `SELECT n.nspname || '.' || c.relname, c.relrowsecurity, c.relforcerowsecurity, c.oid
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND `+user+` ORDER BY 1`)
	if err != nil {
		in.Error = err.Error()
		return in
	}
	type tbl struct {
		info TableInfo
		oid  uint32
	}
	var tables []tbl
	for rows.Next() {
		var t tbl
		if err := rows.Scan(&t.info.Name, &t.info.RLSEnabled, &t.info.RLSForced, &t.oid); err != nil {
			rows.Close()
			in.Error = err.Error()
			return in
		}
		tables = append(tables, t)
	}
	rows.Close()
	for i := range tables {
		t := &tables[i]
		t.info.Policies, t.info.TenantColumns, t.info.Unindexed = []string{}, []string{}, []string{}
		prows, err := conn.Query(ctx, `SELECT policyname || ' ' || cmd || ' USING ' || coalesce(qual, 'true') FROM pg_policies WHERE schemaname || '.' || tablename = $1 ORDER BY 1`, t.info.Name)
		if err == nil {
			for prows.Next() {
				var s string
				if prows.Scan(&s) == nil {
					t.info.Policies = append(t.info.Policies, s)
				}
			}
			prows.Close()
		}
		crows, err := conn.Query(ctx, `SELECT a.attname, EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indkey[0] = a.attnum)
			FROM pg_attribute a WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY($2) ORDER BY 1`, t.oid, tenantCols)
		if err == nil {
			for crows.Next() {
				var name string
				var indexed bool
				if crows.Scan(&name, &indexed) == nil {
					t.info.TenantColumns = append(t.info.TenantColumns, name)
					if !indexed {
						t.info.Unindexed = append(t.info.Unindexed, name)
					}
				}
			}
			crows.Close()
		}
		in.Tables = append(in.Tables, t.info)
	}
	if vrows, err := conn.Query(ctx, `SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND `+user+` ORDER BY 1`); err == nil {
		for vrows.Next() {
			var s string
			if vrows.Scan(&s) == nil {
				in.Views = append(in.Views, s)
			}
		}
		vrows.Close()
	}
	if grows, err := conn.Query(ctx, `SELECT grantee || ' ' || privilege_type || ' ON ' || table_schema || '.' || table_name FROM information_schema.role_table_grants
		WHERE table_schema = ANY (current_schemas(false)) AND grantee <> current_user ORDER BY 1`); err == nil {
		for grows.Next() {
			var s string
			if grows.Scan(&s) == nil {
				in.Grants = append(in.Grants, s)
			}
		}
		grows.Close()
	}
	return in
}

// RunSchema is how doctor names the run schema the scripts ran in (its
// real name carries a random suffix).
const RunSchema = "scan_run_schema"

// renameSchema replaces the schema name from by to in every name the
// introspection lists.
func (in *Introspection) renameSchema(from, to string) {
	r := strings.NewReplacer(from+".", to+".", " "+from+" ", " "+to+" ")
	for i := range in.Tables {
		in.Tables[i].Name = r.Replace(in.Tables[i].Name)
		for j := range in.Tables[i].Policies {
			in.Tables[i].Policies[j] = r.Replace(in.Tables[i].Policies[j])
		}
	}
	for i := range in.Views {
		in.Views[i] = r.Replace(in.Views[i])
	}
	for i := range in.Grants {
		in.Grants[i] = r.Replace(in.Grants[i])
	}
}
