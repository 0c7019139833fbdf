package importdomain

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	// the DuckDB driver reads the reference's SQL
	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// Options are what a person may state that the reference files do not.
type Options struct {
	// Name is the converted domain's name (the output directory's base
	// name, which is how run --domain-path names it); suites are checked
	// against it. Empty uses the base name of the source label.
	Name string
	// AsOf is the evaluation date (YYYY-MM-DD); empty infers the first day
	// of the month after the latest date in the seed.
	AsOf string
	// FiscalMonthStartDay is the day fiscal months start on (1..28); 0
	// means 1 (fiscal months are calendar months).
	FiscalMonthStartDay int
	// FiscalYearStartMonth is the month the fiscal year starts (1..12); 0
	// means 1.
	FiscalYearStartMonth int
	// MinCohortSize, when positive, is given to every aggregate-only role:
	// the fewest distinct CohortKey values a released group must hold (the
	// reference's release gate withholds small cohorts, but its files state
	// no threshold).
	MinCohortSize int
	// CohortKey is the qualified column whose distinct values count a
	// group's cohort; empty infers a user_id column of the metrics' table.
	CohortKey string
}

func (o Options) check() error {
	if o.FiscalMonthStartDay < 0 || o.FiscalMonthStartDay > 28 {
		return strictyaml.Errorf("--fiscal-month-start-day", 0, "must be 1..28")
	}
	if o.FiscalYearStartMonth < 0 || o.FiscalYearStartMonth > 12 {
		return strictyaml.Errorf("--fiscal-year-start-month", 0, "must be 1..12")
	}
	if o.MinCohortSize < 0 {
		return strictyaml.Errorf("--min-cohort-size", 0, "must not be negative")
	}
	if o.CohortKey != "" && o.MinCohortSize == 0 {
		return strictyaml.Errorf("--cohort-key", 0, "needs --min-cohort-size")
	}
	if o.AsOf != "" {
		if _, err := spec.ParseDate(o.AsOf); err != nil {
			return strictyaml.Errorf("--as-of", 0, "%v", err)
		}
	}
	if o.Name != "" && !spec.ValidID(o.Name) {
		return strictyaml.Errorf("--out", 0, "domain name %q is not a safe id", o.Name)
	}
	return nil
}

// Result is a converted domain: its files by relative path, and the report.
type Result struct {
	Files  map[string][]byte
	Report *Report
}

// ReferenceFiles are the files that mark a directory as a reference domain.
var ReferenceFiles = []string{"schema.sql", "seed.sql"}

// IsReference reports whether fsys holds a reference domain (schema.sql and
// seed.sql) rather than this project's format (schema.yaml).
func IsReference(fsys fs.FS) bool {
	if _, err := fs.Stat(fsys, "schema.yaml"); err == nil {
		return false
	}
	for _, f := range ReferenceFiles {
		if _, err := fs.Stat(fsys, f); err != nil {
			return false
		}
	}
	return true
}

// Import converts the reference domain in fsys; label names it in messages.
// Input errors are *strictyaml.Error values (`path:line: message`).
func Import(ctx context.Context, fsys fs.FS, label string, opts Options) (*Result, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	read := func(name string, optional bool) ([]byte, error) {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				if optional {
					return nil, nil
				}
				return nil, strictyaml.Errorf(path.Join(label, name), 0, "missing reference domain file")
			}
			return nil, strictyaml.Errorf(path.Join(label, name), 0, "cannot read: %v", err)
		}
		if len(data) > MaxFileBytes {
			return nil, strictyaml.Errorf(path.Join(label, name), 0, "file is larger than %d bytes", MaxFileBytes)
		}
		return data, nil
	}
	files := map[string][]byte{}
	for _, name := range []string{"policy.yaml", "surfaces.yaml", "schema.sql", "seed.sql"} {
		data, err := read(name, false)
		if err != nil {
			return nil, err
		}
		files[name] = data
	}
	rp, err := read("row_policies.sql", true)
	if err != nil {
		return nil, err
	}
	tasks, err := readTasks(fsys, label)
	if err != nil {
		return nil, err
	}

	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("open duckdb: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	// the SQL comes from the user's files: no file, network or extension
	// access, and no way to switch it back on
	for _, set := range []string{"SET enable_external_access = false", "SET lock_configuration = true"} {
		if _, err := db.ExecContext(ctx, set); err != nil {
			return nil, fmt.Errorf("open duckdb: %w", err)
		}
	}
	facts := &sqlFacts{OrderBy: map[string][]string{}, RLS: map[string]bool{}}
	at := func(n string) string { return path.Join(label, n) }
	if err := schemaSQL(ctx, db, at("schema.sql"), Split(string(files["schema.sql"])), facts); err != nil {
		return nil, err
	}
	if len(facts.Tables) == 0 {
		return nil, strictyaml.Errorf(at("schema.sql"), 0, "no CREATE TABLE statement")
	}
	if rp != nil {
		if err := rowPoliciesSQL(at("row_policies.sql"), Split(string(rp)), facts); err != nil {
			return nil, err
		}
	}
	if err := seedSQL(ctx, db, at("seed.sql"), Split(string(files["seed.sql"])), facts); err != nil {
		return nil, err
	}
	tables, err := readCatalog(ctx, db, facts.Tables)
	if err != nil {
		return nil, err
	}
	rows := 0
	for _, t := range tables {
		rows += len(t.Rows)
	}
	if rows > MaxSeedRows {
		return nil, strictyaml.Errorf(at("seed.sql"), 0, "the seed holds %d rows, over the limit of %d: they become explicit rows of state.yaml; keep a small seed and describe larger states with state.yaml's generators", rows, MaxSeedRows)
	}
	pol, err := decodePolicy(at("policy.yaml"), files["policy.yaml"])
	if err != nil {
		return nil, err
	}
	if opts.Name == "" {
		opts.Name = path.Base(label)
	}
	c := &conv{label: label, facts: facts, tables: tables, ref: pol, opts: opts, rep: &Report{Source: label}, tasks: tasks}
	if err := c.run(); err != nil {
		return nil, err
	}
	c.rep.Skipped = append(c.rep.Skipped, facts.Skipped...)
	for _, p := range facts.Policies {
		c.rep.skip("%s: row policy %s on %s (USING %s) not carried over: the engines build tenant isolation from each table's owner_via", p.Where, p.Name, p.Table, p.Using)
	}
	out, err := c.emit(files["surfaces.yaml"], tasks)
	if err != nil {
		return nil, err
	}
	if err := c.check(out); err != nil {
		return nil, err
	}
	out[ReportFile] = []byte(c.rep.String())
	return &Result{Files: out, Report: c.rep}, nil
}

// MaxSeedRows bounds the seed's rows (all tables): each becomes an explicit
// row of the converted state.yaml, whose file size is capped too.
const MaxSeedRows = 100_000

// MaxFileBytes bounds each reference file the importer reads.
const MaxFileBytes = 16 << 20

// readTasks reads tasks/*.yaml in name order.
func readTasks(fsys fs.FS, label string) (map[string][]byte, error) {
	out := map[string][]byte{}
	entries, err := fs.ReadDir(fsys, "tasks")
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, strictyaml.Errorf(path.Join(label, "tasks"), 0, "cannot read: %v", err)
	}
	names := []string{}
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".yaml") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		p := path.Join("tasks", n)
		if !spec.ValidID(strings.TrimSuffix(n, ".yaml")) {
			return nil, strictyaml.Errorf(path.Join(label, p), 0, "suite file name is not a safe suite name")
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, strictyaml.Errorf(path.Join(label, p), 0, "cannot read: %v", err)
		}
		if len(data) > MaxFileBytes {
			return nil, strictyaml.Errorf(path.Join(label, p), 0, "file is larger than %d bytes", MaxFileBytes)
		}
		out[p] = data
	}
	return out, nil
}
