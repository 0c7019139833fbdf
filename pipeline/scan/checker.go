package scan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/policystrata/policystrata/pipeline/scan/config"
	"github.com/policystrata/policystrata/pipeline/scan/source"
	"github.com/policystrata/policystrata/pipeline/scan/sqlast"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// Checker holds what every trace is checked against, compiled once and
// shared read-only by the workers.
type Checker struct {
	Domain  *Domain
	Config  *config.Config
	rules   []tenantRule
	metrics map[string]*metricForm
	// dimExprs are the parsed columns of the policy's plain dimensions.
	dimExprs map[string]sqlast.Node
	command  string
}

// NewChecker compiles the tenancy rules and metric expressions with p. A
// predicate or metric expression that does not parse is a config error.
func NewChecker(ctx context.Context, p *sqlast.Parser, c *config.Config, d *Domain) (*Checker, error) {
	rules, err := compileTenancy(ctx, p, c, d)
	if err != nil {
		return nil, err
	}
	metrics, err := compileMetrics(ctx, p, d)
	if err != nil {
		var pe *sqlast.ParseError
		if errors.As(err, &pe) {
			return nil, strictyaml.Errorf(domainPolicyLabel(d), 0, "%v", err)
		}
		return nil, err
	}
	dims := map[string]sqlast.Node{}
	for _, name := range spec.SortedKeys(d.Policy.Dimensions) {
		col := d.Policy.Dimensions[name].Column
		if col == "" || strings.Contains(col, "{") {
			continue
		}
		if n, err := p.ParseExpr(ctx, col); err == nil {
			dims[name] = n
		}
	}
	return &Checker{Domain: d, Config: c, rules: rules, metrics: metrics, dimExprs: dims, command: "policystrata scan --config " + c.Path}, nil
}

func domainPolicyLabel(d *Domain) string {
	if d.Dir != "" {
		return d.Dir + "/policy.yaml"
	}
	return "builtin:" + d.Name + "/policy.yaml"
}

// unsafeFunctions are functions a SELECT may call that change state or
// reach outside the database's rows: a statement calling one is not
// read-only.
var unsafeFunctions = []string{
	"set_config", "nextval", "setval", "pg_sleep", "pg_terminate_backend", "pg_cancel_backend",
	"pg_read_file", "pg_read_binary_file", "pg_ls_dir", "lo_import", "lo_export", "dblink", "dblink_exec",
	"pg_advisory_lock", "pg_advisory_xact_lock", "pg_reload_conf", "pg_rotate_logfile",
	"read_csv", "read_csv_auto", "read_parquet", "read_json", "read_json_auto", "read_text", "read_blob",
	"glob", "query", "query_table", "write_csv",
}

// readOnly rejects a parsed statement that calls a state-changing or
// file-reading function (the statement type was checked by the parser).
func readOnly(st *sqlast.Statement) error {
	var bad []string
	sqlast.Walk(st.Root, func(n sqlast.Node) bool {
		name := ""
		switch {
		case sqlast.Class(n) == "FUNCTION":
			name = sqlast.Str(n, "function_name")
		case sqlast.Type(n) == "TABLE_FUNCTION":
			name = sqlast.Str(sqlast.Child(n, "function"), "function_name")
		}
		if name != "" && slices.Contains(unsafeFunctions, strings.ToLower(name)) {
			bad = append(bad, strings.ToLower(name))
		}
		return true
	})
	if len(bad) > 0 {
		slices.Sort(bad)
		return fmt.Errorf("not a read-only statement: it calls %s", strings.Join(slices.Compact(bad), ", "))
	}
	return nil
}

// Parse parses and guards a trace's SQL: one read-only SELECT.
func Parse(ctx context.Context, p *sqlast.Parser, sql string) (*sqlast.Statement, error) {
	st, err := p.Parse(ctx, sql)
	if err != nil {
		return nil, err
	}
	if err := readOnly(st); err != nil {
		return nil, &sqlast.ParseError{Kind: sqlast.ErrNotSelect, Msg: err.Error()}
	}
	return st, nil
}

// evaluation is the outcome of the checks on one trace or mutant.
type evaluation struct {
	Findings []Finding
	// Decision is the authorization (nil without IR or principal).
	Decision *Decision
	// Scope is the tenant-scope verdict.
	Scope scopeResult
	// Use is where the metric's aggregate is computed (when found).
	Use    metricUse
	HasUse bool
	Metric *metricForm
}

// signature is the set of check verdicts of an evaluation: a mutant is
// killed when its signature holds a verdict its trace's does not.
func (e *evaluation) signature() map[string]bool {
	out := map[string]bool{}
	for _, f := range e.Findings {
		for _, r := range f.Reasons {
			out[f.Check+": "+r] = true
		}
		if len(f.Reasons) == 0 {
			out[f.Check] = true
		}
	}
	return out
}

// evaluate runs the per-trace checks on tr with its parsed statement.
func (c *Checker) evaluate(tr *source.Trace, st *sqlast.Statement) *evaluation {
	ev := &evaluation{}
	base := c.baseFinding(tr)
	add := func(check, title, sev, conf, surface, class string, reasons []string, offset int) {
		f := base
		f.Check = check
		f.ID = SanitizeID(check + "_" + tr.ID)
		f.Title = title
		f.Severity, f.Confidence, f.Surface, f.Owner, f.WitnessClass = sev, conf, surface, surface, class
		f.Reasons = append([]string{}, reasons...)
		f.WhatChanged, f.ProbableFix = whatChanged[class], probableFix[class]
		f.Location = &Location{File: tr.File, Line: tr.Line, SQLOffset: offset}
		f.Metadata = map[string]any{}
		ev.Findings = append(ev.Findings, f)
	}
	if !c.Domain.KnownPrincipal(tr.Principal) {
		add(CheckUnknownPrincipal, fmt.Sprintf("Trace %s names unknown principal %s", tr.ID, tr.Principal),
			SevHigh, ConfHigh, "validator", ClassOverPermissive,
			[]string{fmt.Sprintf("principal %q (or its role) is not defined by the policy", tr.Principal)}, -1)
		return ev
	}
	pr := c.Domain.Policy.Principals[tr.Principal]
	if tr.IR != nil {
		dec := c.Domain.Authorize(tr.Principal, tr.IR)
		ev.Decision = &dec
		if !dec.Allowed {
			if tr.ReleaseAllowed != nil && *tr.ReleaseAllowed {
				add(CheckUnsafeRelease, fmt.Sprintf("Release layer released rows of denied request %s", tr.ID),
					SevHigh, ConfHigh, "release", ClassUnsafeRelease, dec.Reasons, -1)
			}
			if tr.ReleaseAllowed == nil || *tr.ReleaseAllowed {
				add(CheckReachedSQL, fmt.Sprintf("Denied request %s reached SQL", tr.ID),
					SevHigh, ConfHigh, "validator", ClassOverPermissive, dec.Reasons, -1)
			}
		}
	}
	usable := tr.UsableTenantIDs()
	b := tenantBinding{Placeholders: len(usable) > 0}
	if len(usable) > 0 {
		for _, t := range usable {
			if slices.Contains(pr.TenantIDs, t) {
				b.Tenants = append(b.Tenants, t)
			}
		}
	} else {
		b.Tenants = pr.TenantIDs
	}
	ev.Scope = checkTenantScope(st, c.rules, b)
	if !ev.Scope.OK {
		add(CheckTenantScope, fmt.Sprintf("SQL of %s is not scoped to the principal's tenants", tr.ID),
			SevHigh, ConfHigh, "compiler", ClassLowering, ev.Scope.Reasons, ev.Scope.Offset)
	}
	if f := c.metricOf(tr); f != nil {
		ev.Metric = f
		use, ok := findMetric(st, f)
		ev.Use, ev.HasUse = use, ok
		authorized := ev.Decision != nil && ev.Decision.Allowed
		switch {
		case !ok && authorized:
			add(CheckMetricUnobserved, fmt.Sprintf("SQL of %s does not compute metric %s", tr.ID, f.Name),
				SevWarning, ConfMedium, "compiler", ClassSemanticDrift,
				[]string{fmt.Sprintf("no aggregate equal to %s (over the metric's columns) is computed", c.Domain.Policy.Metrics[f.Name].Expression)}, -1)
		case ok:
			if f.DupSensitive {
				if r := fanout(use, f, c.Domain.Schema()); len(r) > 0 {
					add(CheckJoinFanout, fmt.Sprintf("SQL of %s fans out metric %s through a join", tr.ID, f.Name),
						SevHigh, ConfHigh, "compiler", ClassSemanticDrift, r, sqlast.Location(use.Node))
				}
			}
			cal := c.Domain.Policy.Calendar
			if ts := traceDate(tr); ts != "" && cal.AsOf != "" {
				cal.AsOf = ts
			}
			if r := timeBounds(use, f, cal, tr.IR.TimeRange); len(r) > 0 {
				add(CheckTimeWindow, fmt.Sprintf("SQL of %s bounds %s outside time range %s", tr.ID, f.Name, tr.IR.TimeRange),
					SevWarning, ConfMedium, "compiler", ClassSemanticDrift, r, -1)
			}
		}
	}
	return ev
}

// traceDate is the trace timestamp's date (YYYY-MM-DD) or "".
func traceDate(tr *source.Trace) string {
	s := strings.Trim(string(tr.Timestamp), `"`)
	if len(s) < 10 {
		return ""
	}
	if _, err := time.Parse(time.DateOnly, s[:10]); err != nil {
		return ""
	}
	return s[:10]
}

// baseFinding fills the trace context and remediation fields.
func (c *Checker) baseFinding(tr *source.Trace) Finding {
	ev := EvImported
	if tr.EvidenceLevel != "" {
		ev = tr.EvidenceLevel
	}
	return Finding{
		CIGateCommand:       c.command,
		ReproducibleCommand: c.command,
		EvidenceLevel:       ev,
		Principal:           tr.Principal,
		SemanticIR:          normalizedIR(tr.IR),
		SQL:                 tr.SQL,
		Source:              tr.Source,
		RegressionCase:      tr.RegressionCase,
	}
}

func normalizedIR(ir *source.IR) *source.IR {
	if ir == nil {
		return nil
	}
	out := ir.Clone()
	slices.Sort(out.Dimensions)
	return out
}

// Metrics lists the policy's metric names in order (for mutation choices).
func (c *Checker) metricNames() []string { return spec.SortedKeys(c.Domain.Policy.Metrics) }
