package scan

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// queryRunner runs one read-only statement in a tenant context and
// returns its column names and rows as text.
type queryRunner interface {
	run(ctx context.Context, tenant, sql string) ([]string, [][]string, error)
	engine() string
	close()
}

// duckRunner runs statements in the embedded DuckDB fixture (the domain's
// schema and seeded state) through the application's secure views bound to
// the session tenant, as the role with the widest grants.
type duckRunner struct {
	e    *db.DuckDB
	s    db.Session
	role string
}

func (r *duckRunner) engine() string { return "duckdb" }

func (r *duckRunner) close() {
	r.s.Close()
	if r.e != nil {
		r.e.Close()
	}
}

func (r *duckRunner) run(ctx context.Context, tenant, sql string) ([]string, [][]string, error) {
	res, err := r.s.Run(ctx, db.Exec{Mode: db.Live, Containment: "v7", Role: r.role, Tenants: []string{tenant}, SQL: sql})
	if err != nil {
		return nil, nil, err
	}
	if res.Blocked {
		return nil, nil, fmt.Errorf("%s", res.Error)
	}
	return res.Columns, res.Rows, nil
}

// openDuckEngine builds the embedded fixture: the domain's schema, its
// seeded state and the tenant secure views.
func openDuckEngine(ctx context.Context, d *spec.Domain) (*db.DuckDB, error) {
	st, err := state.Generate(d)
	if err != nil {
		return nil, err
	}
	return db.OpenDuckDB(ctx, d, st, []db.Containment{{Name: "v7"}})
}

// duckSession opens a session on the fixture (owned: closing it closes
// the engine too).
func duckSession(ctx context.Context, e *db.DuckDB, d *spec.Domain, owned bool) (*duckRunner, error) {
	s, err := e.Session(ctx)
	if err != nil {
		return nil, err
	}
	role := ""
	for _, name := range spec.SortedKeys(d.Schema.Grants) {
		if role == "" || len(d.Schema.Grants[name]) > len(d.Schema.Grants[role]) {
			role = name
		}
	}
	if role == "" {
		role = spec.SortedKeys(d.Policy.Roles)[0]
	}
	r := &duckRunner{s: s, role: role}
	if owned {
		r.e = e
	}
	return r, nil
}

// pgRunner runs statements on PostgreSQL as the application role: a new
// transaction per statement with set_config('app.tenant_id', t, true).
type pgRunner struct{ conn *pgx.Conn }

func (r *pgRunner) engine() string { return "postgres" }
func (r *pgRunner) close()         { r.conn.Close(context.Background()) }

func (r *pgRunner) run(ctx context.Context, tenant, sql string) ([]string, [][]string, error) {
	tx, err := r.conn.Begin(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback(context.Background())
	if tenant != "" {
		if _, err := tx.Exec(ctx, "select set_config('app.tenant_id', $1, true)", tenant); err != nil {
			return nil, nil, err
		}
	}
	rows, err := tx.Query(ctx, sql)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var cols []string
	for _, f := range rows.FieldDescriptions() {
		cols = append(cols, f.Name)
	}
	out := [][]string{}
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, nil, err
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = textOf(v)
		}
		out = append(out, row)
	}
	return cols, out, rows.Err()
}

func textOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return x
	case time.Time:
		return x.Format(time.DateOnly)
	}
	return fmt.Sprint(v)
}

// connect opens one connection with cfg.
func connect(ctx context.Context, cfg *pgx.ConnConfig) (*pgRunner, error) {
	conn, err := pgx.ConnectConfig(ctx, cfg.Copy())
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	return &pgRunner{conn: conn}, nil
}

// conns opens a worker's app and admin connections.
func (fx *pgFixture) conns(ctx context.Context) (*pgRunner, *pgRunner, error) {
	app, err := connect(ctx, fx.app)
	if err != nil {
		return nil, nil, err
	}
	admin, err := connect(ctx, fx.admin)
	if err != nil {
		app.close()
		return nil, nil, err
	}
	return app, admin, nil
}

// realDB runs the database stage: the fixture, then the RLS checks and the
// state assertions. It returns the findings, the statements run and
// whether the fixture was available.
func (c *Checker) realDB(ctx context.Context, shared *db.DuckDB, pg *pgFixture, pgErr error) ([]Finding, int, bool) {
	dc := c.Config.Database
	if !c.Config.DatabaseConfigured() {
		return nil, 0, false
	}
	var r queryRunner
	var err error
	switch {
	case dc.UsesPostgres() && pg == nil:
		err = pgErr
	case dc.UsesPostgres():
		var app *pgRunner
		if app, err = connect(ctx, pg.app); err == nil {
			r = app
		}
	case shared != nil:
		r, err = duckSession(ctx, shared, c.Domain.Full, false)
	case c.Domain.Full != nil:
		var e *db.DuckDB
		if e, err = openDuckEngine(ctx, c.Domain.Full); err == nil {
			r, err = duckSession(ctx, e, c.Domain.Full, true)
		}
	default:
		err = fmt.Errorf("no PostgreSQL admin_url/app_url and the domain has no schema.yaml for the embedded fixture")
	}
	if err != nil {
		sev, conf := SevWarning, ConfMedium
		if dc.Required {
			sev, conf = SevCritical, ConfHigh
		}
		return []Finding{c.dbFinding(CheckDBUnavailable, "postgres_fixture_unavailable", "The database fixture is unavailable", sev, conf, ClassOverRestrictive,
			[]string{err.Error()}, "unclassified", nil)}, 0, false
	}
	defer r.close()
	var out []Finding
	ran := 0
	for _, chk := range dc.RLSChecks {
		ran++
		cols, rows, err := r.run(ctx, chk.TenantID, chk.SQL)
		if err != nil {
			sev := SevWarning
			if chk.Required {
				sev = SevCritical
			}
			out = append(out, c.dbFinding(CheckRLSError, "postgres_rls_check_error_"+chk.ID, "RLS check "+chk.ID+" failed to run", sev, ConfHigh, ClassOverRestrictive, []string{err.Error()}, "unclassified", nil))
			continue
		}
		var reasons []string
		if chk.ExpectedRows != nil && len(rows) != *chk.ExpectedRows {
			reasons = append(reasons, fmt.Sprintf("%d rows visible, expected %d", len(rows), *chk.ExpectedRows))
		}
		if len(chk.ExpectedTenantIDs) > 0 {
			idx := slices.Index(cols, chk.TenantColumn)
			seen := map[string]bool{}
			for _, row := range rows {
				if idx >= 0 {
					seen[row[idx]] = true
				}
			}
			got := sortedSet(seen)
			want := append([]string{}, chk.ExpectedTenantIDs...)
			sort.Strings(want)
			if idx < 0 {
				reasons = append(reasons, fmt.Sprintf("the result has no column %s", chk.TenantColumn))
			} else if !slices.Equal(got, slices.Compact(want)) {
				reasons = append(reasons, fmt.Sprintf("tenants visible %v, expected %v", got, want))
			}
		}
		if len(reasons) > 0 {
			out = append(out, c.dbFinding(CheckRLSFailed, "postgres_rls_check_failed_"+chk.ID, "RLS check "+chk.ID+" sees other rows than expected", SevHigh, ConfHigh, ClassOverPermissive, reasons, "unclassified",
				map[string]any{"engine": r.engine(), "rows": len(rows)}))
		}
	}
	for _, a := range dc.StateAssertions {
		ran++
		cols, rows, err := r.run(ctx, a.TenantID, a.SQL)
		if err != nil {
			sev := SevWarning
			if a.Required {
				sev = SevCritical
			}
			out = append(out, c.dbFinding(CheckStateAssertError, "postgres_state_assertion_error_"+a.ID, "State assertion "+a.ID+" failed to run", sev, ConfHigh, ClassOverRestrictive, []string{err.Error()}, a.RegressionCase, nil))
			continue
		}
		var reasons []string
		class := ClassOverRestrictive
		permissive := func(r string) { reasons = append(reasons, r); class = ClassOverPermissive }
		if a.ExpectEmpty && len(rows) > 0 {
			permissive(fmt.Sprintf("%d rows, expected none", len(rows)))
		}
		if a.ExpectedRows != nil && len(rows) != *a.ExpectedRows {
			if len(rows) > *a.ExpectedRows {
				permissive(fmt.Sprintf("%d rows, expected %d", len(rows), *a.ExpectedRows))
			} else {
				reasons = append(reasons, fmt.Sprintf("%d rows, expected %d", len(rows), *a.ExpectedRows))
			}
		}
		for _, col := range a.RequireColumns {
			if !slices.Contains(cols, col) {
				reasons = append(reasons, "missing column "+col)
			}
		}
		for _, col := range a.ForbiddenColumns {
			if slices.Contains(cols, col) {
				permissive("forbidden column " + col + " is present")
			}
		}
		for _, col := range sortedKeysAny(a.ForbiddenValues) {
			idx := slices.Index(cols, col)
			for _, row := range rows {
				if idx >= 0 && containsScalar(a.ForbiddenValues[col], row[idx]) {
					permissive(fmt.Sprintf("forbidden value %s=%s is present", col, row[idx]))
					break
				}
			}
		}
		for _, col := range sortedKeysAny(a.AllowedValues) {
			idx := slices.Index(cols, col)
			for _, row := range rows {
				if idx >= 0 && !containsScalar(a.AllowedValues[col], row[idx]) {
					permissive(fmt.Sprintf("value %s=%s is not allowed", col, row[idx]))
					break
				}
			}
		}
		if len(reasons) > 0 {
			sample := rows
			if len(sample) > 20 {
				sample = sample[:20]
			}
			out = append(out, c.dbFinding(CheckStateAssertFailed, "postgres_state_assertion_failed_"+a.ID, "State assertion "+a.ID+" does not hold", SevHigh, ConfHigh, class, reasons, a.RegressionCase,
				map[string]any{"engine": r.engine(), "rows": len(rows), "rows_sample": sample}))
		}
	}
	return out, ran, true
}

func containsScalar(list []any, cell string) bool {
	for _, v := range list {
		b, _ := json.Marshal(v)
		s := strings.Trim(string(b), `"`)
		if v == nil {
			s = "NULL"
		}
		if s == cell {
			return true
		}
	}
	return false
}

func sortedKeysAny(m map[string][]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (c *Checker) dbFinding(check, id, title, sev, conf, class string, reasons []string, regression string, meta map[string]any) Finding {
	if meta == nil {
		meta = map[string]any{}
	}
	f := Finding{Check: check, ID: SanitizeID(id), Title: title, Severity: sev, Confidence: conf, Surface: "database", Owner: "database",
		WitnessClass: class, EvidenceLevel: EvRealDB, RegressionCase: regression, Reasons: reasons,
		CIGateCommand: c.command, ReproducibleCommand: c.command, Metadata: meta,
		Location: &Location{File: "policystrata.yaml", SQLOffset: -1}}
	f.WhatChanged, f.ProbableFix = whatChanged[class], probableFix[class]
	return f
}
