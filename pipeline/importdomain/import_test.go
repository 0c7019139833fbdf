package importdomain_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/policystrata/policystrata/pipeline/importdomain"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
	"github.com/policystrata/policystrata/suites"
)

func load(t *testing.T, res *importdomain.Result, name string) *spec.Domain {
	t.Helper()
	fsys := fstest.MapFS{}
	for p, data := range res.Files {
		fsys[p] = &fstest.MapFile{Data: data}
	}
	d, err := spec.LoadDomain(fsys, name, name)
	if err != nil {
		t.Fatalf("converted %s does not load: %v", name, err)
	}
	return d
}

// Each of the reference's three domains converts into a domain that loads,
// with the tenancy, ownership and dialect the SQL implies, its seed rows as
// the state, and its seeded suite loading unchanged; the conversion is
// deterministic.
func TestImportReferenceDomains(t *testing.T) {
	cases := []struct {
		name              string
		tenancy           spec.Tenancy
		dialect           string
		tables            int
		owners            map[string]string
		seededTasks       int
		inferred, persons []string
	}{
		{name: "support_saas", tenancy: spec.Tenancy{Table: "tenants", Column: "accounts.tenant_id", LegacyColumn: "accounts.legacy_tenant_id", LegacyKey: "tenants.id"},
			dialect: "duckdb", tables: 7, seededTasks: 50,
			owners:   map[string]string{"accounts": "tenant_id", "invoices": "subscription_id", "support_tickets": "account_id", "ticket_events": "ticket_id", "agents": "tenant_id"},
			inferred: []string{"tenant column accounts.tenant_id"},
			persons:  []string{"legacy tenant column accounts.legacy_tenant_id: the schema has no per-tenant legacy key", "0 of its 4 seed rows hold a current tenant id", "added support_tickets.created_at"}},
		{name: "finance_saas", tenancy: spec.Tenancy{Table: "firms", Column: "households.firm_id", LegacyColumn: "households.legacy_firm_id", LegacyKey: "firms.id"},
			dialect: "duckdb", tables: 6, seededTasks: 20,
			owners:  map[string]string{"advisors": "firm_id", "households": "firm_id", "accounts": "household_id"},
			persons: []string{"added table firms(id)"}},
		{name: "analytics_clickhouse", tenancy: spec.Tenancy{Table: "projects", Column: "events.project_id", LegacyColumn: "events.legacy_project_id", LegacyKey: "projects.id", Timezone: "projects.timezone"},
			dialect: "clickhouse", tables: 4, seededTasks: 100,
			owners: map[string]string{"events": "project_id", "sessions": "project_id", "events_mv": "project_id"},
			inferred: []string{"table events: primary key event_id", "foreign key events.session_id -> sessions.session_id",
				"materialized view events_mv: table events_mv over events, keys project_id, event_name, day (UTC day of events.event_time), aggregates events_state (count of events.event_id), users_state (count_distinct of events.user_id)",
				"materialized view events_mv: granted to no role, as in the SQL", "added events.sample_key, a hash of event_id"},
			persons: []string{`metric sampled_events reads table "events_sampled", which the SQL does not create: converted as a SAMPLE 0.1 of events (sample_by sample_key`,
				"12 task(s) of aggregate_small_cohort_release will be accounted invalid"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := "testdata/reference/" + c.name
			opts := importdomain.Options{Name: c.name, FiscalMonthStartDay: 26}
			res, err := importdomain.Import(context.Background(), os.DirFS(dir), dir, opts)
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			d := load(t, res, c.name)
			got := d.Policy.Tenancy
			got.Lines = nil
			if !reflect.DeepEqual(got, c.tenancy) || d.Policy.SQLDialect() != c.dialect || len(d.Schema.Tables) != c.tables {
				t.Errorf("tenancy %+v dialect %s tables %d; want %+v %s %d", d.Policy.Tenancy, d.Policy.SQLDialect(), len(d.Schema.Tables), c.tenancy, c.dialect, c.tables)
			}
			for table, via := range c.owners {
				if tt := d.Schema.Table(table); tt == nil || tt.OwnerVia != via {
					t.Errorf("table %s: owner_via want %s, got %+v", table, via, tt)
				}
			}
			for _, ts := range d.State.Tables {
				if ts.PerParent != nil || len(ts.Columns) > 0 {
					t.Errorf("state table %s generates rows; want only the seed's explicit rows", ts.Table)
				}
			}
			s, err := suites.Load(d, "seeded")
			if err != nil {
				t.Fatalf("the reference seeded suite does not load on the converted domain: %v", err)
			}
			if s.Count() != c.seededTasks {
				t.Errorf("seeded suite has %d tasks, want %d", s.Count(), c.seededTasks)
			}
			report := res.Report.String()
			if string(res.Files[importdomain.ReportFile]) != report {
				t.Errorf("the report file differs from the printed report")
			}
			for _, want := range c.inferred {
				if !containsLine(res.Report.Inferred, want) {
					t.Errorf("report's inferred items lack %q:\n%s", want, report)
				}
			}
			for _, want := range c.persons {
				if !containsLine(res.Report.NeedsPerson, want) {
					t.Errorf("report's needs-a-person items lack %q:\n%s", want, report)
				}
			}
			if strings.Contains(report, "does not load") {
				t.Errorf("a suite does not load:\n%s", report)
			}
			again, err := importdomain.Import(context.Background(), os.DirFS(dir), dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			for p, data := range res.Files {
				if !bytes.Equal(data, again.Files[p]) {
					t.Errorf("%s differs between two conversions", p)
				}
			}
		})
	}
}

func containsLine(items []string, sub string) bool {
	for _, it := range items {
		if strings.Contains(it, sub) {
			return true
		}
	}
	return false
}

// referenceFS is the support_saas reference directory with files replaced.
func referenceFS(t *testing.T, replace map[string]string) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, f := range []string{"policy.yaml", "surfaces.yaml", "schema.sql", "seed.sql", "tasks/seeded.yaml"} {
		data, err := os.ReadFile("testdata/reference/support_saas/" + f)
		if err != nil {
			t.Fatal(err)
		}
		fsys[f] = &fstest.MapFile{Data: data}
	}
	for f, body := range replace {
		if body == "" {
			delete(fsys, f)
			continue
		}
		fsys[f] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

func TestImportErrors(t *testing.T) {
	schema, err := os.ReadFile("testdata/reference/support_saas/schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		replace map[string]string
		want    string
	}{
		{"missing seed", map[string]string{"seed.sql": ""}, "ref/seed.sql: missing reference domain file"},
		{"bad type", map[string]string{"schema.sql": "create table t (\n  id frobnicate\n);"}, "ref/schema.sql:1: DuckDB cannot create table t"},
		{"unknown statement", map[string]string{"schema.sql": string(schema) + "\nfrobnicate everything;\n"}, "ref/schema.sql:124: statement not understood: frobnicate everything"},
		{"seed into unknown table", map[string]string{"seed.sql": "insert into nowhere values (1);"}, "ref/seed.sql:1: DuckDB cannot insert the seed rows of nowhere"},
		{"seed not an insert", map[string]string{"seed.sql": "\n\nselect 1;"}, "ref/seed.sql:3: seed statement not understood"},
		{"policy unknown field", map[string]string{"policy.yaml": "version: v1\ncolour: red\n"}, `ref/policy.yaml:2: unknown field "colour"`},
		{"no tenant column", map[string]string{"schema.sql": "create table t (id integer primary key, d date);", "seed.sql": "insert into t values (1, '2026-01-01');"}, "cannot infer the tenant column"},
		{"principal with an unknown role", map[string]string{"policy.yaml": "version: v1\nprincipals: {a: {id: a, role: ghost, tenant_ids: [acme]}}\nroles: {r: {max_rows: 1, max_cost: 1}}\nmetrics: {m: {expression: count(), table: accounts}}\n"}, `ref/policy.yaml:2: principal a: unknown role "ghost"`},
		{"converted domain would not load", map[string]string{"policy.yaml": "version: v1\nprincipals: {a: {id: b, role: r, tenant_ids: [acme]}}\nroles: {r: {max_rows: 1, max_cost: 1}}\nmetrics: {m: {expression: count(), table: invoices}}\n"}, "ref: the converted domain would not load: support_saas/policy.yaml:"},
		{"seed over the row limit", map[string]string{"seed.sql": "insert into tenants (id, name) select 't' || i, 'n' from range(100001) r(i);"}, "ref/seed.sql: the seed holds 100001 rows, over the limit of 100000"},
		{"composite key", map[string]string{"schema.sql": "create table t (a integer, b integer, primary key (a, b));", "seed.sql": "insert into t values (1, 2);"}, "composite primary key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := importdomain.Import(context.Background(), referenceFS(t, c.replace), "ref", importdomain.Options{Name: "support_saas"})
			var se *strictyaml.Error
			if !errors.As(err, &se) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want a path:line input error containing %q", err, c.want)
			}
		})
	}
}

func TestIsReference(t *testing.T) {
	if !importdomain.IsReference(os.DirFS("testdata/reference/support_saas")) {
		t.Error("the reference support_saas is not recognised")
	}
	if importdomain.IsReference(os.DirFS("../../domains/support_saas")) {
		t.Error("this project's support_saas is taken for a reference directory")
	}
}

// FuzzImportPolicy feeds arbitrary policy.yaml text to the importer with the
// reference support_saas SQL: it returns an input error or a domain that
// loads, and never panics.
func FuzzImportPolicy(f *testing.F) {
	data, err := os.ReadFile("testdata/reference/support_saas/policy.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))
	f.Add("version: v1\nprincipals: {a: {id: a, role: r, tenant_ids: [acme]}}\nroles: {r: {max_rows: 1, max_cost: 1}}\nmetrics: {m: {expression: count(), table: accounts}}\n")
	f.Fuzz(func(t *testing.T, policy string) {
		fsys := referenceFS(t, map[string]string{"policy.yaml": policy, "tasks/seeded.yaml": ""})
		res, err := importdomain.Import(context.Background(), fsys, "ref", importdomain.Options{Name: "fz"})
		if err != nil {
			return
		}
		load(t, res, "fz")
	})
}

// The seed's SQL runs without file access: a seed that reads a local file is
// refused as bad input.
func TestSeedCannotReadFiles(t *testing.T) {
	seed := "insert into tenants (id, name) select 'x', content from read_text('import_test.go');"
	_, err := importdomain.Import(context.Background(), referenceFS(t, map[string]string{"seed.sql": seed}), "ref", importdomain.Options{Name: "support_saas"})
	var se *strictyaml.Error
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "ref/seed.sql:1: DuckDB cannot insert the seed rows of tenants") {
		t.Errorf("err = %v, want the seed refused", err)
	}
}

// FuzzImportSQL feeds arbitrary schema.sql and seed.sql text to the
// importer with the reference support_saas policy: it returns an error or a
// domain that loads, and never panics.
func FuzzImportSQL(f *testing.F) {
	schema, err := os.ReadFile("testdata/reference/support_saas/schema.sql")
	if err != nil {
		f.Fatal(err)
	}
	seed, err := os.ReadFile("testdata/reference/support_saas/seed.sql")
	if err != nil {
		f.Fatal(err)
	}
	ch, err := os.ReadFile("testdata/reference/analytics_clickhouse/schema.sql")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(schema), string(seed))
	f.Add(string(ch), "insert into projects values ('a', 'o', 'n', 'UTC');")
	f.Add("create table tenants (id text primary key); create table accounts (id integer primary key, tenant_id text references tenants(id), d date);",
		"insert into tenants values ('acme'); insert into accounts values (1, 'acme', '2026-05-01');")
	f.Fuzz(func(t *testing.T, schemaSQL, seedSQL string) {
		fsys := referenceFS(t, map[string]string{"schema.sql": schemaSQL, "seed.sql": seedSQL, "tasks/seeded.yaml": ""})
		res, err := importdomain.Import(context.Background(), fsys, "ref", importdomain.Options{Name: "fz"})
		if err != nil {
			return
		}
		load(t, res, "fz")
	})
}
