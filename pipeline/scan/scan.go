package scan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/policystrata/policystrata/internal/progress"
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/pool"
	"github.com/policystrata/policystrata/pipeline/scan/config"
	"github.com/policystrata/policystrata/pipeline/scan/source"
	"github.com/policystrata/policystrata/pipeline/scan/sqlast"
)

// Options are a scan's inputs besides the config.
type Options struct {
	// Workers is the size of the evaluation pool (each with its own
	// parser); at least 1.
	Workers int
	// MutantLog, when set, receives each trace's mutants as a JSON line
	// as the scan goes (Result.Mutants then stays empty), so memory does
	// not grow with the number of traces.
	MutantLog *os.File
	// Progress, when set, is fed how many lines of the trace files are
	// scanned, of their total.
	Progress progress.Reporter
}

// Result is everything a scan produced, in input order.
type Result struct {
	Config   *config.Config
	Domain   *Domain
	Findings []Finding
	Gate     GateDecision
	Summary  Summary
	// Freeze holds sha256 digests of the config, the domain files and the
	// trace files: the inputs the result depends on.
	Freeze map[string]string
	// Mutants lists, per scanned trace id, its mutants' outcomes.
	Mutants []TraceMutants
}

// TraceMutants are the mutants of one trace.
type TraceMutants struct {
	Trace   string         `json:"trace"`
	Mutants []MutantResult `json:"mutants"`
}

// traceOutcome is one trace's evaluation, produced by a worker.
type traceOutcome struct {
	item      source.Item
	invalid   string
	findings  []Finding
	mutants   []MutantResult
	survivors []Finding
	compared  bool
}

var errAbort = errors.New("abort: invalid trace input")

// Run scans the traces of c against its domain. Config and input errors
// are strictyaml errors (exit 2); the gate's verdict is in the Result.
func Run(ctx context.Context, c *config.Config, opt Options) (*Result, error) {
	if opt.Workers < 1 {
		opt.Workers = 1
	}
	dom, err := LoadDomain(c)
	if err != nil {
		return nil, err
	}
	if err := source.CheckFiles(c.Dir, c.SQLTraces.Files); err != nil {
		return nil, err
	}
	p, err := sqlast.Open(ctx)
	if err != nil {
		return nil, err
	}
	chk, err := NewChecker(ctx, p, c, dom)
	p.Close()
	if err != nil {
		return nil, err
	}
	res := &Result{Config: c, Domain: dom, Summary: newSummary()}
	if res.Freeze, err = freeze(c, dom); err != nil {
		return nil, err
	}
	var findings []Finding
	// 1. required inputs
	for _, name := range c.Gate.RequiredInputs {
		if !inputPresent(c, name) {
			findings = append(findings, chk.requiredFinding(name))
		}
	}
	// 2. dbt
	dbtFindings, err := chk.inspectDBT()
	if err != nil {
		return nil, err
	}
	findings = append(findings, dbtFindings...)
	res.Summary.EvidenceExercised[EvImported] += len(c.DBT.Files)
	// 4-5. traces and their mutants
	var traceFindings []Finding
	var invalid *Finding
	traces, compared := 0, 0
	prog, lines := opt.Progress, traceLines{}
	if !reporting(prog) {
		prog = progress.Nop{}
	} else {
		lines = countTraceLines(c.Dir, c.SQLTraces.Files)
	}
	sink := func(o traceOutcome) error {
		if o.item.Err != nil || o.invalid != "" {
			f := chk.invalidFinding(o)
			invalid = &f
			return errAbort
		}
		traces++
		prog.Set(lines.at(o.item.Trace))
		if o.compared {
			compared++
		}
		traceFindings = append(traceFindings, o.findings...)
		traceFindings = append(traceFindings, o.survivors...)
		if len(o.mutants) > 0 {
			tm := TraceMutants{Trace: o.item.Trace.ID, Mutants: o.mutants}
			if opt.MutantLog != nil {
				b, err := json.Marshal(tm)
				if err != nil {
					return err
				}
				if _, err := opt.MutantLog.Write(append(b, '\n')); err != nil {
					return fmt.Errorf("write mutants: %w", err)
				}
			} else {
				res.Mutants = append(res.Mutants, tm)
			}
		}
		for _, m := range o.mutants {
			res.Summary.MutantStatuses[m.Status]++
			if res.Summary.Mutations[m.Kind] == nil {
				res.Summary.Mutations[m.Kind] = map[string]int{}
			}
			res.Summary.Mutations[m.Kind][m.Status]++
			if m.Status != StatusStillborn {
				res.Summary.EvidenceExercised[EvProperty]++
			}
		}
		return nil
	}
	// 3. the database: the embedded fixture shared by the workers'
	// sessions, or the configured PostgreSQL prepared once (schema and seed
	// scripts) before the workers connect
	pgReady, pgErr := false, error(nil)
	if c.DatabaseConfigured() && c.Database.UsesPostgres() {
		var r queryRunner
		if r, pgErr = chk.openPG(ctx); pgErr == nil {
			r.close()
			pgReady = true
		}
	}
	var duck *db.DuckDB
	if c.DatabaseConfigured() && !c.Database.UsesPostgres() && dom.Full != nil {
		if e, err := openDuckEngine(ctx, dom.Full); err == nil {
			duck = e
			defer duck.Close()
		}
	}
	newWorker := func(ctx context.Context) (pool.Worker[source.Item, traceOutcome], error) {
		wp, err := sqlast.Open(ctx)
		if err != nil {
			return nil, err
		}
		w := &worker{chk: chk, p: wp}
		switch {
		case duck != nil && c.Database.ExecuteImported():
			r, err := duckSession(ctx, duck, dom.Full, false)
			if err != nil {
				wp.Close()
				return nil, err
			}
			w.cmp = duckComparer(chk, r)
		case pgReady && c.Database.ExecuteImported() && dom.Full != nil:
			app, admin, err := chk.pgConns(ctx)
			if err != nil {
				wp.Close()
				return nil, fmt.Errorf("scan: %w", err)
			}
			w.cmp = pgComparer(chk, app, admin)
		}
		return w, nil
	}
	prog.Start(lines.total)
	err = pool.Run(ctx, opt.Workers, source.Stream(c.Dir, c.SQLTraces.Files), newWorker, sink)
	if err == nil {
		prog.Set(lines.total) // trailing blank lines and skipped records
	}
	prog.Finish()
	if err != nil && !errors.Is(err, errAbort) {
		return nil, fmt.Errorf("scan traces: %w", err)
	}
	// 6-7. RLS checks and state assertions
	dbFindings, dbRan, dbReady := chk.realDB(ctx, duck, pgReady, pgErr)
	if invalid != nil {
		findings = append(findings, *invalid)
		res.Mutants = nil
		if opt.MutantLog != nil {
			if err := opt.MutantLog.Truncate(0); err != nil {
				return nil, fmt.Errorf("write mutants: %w", err)
			}
			if _, err := opt.MutantLog.Seek(0, 0); err != nil {
				return nil, fmt.Errorf("write mutants: %w", err)
			}
		}
		res.Summary.MutantStatuses = map[string]int{}
		res.Summary.Mutations = map[string]map[string]int{}
		res.Summary.EvidenceExercised[EvProperty] = 0
	} else {
		findings = append(findings, traceFindings...)
		res.Summary.EvidenceExercised[EvImported] += traces
		res.Summary.Traces = traces
	}
	findings = append(findings, dbFindings...)
	res.Summary.EvidenceExercised[EvRealDB] += dbRan
	if invalid == nil {
		res.Summary.EvidenceExercised[EvRealDB] += compared
	}
	// unique ids, witness paths
	var u uniqueIDs
	for i := range findings {
		f := &findings[i]
		f.ID = u.next(f.ID)
		f.WitnessPath = "witnesses/" + f.ID + ".json"
		f.MinimalReproTrace = f.WitnessPath
		if f.Metadata == nil {
			f.Metadata = map[string]any{}
		}
		if f.Reasons == nil {
			f.Reasons = []string{}
		}
	}
	res.Findings = findings
	res.Gate = DecideGate(findings, c.FailOnHighConfidence())
	for i := range findings {
		res.Summary.count(&findings[i])
	}
	res.Summary.Gate = res.Gate.Outcome
	res.Summary.readiness(map[string]bool{
		"demo-ready":    len(dom.Policy.Principals) > 0,
		"fixture-ready": true,
		"trace-ready":   traces > 0 && invalid == nil,
		"db-ready":      dbReady && dbRan > 0,
		"ci-gate-ready": traces > 0 && invalid == nil && len(c.Gate.RequiredInputs) > 0 && c.FailOnHighConfidence(),
	}, res.Gate.FailingFindings)
	return res, nil
}

// worker evaluates traces with its own parser.
type worker struct {
	chk *Checker
	p   *sqlast.Parser
	// cmp compares authorised traces on the database fixture (nil: off).
	cmp *comparer
}

// Close releases the worker's parser and database session.
func (w *worker) Close() error {
	if w.cmp != nil {
		w.cmp.close()
	}
	return w.p.Close()
}

// Process parses and checks one trace, compares it on the database
// fixture and re-scans its mutants.
func (w *worker) Process(ctx context.Context, it source.Item) (traceOutcome, error) {
	o := traceOutcome{item: it}
	if it.Err != nil {
		return o, nil
	}
	tr := it.Trace
	st, err := Parse(ctx, w.p, tr.SQL)
	if err != nil {
		var pe *sqlast.ParseError
		if errors.As(err, &pe) {
			o.invalid = pe.Msg
			return o, nil
		}
		return o, err
	}
	ev := w.chk.evaluate(tr, st)
	o.findings = ev.Findings
	if w.cmp != nil && ev.Decision != nil && ev.Decision.Allowed && !hasParameters(st) {
		fs, err := w.cmp.compareTrace(ctx, tr, ev.Decision)
		if err != nil {
			return o, err
		}
		o.findings = append(o.findings, fs...)
		o.compared = true
	}
	c := w.chk.Config
	if c.FuzzEnabled() && c.MaxCasesPerTrace() > 0 {
		o.mutants, o.survivors, err = w.chk.fuzz(ctx, w.p, tr, st, ev, c.MaxCasesPerTrace(), c.FuzzSeed())
		if err != nil {
			return o, err
		}
	}
	return o, nil
}

// hasParameters reports whether the statement has bind placeholders (it
// cannot run without the application's values, so it is not executed).
func hasParameters(st *sqlast.Statement) bool {
	found := false
	sqlast.Walk(st.Root, func(n sqlast.Node) bool {
		found = found || sqlast.Class(n) == "PARAMETER"
		return !found
	})
	return found
}

// inputPresent reports whether a required input is configured.
func inputPresent(c *config.Config, name string) bool {
	switch name {
	case "dbt":
		return len(c.DBT.Files) > 0
	case "sql_traces":
		return len(c.SQLTraces.Files) > 0
	case "database":
		return c.DatabaseConfigured()
	case "state_assertions":
		return c.Database != nil && len(c.Database.StateAssertions) > 0
	}
	return false
}

func (c *Checker) requiredFinding(name string) Finding {
	f := Finding{
		Check: CheckMissingRequired, ID: SanitizeID("missing_required_" + name),
		Title:    fmt.Sprintf("Required input %s is not configured", name),
		Severity: SevCritical, Confidence: ConfHigh, Surface: "manifest", Owner: "manifest", WitnessClass: ClassOverRestrictive,
		EvidenceLevel: EvFixture, RegressionCase: "unclassified",
		Reasons:       []string{fmt.Sprintf("gate.required_inputs names %s, but the config provides none", name)},
		CIGateCommand: c.command, ReproducibleCommand: c.command,
		Location: &Location{File: filepath.Base(c.Config.Path), SQLOffset: -1},
		Metadata: map[string]any{"input": name},
	}
	f.WhatChanged, f.ProbableFix = whatChanged[f.WitnessClass], fmt.Sprintf("Configure %s in %s or drop it from gate.required_inputs.", name, filepath.Base(c.Config.Path))
	return f
}

func (c *Checker) invalidFinding(o traceOutcome) Finding {
	var msg string
	loc := &Location{SQLOffset: -1}
	if o.item.Err != nil {
		msg = o.item.Err.Error()
		loc.File, loc.Line = o.item.Err.File, o.item.Err.Line
	} else {
		tr := o.item.Trace
		msg = (&source.LoadError{File: tr.File, Line: tr.Line, Msg: o.invalid}).Error()
		loc.File, loc.Line = tr.File, tr.Line
	}
	f := Finding{
		Check: CheckInvalidInput, ID: CheckInvalidInput,
		Title:    "Imported SQL traces are invalid",
		Severity: SevCritical, Confidence: ConfHigh, Surface: "grammar", Owner: "grammar", WitnessClass: ClassOverPermissive,
		EvidenceLevel: EvImported, RegressionCase: "unclassified",
		Reasons:       []string{msg},
		CIGateCommand: c.command, ReproducibleCommand: c.command,
		Location: loc, Metadata: map[string]any{},
	}
	f.WhatChanged = "The trace export breaks the trace contract, so no trace was checked."
	f.ProbableFix = "Fix the trace export (one JSON object per line with id, principal and a single read-only SELECT in sql) and re-run the scan."
	return f
}

// freeze hashes the config, the domain files and the trace files.
func freeze(c *config.Config, d *Domain) (map[string]string, error) {
	out := map[string]string{}
	h, err := hashFile(c.Path)
	if err != nil {
		return nil, err
	}
	out["config"] = h
	for name, v := range d.Hashes {
		out["domain/"+name] = v
	}
	for _, f := range c.SQLTraces.Files {
		if !config.StaysUnder(f) {
			continue
		}
		h, err := hashFile(filepath.Join(c.Dir, f))
		if err != nil {
			return nil, err
		}
		out["traces/"+filepath.ToSlash(f)] = h
	}
	return out, nil
}

func hashFile(p string) (string, error) {
	fh, err := os.Open(p)
	if err != nil {
		return "", fmt.Errorf("hash input: %w", err)
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return "", fmt.Errorf("hash input: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
