package scan

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/scan/source"
	"github.com/policystrata/policystrata/pipeline/scan/sqlast"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// comparer runs an authorised trace's SQL beside this project's canonical
// compiler SQL (the domain's join paths and calendar) on the database: as
// the application, bound to the tenant, and the imported SQL also without
// row-level containment, so a missing tenant predicate the database
// happened to hide is still reported. It is not safe for concurrent use.
type comparer struct {
	c *Checker
	// live runs SQL as the application (tenant-bound); bare without
	// row-level containment.
	live func(ctx context.Context, role, tenant, sql string) ([]string, error)
	bare func(ctx context.Context, sql string) ([]string, error)
	// engine names the database; close releases its connections.
	engine string
	close  func()
}

// duckComparer compares on a session of the embedded fixture.
func duckComparer(c *Checker, r *duckRunner) *comparer {
	run := func(ctx context.Context, mode db.Mode, role, tenant, sql string) ([]string, error) {
		res, err := r.s.Run(ctx, db.Exec{Mode: mode, Containment: "v7", Role: role, Tenants: []string{tenant}, SQL: sql})
		if err != nil {
			return nil, err
		}
		if res.Blocked {
			return nil, fmt.Errorf("%s", res.Error)
		}
		return rowKeys(res), nil
	}
	return &comparer{c: c, engine: "duckdb", close: r.close,
		live: func(ctx context.Context, role, tenant, sql string) ([]string, error) {
			return run(ctx, db.Live, role, tenant, sql)
		},
		bare: func(ctx context.Context, sql string) ([]string, error) { return run(ctx, db.Base, "", "", sql) }}
}

// pgComparer compares on PostgreSQL: the app role with app.tenant_id set
// per transaction, and the admin connection (which row-level security
// does not restrict) for the run without containment.
func pgComparer(c *Checker, app, admin *pgRunner) *comparer {
	keys := func(cols []string, rows [][]string, err error) ([]string, error) {
		if err != nil {
			return nil, err
		}
		return rowKeys(db.Result{Columns: cols, Rows: rows}), nil
	}
	return &comparer{c: c, engine: "postgres", close: func() { app.close(); admin.close() },
		live: func(ctx context.Context, _, tenant, sql string) ([]string, error) {
			return keys(app.run(ctx, tenant, sql))
		},
		bare: func(ctx context.Context, sql string) ([]string, error) { return keys(admin.run(ctx, "", sql)) }}
}

// compareTrace returns the findings of the real-database comparison; run
// is false when the trace's SQL could not be executed (its placeholders
// lack values), which the one finding returned then says.
func (cmp *comparer) compareTrace(ctx context.Context, tr *source.Trace, st *sqlast.Statement, ev *evaluation) (out []Finding, run bool, err error) {
	dec := ev.Decision
	c := cmp.c
	d := c.Domain.Full
	pr := d.Policy.Principals[tr.Principal]
	tenant := pr.TenantIDs[0]
	for _, t := range tr.UsableTenantIDs() {
		if slices.Contains(pr.TenantIDs, t) {
			tenant = t
			break
		}
	}
	imported, reason, ok := bindTenantParameters(tr, st, ev, tenant)
	if !ok {
		return []Finding{c.notExecutedFinding(tr, reason)}, false, nil
	}
	q := spec.SemanticQuery{Metric: dec.Metric, Dimensions: append([]string{}, tr.IR.Dimensions...), Filters: map[string]string{},
		TimeRange: tr.IR.TimeRange, Grain: tr.IR.Grain, Limit: tr.IR.Limit}
	for k, v := range tr.IR.Filters {
		q.Filters[k] = scalarText(v)
	}
	canon := layers.Compile("v7", d, layers.CompileInput{Metric: dec.Metric, Query: q,
		Obligations: observe.Obligations{TenantScope: []string{tenant}, RowBudget: tr.IR.Limit}})
	required := c.Config.Database.Required
	execErr := func(check, what, msg string) Finding {
		sev := SevWarning
		if required {
			sev = SevCritical
		}
		f := c.dbFinding(check, check+"_"+tr.ID, fmt.Sprintf("The %s SQL of %s failed on the database", what, tr.ID), sev, ConfHigh, ClassOverRestrictive, []string{msg}, tr.RegressionCase, nil)
		f.Location, f.SQL, f.Principal, f.Source = &Location{File: tr.File, Line: tr.Line, SQLOffset: -1}, tr.SQL, tr.Principal, tr.Source
		return f
	}
	if canon.Error != "" {
		return []Finding{execErr(CheckCanonicalExecError, "canonical", canon.Error)}, true, nil
	}
	role := pr.Role
	want, err := cmp.live(ctx, role, tenant, canon.SQL)
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, err
		}
		return []Finding{execErr(CheckCanonicalExecError, "canonical", err.Error())}, true, nil
	}
	got, err := cmp.live(ctx, role, tenant, imported)
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, err
		}
		return []Finding{execErr(CheckImportedExecError, "imported", err.Error())}, true, nil
	}
	meta := func(rows []string) map[string]any {
		m := map[string]any{"engine": cmp.engine, "tenant": tenant, "canonical_sql": canon.SQL, "imported_rows": sample(rows), "canonical_rows": sample(want)}
		if imported != tr.SQL {
			m["executed_sql"] = imported
		}
		return m
	}
	if !slices.Equal(got, want) {
		f := c.dbFinding(CheckRealDBDrift, "real_db_semantic_drift_"+tr.ID, fmt.Sprintf("SQL of %s returns other rows than the canonical SQL", tr.ID), SevHigh, ConfHigh, ClassSemanticDrift,
			[]string{fmt.Sprintf("in the tenant-bound views of %s, the imported SQL returns %d rows and the canonical SQL %d, and they differ", tenant, len(got), len(want))}, tr.RegressionCase, meta(got))
		f.Location, f.SQL, f.Principal, f.Source, f.SemanticIR = &Location{File: tr.File, Line: tr.Line, SQLOffset: -1}, tr.SQL, tr.Principal, tr.Source, normalizedIR(tr.IR)
		out = append(out, f)
	}
	bare, err := cmp.bare(ctx, imported)
	if err == nil && !slices.Equal(bare, want) && slices.Equal(got, want) {
		f := c.dbFinding(CheckUncontainedImported, "uncontained_sql_drift_"+tr.ID, fmt.Sprintf("SQL of %s is right only because the database contains it", tr.ID), SevHigh, ConfHigh, ClassLowering,
			[]string{fmt.Sprintf("without row-level containment the imported SQL returns %d rows that differ from the canonical answer: it relies on the database to scope tenant %s", len(bare), tenant)}, tr.RegressionCase, meta(bare))
		f.Surface, f.Owner = "compiler", "compiler"
		f.Location, f.SQL, f.Principal, f.Source, f.SemanticIR = &Location{File: tr.File, Line: tr.Line, SQLOffset: -1}, tr.SQL, tr.Principal, tr.Source, normalizedIR(tr.IR)
		out = append(out, f)
	}
	return out, true, nil
}

// rowKeys renders each row as sorted-key JSON (column name to cell) and
// sorts them: the multiset the comparison uses.
func rowKeys(res db.Result) []string {
	out := make([]string, 0, len(res.Rows))
	for _, row := range res.Rows {
		m := map[string]string{}
		for i, c := range res.Columns {
			m[c] = row[i]
		}
		b, _ := json.Marshal(m)
		out = append(out, string(b))
	}
	sort.Strings(out)
	return out
}

func sample(rows []string) []string {
	if len(rows) > 20 {
		return rows[:20]
	}
	return rows
}
