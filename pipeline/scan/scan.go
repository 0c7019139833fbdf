package scan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
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
	// Findings, when set, receives the findings as the lines of
	// findings.jsonl, in output order, as the scan goes (Result.Findings
	// then stays empty): with MutantLog, the scan's memory is bounded
	// whatever the number of traces.
	Findings *os.File
	// Progress, when set, is fed how many lines of the trace files are
	// scanned, of their total.
	Progress progress.Reporter
}

// Result is everything a scan produced, in input order.
type Result struct {
	Config *config.Config
	Domain *Domain
	// Findings are the findings in output order, unless they were written
	// to Options.Findings.
	Findings []Finding
	// Severe counts the high and critical findings.
	Severe  int
	Gate    GateDecision
	Summary Summary
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
	// notExecuted is true when the comparison could not run the SQL.
	notExecuted bool
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
	col := newCollector(opt.Findings, c.FailOnHighConfidence())
	// 1. required inputs
	for _, name := range c.Gate.RequiredInputs {
		if !inputPresent(c, name) {
			if err := col.add(chk.requiredFinding(name)); err != nil {
				return nil, err
			}
		}
	}
	// 2. dbt
	dbtFindings, err := chk.inspectDBT()
	if err != nil {
		return nil, err
	}
	for _, f := range dbtFindings {
		if err := col.add(f); err != nil {
			return nil, err
		}
	}
	res.Summary.EvidenceExercised[EvImported] += len(c.DBT.Files)
	// 4-5. traces and their mutants: findings go to the collector in
	// input order; the first invalid trace rewinds it to this mark
	beforeTraces := col.mark()
	var invalid *Finding
	traces, compared, notExecuted := 0, 0, 0
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
		if o.notExecuted {
			notExecuted++
		}
		for _, fs := range [][]Finding{o.findings, o.survivors} {
			for _, f := range fs {
				if err := col.add(f); err != nil {
					return err
				}
			}
		}
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
	var pg *pgFixture
	var pgErr error
	if c.DatabaseConfigured() && c.Database.UsesPostgres() {
		if pg, pgErr = preparePG(ctx, c); pgErr == nil {
			defer pg.close()
		} else {
			pg = nil
		}
	}
	var duck *db.DuckDB
	if c.DatabaseConfigured() && !c.Database.UsesPostgres() && dom.Full != nil {
		if e, err := openDuckEngine(ctx, dom.Full); err == nil {
			duck = e
			defer duck.Close()
		}
	}
	newWorker := func(ctx context.Context) (pool.Worker[[]source.Item, []traceOutcome], error) {
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
		case pg != nil && c.Database.ExecuteImported() && dom.Full != nil:
			app, admin, err := pg.conns(ctx)
			if err != nil {
				wp.Close()
				return nil, fmt.Errorf("scan: %w", err)
			}
			w.cmp = pgComparer(chk, app, admin)
		}
		return w, nil
	}
	batchSink := func(os []traceOutcome) error {
		for _, o := range os {
			if err := sink(o); err != nil {
				return err
			}
		}
		return nil
	}
	prog.Start(lines.total)
	err = pool.Run(ctx, opt.Workers, batches(source.Stream(c.Dir, c.SQLTraces.Files), batchSize), newWorker, batchSink)
	if err == nil {
		prog.Set(lines.total) // trailing blank lines and skipped records
	}
	prog.Finish()
	if err != nil && !errors.Is(err, errAbort) {
		return nil, fmt.Errorf("scan traces: %w", err)
	}
	// 6-7. RLS checks and state assertions
	dbFindings, dbRan, dbReady := chk.realDB(ctx, duck, pg, pgErr)
	if invalid != nil {
		if err := col.rewind(beforeTraces); err != nil {
			return nil, err
		}
		if err := col.add(*invalid); err != nil {
			return nil, err
		}
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
		res.Summary.EvidenceExercised[EvImported] += traces
		res.Summary.Traces = traces
	}
	for _, f := range dbFindings {
		if err := col.add(f); err != nil {
			return nil, err
		}
	}
	if err := col.flush(); err != nil {
		return nil, err
	}
	res.Summary.EvidenceExercised[EvRealDB] += dbRan
	if invalid == nil {
		res.Summary.EvidenceExercised[EvRealDB] += compared
		if notExecuted > 0 {
			res.Summary.NotExecuted = map[string]int{NotExecutedBindParameters: notExecuted}
		}
	}
	res.Findings, res.Severe = col.kept, col.severe
	res.Gate = col.gate.decision()
	col.into(&res.Summary)
	res.Summary.Gate = res.Gate.Outcome
	res.Summary.readiness(map[string]bool{
		"demo-ready":    len(dom.Policy.Principals) > 0,
		"fixture-ready": true,
		"trace-ready":   traces > 0 && invalid == nil,
		"db-ready":      dbReady && dbRan > 0,
		"ci-gate-ready": traces > 0 && invalid == nil && len(c.Gate.RequiredInputs) > 0 && c.FailOnHighConfidence(),
	}, res.Gate.FailingFindings, res.Gate.FailingOmitted)
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

// batchSize is how many traces a worker takes at once: their statements
// are parsed in one call (see sqlast.ParseBatch).
const batchSize = 64

// batches groups src into slices of up to size items, in order.
func batches(src iter.Seq[source.Item], size int) iter.Seq[[]source.Item] {
	return func(yield func([]source.Item) bool) {
		var b []source.Item
		for it := range src {
			b = append(b, it)
			if len(b) == size {
				if !yield(b) {
					return
				}
				b = nil
			}
		}
		if len(b) > 0 {
			yield(b)
		}
	}
}

// Process parses a batch of traces in one parser call, then checks each,
// compares it on the database fixture and re-scans its mutants.
func (w *worker) Process(ctx context.Context, items []source.Item) ([]traceOutcome, error) {
	var texts []string
	for _, it := range items {
		if it.Err == nil {
			texts = append(texts, it.Trace.SQL)
		}
	}
	sts, perrs, err := w.p.ParseBatch(ctx, texts)
	if err != nil {
		return nil, err
	}
	out := make([]traceOutcome, len(items))
	k := 0
	for i, it := range items {
		if it.Err != nil {
			out[i] = traceOutcome{item: it}
			continue
		}
		st, perr := sts[k], perrs[k]
		k++
		if perr == nil {
			if err := readOnly(st); err != nil {
				perr = &sqlast.ParseError{Kind: sqlast.ErrNotSelect, Msg: err.Error()}
			}
		}
		if out[i], err = w.processOne(ctx, it, st, perr); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// processOne checks one parsed trace (perr: why its SQL was not accepted).
func (w *worker) processOne(ctx context.Context, it source.Item, st *sqlast.Statement, perr error) (traceOutcome, error) {
	o := traceOutcome{item: it}
	tr := it.Trace
	if perr != nil {
		var pe *sqlast.ParseError
		if errors.As(perr, &pe) {
			o.invalid = pe.Msg
			return o, nil
		}
		return o, perr
	}
	var err error
	ev := w.chk.evaluate(tr, st)
	o.findings = ev.Findings
	if w.cmp != nil && ev.Decision != nil && ev.Decision.Allowed {
		fs, run, err := w.cmp.compareTrace(ctx, tr, st, ev)
		if err != nil {
			return o, err
		}
		o.findings = append(o.findings, fs...)
		o.compared, o.notExecuted = run, !run
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
