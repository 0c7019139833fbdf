package spec_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// builtinDir is the support_saas fixture directory, read from disk so this
// package's tests do not depend on the domains package.
const builtinDir = "../../domains/support_saas"

// supportFiles returns a fresh in-memory copy of the support_saas files.
func supportFiles(t testing.TB) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, f := range append(append([]string{}, spec.DomainFiles...), "tasks/seeded.yaml") {
		data, err := os.ReadFile(filepath.Join(builtinDir, filepath.FromSlash(f)))
		if err != nil {
			t.Fatalf("read fixture: %v", err)
		}
		fsys[f] = &fstest.MapFile{Data: data}
	}
	return fsys
}

func loadSupport(t testing.TB) *spec.Domain {
	t.Helper()
	d, err := spec.LoadDomain(supportFiles(t), "support_saas", "dom")
	if err != nil {
		t.Fatalf("LoadDomain: %v", err)
	}
	return d
}

// edit replaces the single occurrence of old in file with new.
func edit(t *testing.T, fsys fstest.MapFS, file, old, new string) {
	t.Helper()
	data := string(fsys[file].Data)
	if n := strings.Count(data, old); n != 1 {
		t.Fatalf("%s: %q occurs %d times, want exactly once", file, old, n)
	}
	fsys[file] = &fstest.MapFile{Data: []byte(strings.Replace(data, old, new, 1))}
}

// editRE replaces the single match of pattern in file with repl.
func editRE(t *testing.T, fsys fstest.MapFS, file, pattern, repl string) {
	t.Helper()
	re := regexp.MustCompile(pattern)
	data := fsys[file].Data
	if n := len(re.FindAllIndex(data, -1)); n != 1 {
		t.Fatalf("%s: /%s/ matches %d times, want exactly once", file, pattern, n)
	}
	fsys[file] = &fstest.MapFile{Data: re.ReplaceAll(data, []byte(repl))}
}

// lineOf is the 1-based line of the first occurrence of at that starts at or
// after the first occurrence of after ("" for the start of data).
func lineOf(t testing.TB, data []byte, after, at string) int {
	t.Helper()
	s := string(data)
	from := strings.Index(s, after)
	if from < 0 {
		t.Fatalf("%q not found", after)
	}
	i := strings.Index(s[from:], at)
	if i < 0 {
		t.Fatalf("%q not found after %q", at, after)
	}
	return strings.Count(s[:from+i], "\n") + 1
}

func TestLoadDomainSupportSaaS(t *testing.T) {
	fsys := supportFiles(t)
	d, err := spec.LoadDomain(fsys, "support_saas", "builtin:support_saas")
	if err != nil {
		t.Fatalf("LoadDomain: %v", err)
	}
	if d.Name != "support_saas" || d.Label != "builtin:support_saas" || d.FS == nil {
		t.Errorf("Name/Label/FS = %q/%q/%v", d.Name, d.Label, d.FS)
	}
	if len(d.Hashes) != len(spec.DomainFiles) {
		t.Errorf("Hashes has %d entries, want %d", len(d.Hashes), len(spec.DomainFiles))
	}
	for _, f := range spec.DomainFiles {
		sum := sha256.Sum256(fsys[f].Data)
		if got, want := d.Hashes[f], hex.EncodeToString(sum[:]); got != want {
			t.Errorf("Hashes[%s] = %s, want %s", f, got, want)
		}
		if got := spec.SHA256Hex(fsys[f].Data); got != d.Hashes[f] {
			t.Errorf("SHA256Hex(%s) = %s, want %s", f, got, d.Hashes[f])
		}
	}
	// Line fields point back into the files.
	stateTable := func(name string) *spec.TableState {
		for _, ts := range d.State.Tables {
			if ts.Table == name {
				return ts
			}
		}
		t.Fatalf("no state settings for %s", name)
		return nil
	}
	pol, sch, st := fsys["policy.yaml"].Data, fsys["schema.yaml"].Data, fsys["state.yaml"].Data
	lines := []struct {
		what      string
		got, want int
	}{
		{"principal acme_analyst", d.Policy.Principals["acme_analyst"].Line, lineOf(t, pol, "", "id: acme_analyst")},
		{"principal beta_analyst", d.Policy.Principals["beta_analyst"].Line, lineOf(t, pol, "", "id: beta_analyst")},
		{"role analyst", d.Policy.Roles["analyst"].Line, lineOf(t, pol, "  analyst:\n", "allowed_metrics")},
		{"metric net_revenue", d.Policy.Metrics["net_revenue"].Line, lineOf(t, pol, "", "expression: sum(invoices.net_amount_cents)")},
		{"dimension customer_email", d.Policy.Dimensions["customer_email"].Line, lineOf(t, pol, "", "column: accounts.customer_email")},
		{"table tenants", d.Schema.Table("tenants").Line, lineOf(t, sch, "", "- name: tenants")},
		{"table ticket_events", d.Schema.Table("ticket_events").Line, lineOf(t, sch, "", "- name: ticket_events")},
		{"state table accounts", stateTable("accounts").Line, lineOf(t, st, "", "- table: accounts")},
		{"generator accounts.region", stateTable("accounts").Columns["region"].Line, lineOf(t, st, "", "region: {choice")},
		{"generator invoices.invoice_date", stateTable("invoices").Columns["invoice_date"].Line, lineOf(t, st, "invoice_date:", "date_between")},
	}
	for _, l := range lines {
		if l.got != l.want || l.got == 0 {
			t.Errorf("%s: Line = %d, want %d", l.what, l.got, l.want)
		}
	}
	if d.State.Seed == 0 {
		t.Errorf("state seed = %d", d.State.Seed)
	}
	if c := d.Policy.Calendar; c.AsOf != "2026-06-15" || c.FiscalMonthStartDay != 26 || c.FiscalYearStartMonth != 2 || c.Lines["as_of"] != 10 {
		t.Errorf("calendar = %+v", d.Policy.Calendar)
	}
}

// TestLoadDomainMutations applies one mutation to a copy of the support_saas
// files and checks the exact `file:line: message` LoadDomain reports.
func TestLoadDomainMutations(t *testing.T) {
	type change struct{ file, old, new string }
	tests := []struct {
		name    string
		changes []change // old "re:PATTERN" replaces the single regexp match
		remove  string
		// the expected line is the line of the first occurrence of at (at or
		// after the first occurrence of after) in the mutated file; want
		// holds it as %d
		after, at string
		want      string
	}{
		// policy.yaml
		{
			name:    "principal with unknown role",
			changes: []change{{"policy.yaml", "    id: beta_analyst\n    role: analyst", "    id: beta_analyst\n    role: auditor"}},
			at:      "    id: beta_analyst\n    role: auditor",
			want:    `dom/policy.yaml:%d: principal beta_analyst: unknown role "auditor"`,
		},
		{
			name:    "principal id differs from its key",
			changes: []change{{"policy.yaml", "    id: beta_analyst\n", "    id: gamma_analyst\n"}},
			at:      "    id: gamma_analyst",
			want:    `dom/policy.yaml:%d: principal "beta_analyst": id "gamma_analyst" must equal its key and be a safe identifier`,
		},
		{
			name:    "principal key is not a safe id",
			changes: []change{{"policy.yaml", "  beta_analyst:\n    id: beta_analyst\n", "  ../beta:\n    id: ../beta\n"}},
			at:      "    id: ../beta",
			want:    `dom/policy.yaml:%d: principal "../beta": id "../beta" must equal its key and be a safe identifier`,
		},
		{
			name:    "principal without tenants",
			changes: []change{{"policy.yaml", "    tenant_ids: [beta]\n", "    tenant_ids: []\n"}},
			at:      "    id: beta_analyst",
			want:    `dom/policy.yaml:%d: principal beta_analyst: tenant_ids is empty`,
		},
		{
			name:    "duplicate principal",
			changes: []change{{"policy.yaml", "  beta_analyst:\n", "  acme_analyst:\n"}},
			after:   "  acme_finance_admin:",
			at:      "  acme_analyst:",
			want:    `dom/policy.yaml:%d: duplicate key "acme_analyst"`,
		},
		{
			name:    "role with unknown metric",
			changes: []change{{"policy.yaml", "[ticket_count, escalated_tickets, net_revenue, average_resolution_hours]", "[ticket_count, churn]"}},
			after:   "  analyst:\n",
			at:      "allowed_metrics",
			want:    `dom/policy.yaml:%d: role analyst: unknown metric "churn"`,
		},
		{
			name:    "role with unknown dimension",
			changes: []change{{"policy.yaml", "allowed_dimensions: [region, plan, month, severity]\n", "allowed_dimensions: [region, zip]\n"}},
			after:   "  analyst:\n",
			at:      "allowed_metrics",
			want:    `dom/policy.yaml:%d: role analyst: unknown dimension "zip"`,
		},
		{
			name:    "role with unknown time range",
			changes: []change{{"policy.yaml", "allowed_time_ranges: [last_month, last_fiscal_month]\n", "allowed_time_ranges: [last_month, last_week]\n"}},
			after:   "  analyst:\n",
			at:      "allowed_metrics",
			want:    `dom/policy.yaml:%d: role analyst: unknown time range "last_week"`,
		},
		{
			name:    "role with zero max_rows",
			changes: []change{{"policy.yaml", "    max_rows: 1000\n", "    max_rows: 0\n"}},
			after:   "  analyst:\n",
			at:      "allowed_metrics",
			want:    `dom/policy.yaml:%d: role analyst: max_rows and max_cost must be positive`,
		},
		{
			name:    "role with negative max_cost",
			changes: []change{{"policy.yaml", "    max_cost: 500\n", "    max_cost: -1\n"}},
			after:   "  finance_admin:\n",
			at:      "allowed_metrics",
			want:    `dom/policy.yaml:%d: role finance_admin: max_rows and max_cost must be positive`,
		},
		{
			name:    "role max_rows of the wrong type",
			changes: []change{{"policy.yaml", "    max_rows: 1000\n", "    max_rows: lots\n"}},
			at:      "max_rows: lots",
			want:    "dom/policy.yaml:%d: cannot unmarshal !!str `lots` into int",
		},
		{
			name:    "metric on an unknown table",
			changes: []change{{"policy.yaml", "    table: invoices\n    columns: [invoices.net_amount_cents]", "    table: bills\n    columns: [invoices.net_amount_cents]"}},
			at:      "expression: sum(invoices.net_amount_cents)",
			want:    `dom/policy.yaml:%d: metric net_revenue: unknown table "bills"`,
		},
		{
			name:    "metric with an unknown aggregate",
			changes: []change{{"policy.yaml", "    aggregate: count_distinct\n    measure: support_tickets.id\n    time_column", "    aggregate: median\n    measure: support_tickets.id\n    time_column"}},
			at:      "expression: count(distinct support_tickets.id)\n",
			want:    `dom/policy.yaml:%d: metric ticket_count: aggregate "median" must be sum, count, count_distinct or avg`,
		},
		{
			name:    "metric measure on an unknown column",
			changes: []change{{"policy.yaml", "    measure: invoices.net_amount_cents\n", "    measure: invoices.net_cents\n"}},
			at:      "expression: sum(invoices.net_amount_cents)",
			want:    `dom/policy.yaml:%d: metric net_revenue: unknown column "net_cents" in invoices.net_cents`,
		},
		{
			name:    "metric columns entry unqualified",
			changes: []change{{"policy.yaml", "    columns: [invoices.gross_amount_cents]\n", "    columns: [gross_amount_cents]\n"}},
			at:      "expression: sum(invoices.gross_amount_cents)",
			want:    `dom/policy.yaml:%d: metric gross_revenue: "gross_amount_cents" is not a qualified table.column`,
		},
		{
			name:    "metric where on an unknown column",
			changes: []change{{"policy.yaml", "    where: support_tickets.escalated\n", "    where: support_tickets.urgent\n"}},
			at:      "expression: count(distinct support_tickets.id) filter",
			want:    `dom/policy.yaml:%d: metric escalated_tickets: where: unknown column "urgent" in support_tickets.urgent`,
		},
		{
			name:    "metric where on another table",
			changes: []change{{"policy.yaml", "    where: support_tickets.escalated\n", "    where: accounts.region\n"}},
			at:      "expression: count(distinct support_tickets.id) filter",
			want:    `dom/policy.yaml:%d: metric escalated_tickets: column accounts.region is not on table support_tickets`,
		},
		{
			name:    "metric time column on another table",
			changes: []change{{"policy.yaml", "    measure: invoices.net_amount_cents\n    time_column: invoices.invoice_date\n", "    measure: invoices.net_amount_cents\n    time_column: support_tickets.opened_at\n"}},
			at:      "expression: sum(invoices.net_amount_cents)",
			want:    `dom/policy.yaml:%d: metric net_revenue: column support_tickets.opened_at is not on table invoices`,
		},
		{
			name:    "metric with an unknown role",
			changes: []change{{"policy.yaml", "    allowed_roles: [finance_admin]\n    aliases: [bookings, gross_bookings]\n", "    allowed_roles: [finance_admin, auditor]\n    aliases: [bookings, gross_bookings]\n"}},
			at:      "expression: sum(invoices.gross_amount_cents)",
			want:    `dom/policy.yaml:%d: metric gross_revenue: unknown role "auditor"`,
		},
		{
			name:    "alias equal to a metric name",
			changes: []change{{"policy.yaml", "aliases: [bookings, gross_bookings]", "aliases: [bookings, net_revenue]"}},
			at:      "expression: sum(invoices.gross_amount_cents)",
			want:    `dom/policy.yaml:%d: metric gross_revenue: alias "net_revenue" is ambiguous`,
		},
		{
			name:    "alias shared by two metrics",
			changes: []change{{"policy.yaml", "aliases: [escalations]", "aliases: [escalations, tickets]"}},
			at:      "expression: count(distinct support_tickets.id)\n",
			want:    `dom/policy.yaml:%d: metric ticket_count: alias "tickets" is ambiguous`,
		},
		{
			name:    "dimension with an unknown source column",
			changes: []change{{"policy.yaml", "    source: accounts.region\n", "    source: accounts.zone\n"}},
			at:      "column: accounts.region",
			want:    `dom/policy.yaml:%d: dimension region: source: unknown column "zone" in accounts.zone`,
		},
		{
			name:    "dimension with an unknown source table",
			changes: []change{{"policy.yaml", "    source: subscriptions.plan\n", "    source: plans.plan\n"}},
			at:      "column: subscriptions.plan",
			want:    `dom/policy.yaml:%d: dimension plan: source: unknown table "plans" in plans.plan`,
		},
		{
			name:    "dimension with an unqualified source",
			changes: []change{{"policy.yaml", "    source: support_tickets.severity\n", "    source: severity\n"}},
			at:      "column: support_tickets.severity",
			want:    `dom/policy.yaml:%d: dimension severity: source: "severity" is not a qualified table.column`,
		},
		{
			name:    "dimension without a source",
			changes: []change{{"policy.yaml", "    source: accounts.customer_email\n", ""}},
			at:      "column: accounts.customer_email",
			want:    `dom/policy.yaml:%d: dimension customer_email: source: "" is not a qualified table.column`,
		},
		{
			name:    "dimension with an unknown bucket",
			changes: []change{{"policy.yaml", "    bucket: month\n", "    bucket: week\n"}},
			at:      "column: date_trunc",
			want:    `dom/policy.yaml:%d: dimension month: bucket "week" must be month or day`,
		},
		{
			name:    "dimension with an unknown role",
			changes: []change{{"policy.yaml", "    allowed_roles: [finance_admin]\n    sensitive: true\n    cost: 5\n", "    allowed_roles: [auditor]\n    sensitive: true\n    cost: 5\n"}},
			at:      "    column: accounts.tenant_id",
			want:    `dom/policy.yaml:%d: dimension tenant_id: unknown role "auditor"`,
		},
		{
			name:    "fiscal month start day 29",
			changes: []change{{"policy.yaml", "fiscal_month_start_day: 26", "fiscal_month_start_day: 29"}},
			want:    `dom/policy.yaml:11: calendar.fiscal_month_start_day must be 1..28, got 29`,
		},
		{
			name:    "fiscal month start day 0",
			changes: []change{{"policy.yaml", "fiscal_month_start_day: 26", "fiscal_month_start_day: 0"}},
			want:    `dom/policy.yaml:11: calendar.fiscal_month_start_day must be 1..28, got 0`,
		},
		{
			name:    "fiscal year start month 13",
			changes: []change{{"policy.yaml", "fiscal_year_start_month: 2", "fiscal_year_start_month: 13"}},
			want:    `dom/policy.yaml:12: calendar.fiscal_year_start_month must be 1..12, got 13`,
		},
		{
			name:    "as_of not a date",
			changes: []change{{"policy.yaml", `as_of: "2026-06-15"`, `as_of: "2026-02-30"`}},
			want:    `dom/policy.yaml:10: calendar.as_of: invalid date "2026-02-30" (want YYYY-MM-DD)`,
		},
		{
			name:    "unknown calendar field",
			changes: []change{{"policy.yaml", "  fiscal_year_start_month: 2\n", "  fiscal_year_start_month: 2\n  timezone: UTC\n"}},
			at:      "timezone: UTC",
			want:    `dom/policy.yaml:%d: unknown field "timezone" (known: as_of, fiscal_month_start_day, fiscal_year_start_month)`,
		},
		{
			name:    "tenancy column unknown",
			changes: []change{{"policy.yaml", "  table: tenants\n  column: accounts.tenant_id\n", "  table: tenants\n  column: accounts.owner\n"}},
			at:      "column: accounts.owner",
			want:    `dom/policy.yaml:%d: tenancy.column: unknown column "owner" in accounts.owner`,
		},
		{
			name:    "tenancy legacy key unknown",
			changes: []change{{"policy.yaml", "  legacy_key: tenants.legacy_id\n", "  legacy_key: tenants.old_id\n"}},
			at:      "legacy_key: tenants.old_id",
			want:    `dom/policy.yaml:%d: tenancy.legacy_key: unknown column "old_id" in tenants.old_id`,
		},
		// schema.yaml
		{
			name:    "owner_via not a foreign key",
			changes: []change{{"schema.yaml", "    owner_via: account_id\n    columns:\n      - {name: id, type: integer}\n      - {name: account_id, type: integer}\n      - {name: plan", "    owner_via: plan\n    columns:\n      - {name: id, type: integer}\n      - {name: account_id, type: integer}\n      - {name: plan"}},
			at:      "- name: subscriptions",
			want:    `dom/schema.yaml:%d: table subscriptions: owner_via plan is not a foreign key`,
		},
		{
			name:    "owner_via missing",
			changes: []change{{"schema.yaml", "    owner_via: ticket_id\n", ""}},
			at:      "- name: ticket_events",
			want:    `dom/schema.yaml:%d: table ticket_events has no owner_via and is not the tenancy table`,
		},
		{
			name:    "duplicate table name",
			changes: []change{{"schema.yaml", "  - name: agents\n", "  - name: accounts\n"}},
			after:   "- name: invoices",
			at:      "- name: accounts",
			want:    `dom/schema.yaml:%d: table name "accounts" is invalid or duplicated`,
		},
		{
			name:    "unsafe table name",
			changes: []change{{"schema.yaml", "  - name: agents\n", "  - name: agents/x\n"}},
			at:      "- name: agents/x",
			want:    `dom/schema.yaml:%d: table name "agents/x" is invalid or duplicated`,
		},
		{
			name:    "primary key not a column",
			changes: []change{{"schema.yaml", "  - name: tenants\n    primary_key: id\n", "  - name: tenants\n    primary_key: uuid\n"}},
			at:      "- name: tenants",
			want:    `dom/schema.yaml:%d: table tenants: primary key "uuid" is not a column`,
		},
		{
			name:    "unknown column type",
			changes: []change{{"schema.yaml", "{name: region, type: text}", "{name: region, type: varchar}"}},
			at:      "{name: region, type: varchar}",
			want:    `dom/schema.yaml:%d: table accounts: column "region" has invalid name or type "varchar"`,
		},
		{
			name:    "foreign key on a missing column",
			changes: []change{{"schema.yaml", "{column: assigned_agent_id, references", "{column: agent_id, references"}},
			at:      "{column: agent_id, references",
			want:    `dom/schema.yaml:%d: table support_tickets: foreign key column "agent_id" is not a column`,
		},
		{
			name:    "foreign key to an unknown table",
			changes: []change{{"schema.yaml", "references: tenants.id, expansion: 2}", "references: orgs.id, expansion: 2}"}},
			at:      "references: orgs.id",
			want:    `dom/schema.yaml:%d: table agents: foreign key references unknown table "orgs" in orgs.id`,
		},
		{
			name:    "grants for an unknown role",
			changes: []change{{"schema.yaml", "  finance_admin:\n", "  auditor:\n"}},
			at:      "auditor:",
			want:    `dom/schema.yaml:%d: grants: unknown role "auditor"`,
		},
		{
			name:    "grant of an unknown column",
			changes: []change{{"schema.yaml", "    - invoices.gross_amount_cents\n", "    - invoices.gross\n"}},
			at:      "invoices.gross\n",
			want:    `dom/schema.yaml:%d: grants for finance_admin: unknown column "gross" in invoices.gross`,
		},
		{
			name:    "unknown column field",
			changes: []change{{"schema.yaml", "{name: region, type: text}", "{name: region, type: text, nullable: true}"}},
			at:      "nullable: true",
			want:    `dom/schema.yaml:%d: unknown field "nullable" (known: name, type)`,
		},
		// surfaces.yaml
		{
			name: "missing surface contract",
			changes: []change{{"surfaces.yaml", "  release:\n    mode: output_release\n    responsibilities:\n      - enforce_release_decision\n" +
				"      - withhold_contained_or_unauthorized_results\n    accepts_obligations: [authorization_decision, row_access_result]\n", ""}},
			at:   "contracts:",
			want: `dom/surfaces.yaml:%d: contracts: missing surface "release"`,
		},
		{
			name:    "missing surface version",
			changes: []change{{"surfaces.yaml", "  release: v7\ncontracts:", "contracts:"}},
			at:      "versions:",
			want:    `dom/surfaces.yaml:%d: versions: missing surface "release"`,
		},
		{
			name:    "empty surface version",
			changes: []change{{"surfaces.yaml", "  grammar: v7\n", "  grammar: \"\"\n"}},
			at:      `grammar: ""`,
			want:    `dom/surfaces.yaml:%d: versions: missing surface "grammar"`,
		},
		{
			name:    "unknown surface version",
			changes: []change{{"surfaces.yaml", "  release: v7\ncontracts:", "  release: v7\n  cache: v1\ncontracts:"}},
			at:      "cache: v1",
			want:    `dom/surfaces.yaml:%d: versions: unknown surface "cache" (the layers are manifest, grammar, validator, compiler, database, release)`,
		},
		{
			name:    "unknown contract field",
			changes: []change{{"surfaces.yaml", "    mode: output_release\n", "    mode: output_release\n    owner: ops\n"}},
			at:      "owner: ops",
			want:    `dom/surfaces.yaml:%d: unknown field "owner" (known: accepts_obligations, emits_obligations, mode, responsibilities)`,
		},
		{
			name:    "unknown contract surface",
			changes: []change{{"surfaces.yaml", "contracts:\n", "contracts:\n  cache: {mode: caching}\n"}},
			at:      "cache: {mode",
			want:    `dom/surfaces.yaml:%d: contracts: unknown surface "cache" (the layers are manifest, grammar, validator, compiler, database, release)`,
		},
		{
			name:    "unknown contract mode",
			changes: []change{{"surfaces.yaml", "mode: sql_lowering", "mode: vibes"}},
			at:      "mode: vibes",
			want:    `dom/surfaces.yaml:%d: contracts.compiler: mode "vibes" must be sql_lowering (the compiler layer's mode)`,
		},
		{
			name:    "another layer's mode",
			changes: []change{{"surfaces.yaml", "mode: intent_space", "mode: sql_lowering"}},
			at:      "mode: sql_lowering",
			want:    `dom/surfaces.yaml:%d: contracts.grammar: mode "sql_lowering" must be intent_space (the grammar layer's mode)`,
		},
		{
			name:    "missing contract mode",
			changes: []change{{"surfaces.yaml", "    mode: output_release\n", ""}},
			after:   "contracts:",
			at:      "  release:\n",
			want:    `dom/surfaces.yaml:%d: contracts.release: mode "" must be output_release (the release layer's mode)`,
		},
		{
			name:    "unknown emitted obligation",
			changes: []change{{"surfaces.yaml", "emits_obligations: [capability_scope]", "emits_obligations: [telepathy_scope]"}},
			at:      "telepathy_scope",
			want:    `dom/surfaces.yaml:%d: contracts.manifest.emits_obligations: "telepathy_scope": unknown obligation (known: ` + strings.Join(spec.Obligations, ", ") + `)`,
		},
		{
			name:    "unknown accepted obligation",
			changes: []change{{"surfaces.yaml", "accepts_obligations: [database_containment_request]", "accepts_obligations: [database_containment_request, vibes]"}},
			at:      "vibes",
			want:    `dom/surfaces.yaml:%d: contracts.database.accepts_obligations: "vibes": unknown obligation (known: ` + strings.Join(spec.Obligations, ", ") + `)`,
		},
		{
			name:    "obligation accepted before it is emitted",
			changes: []change{{"surfaces.yaml", "accepts_obligations: [syntactic_intent]", "accepts_obligations: [syntactic_intent, row_access_result]"}},
			at:      "row_access_result]",
			want:    `dom/surfaces.yaml:%d: contracts.validator.accepts_obligations: "row_access_result": no earlier layer emits it`,
		},
		{
			name:    "obligation emitted twice",
			changes: []change{{"surfaces.yaml", "emits_obligations: [row_access_result]", "emits_obligations: [row_access_result, tenant_scope]"}},
			at:      "emits_obligations: [row_access_result",
			want:    `dom/surfaces.yaml:%d: contracts.database.emits_obligations: "tenant_scope": the validator layer already emits it`,
		},
		{
			name:    "obligation listed twice",
			changes: []change{{"surfaces.yaml", "emits_obligations: [capability_scope]", "emits_obligations:\n      - capability_scope\n      - capability_scope"}},
			at:      "- capability_scope\n  grammar:",
			want:    `dom/surfaces.yaml:%d: contracts.manifest.emits_obligations: "capability_scope": listed twice`,
		},
		{
			name:    "transition obligation nobody emits",
			changes: []change{{"surfaces.yaml", "  - row_access_result\n", "  - row_access_result\n  - lineage\n"}},
			at:      "  - lineage",
			want:    `dom/surfaces.yaml:%d: transition_obligations: "lineage" is emitted by no layer's contract`,
		},
		{
			name:    "transition obligation twice",
			changes: []change{{"surfaces.yaml", "  - row_access_result\n", "  - row_access_result\n  - tenant_scope\n"}},
			after:   "  - row_access_result\n",
			at:      "  - tenant_scope",
			want:    `dom/surfaces.yaml:%d: transition_obligations: "tenant_scope" is listed twice`,
		},
		// state.yaml
		{
			name:    "explicit row without its text key",
			changes: []change{{"state.yaml", "      - {id: beta, name: Beta Logistics, legacy_id: old-beta}", "      - {name: Beta Logistics, legacy_id: old-beta}"}},
			at:      "- table: tenants",
			want:    `dom/state.yaml:%d: table tenants: explicit row 2 does not set the id primary key (a text key is not numbered)`,
		},
		{
			name: "generated rows with a text key",
			changes: []change{{"schema.yaml", "      - {name: id, type: integer}\n      - {name: ticket_id, type: integer}", "      - {name: id, type: text}\n      - {name: ticket_id, type: integer}"},
				{"state.yaml", "  - table: ticket_events\n", "  - table: ticket_events\n"}}, // (lines are of the last file changed)
			at:   "- table: ticket_events",
			want: `dom/state.yaml:%d: table ticket_events: generated rows (per_parent) need an integer primary key; id is text`,
		},
		{
			name:    "state table unknown",
			changes: []change{{"state.yaml", "  - table: agents\n", "  - table: agentz\n"}},
			at:      "- table: agentz",
			want:    `dom/state.yaml:%d: unknown table "agentz"`,
		},
		{
			name:    "per_parent column not a foreign key",
			changes: []change{{"state.yaml", `re:(- table: accounts\n    per_parent: \{column: )tenant_id`, "${1}region"}},
			at:      "- table: accounts",
			want:    `dom/state.yaml:%d: per_parent.column "region" is not a foreign key of accounts`,
		},
		{
			name:    "per_parent max above 1000",
			changes: []change{{"state.yaml", `re:(- table: accounts\n    per_parent: \{column: tenant_id, min: )\d+, max: \d+\}`, "${1}3, max: 1001}"}},
			at:      "- table: accounts",
			want:    `dom/state.yaml:%d: per_parent: need 0 <= min <= max <= 1000`,
		},
		{
			name:    "per_parent min above max",
			changes: []change{{"state.yaml", `re:(- table: support_tickets\n    per_parent: \{column: account_id, min: )\d+, max: \d+\}`, "${1}9, max: 8}"}},
			at:      "- table: support_tickets",
			want:    `dom/state.yaml:%d: per_parent: need 0 <= min <= max <= 1000`,
		},
		{
			name:    "per_parent negative min",
			changes: []change{{"state.yaml", `re:(- table: support_tickets\n    per_parent: \{column: account_id, min: )\d+, max: \d+\}`, "${1}-1, max: 8}"}},
			at:      "- table: support_tickets",
			want:    `dom/state.yaml:%d: per_parent: need 0 <= min <= max <= 1000`,
		},
		{
			name:    "generator for an unknown column",
			changes: []change{{"state.yaml", "      region: {choice: [west", "      zone: {choice: [west"}},
			at:      "zone: {choice",
			want:    `dom/state.yaml:%d: table accounts: unknown column "zone"`,
		},
		{
			name:    "explicit row with an unknown column",
			changes: []change{{"state.yaml", "legacy_id: old-delta}", "legacy_id: old-delta, color: red}"}},
			at:      "- table: tenants",
			want:    `dom/state.yaml:%d: table tenants: explicit row has unknown column "color"`,
		},
		{
			name:    "unknown generator kind",
			changes: []change{{"state.yaml", "escalated: {bool: 0.35}", "escalated: {boolean: 0.35}"}},
			at:      "escalated: {boolean",
			want:    `dom/state.yaml:%d: unknown field "boolean" (known: bool, boundaries, boundary_share, choice, date_between, int_between, lookup, null_share, ratio_of, ref, same_owner, template)`,
		},
		{
			name:    "seed of the wrong type",
			changes: []change{{"state.yaml", `re:seed: \d+\n`, "seed: [1]\n"}},
			at:      "seed: [1]",
			want:    "dom/state.yaml:%d: cannot unmarshal !!seq into uint64",
		},
		// whole files
		{
			name:   "missing schema.yaml",
			remove: "schema.yaml",
			want:   `dom/schema.yaml: missing domain file`,
		},
		{
			name:    "empty policy.yaml",
			changes: []change{{"policy.yaml", "", ""}},
			want:    `dom/policy.yaml: empty document`,
		},
		{
			name:    "null surfaces.yaml",
			changes: []change{{"surfaces.yaml", "", "~\n"}},
			want:    `dom/surfaces.yaml:1: expected a mapping, got null`,
		},
		{
			name:    "policy.yaml is a list",
			changes: []change{{"policy.yaml", "", "- a\n"}},
			at:      "- a",
			want:    `dom/policy.yaml:%d: expected a mapping, got a list`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := supportFiles(t)
			file := ""
			for _, c := range tt.changes {
				file = c.file
				switch {
				case c.old == "":
					fsys[c.file] = &fstest.MapFile{Data: []byte(c.new)}
				case strings.HasPrefix(c.old, "re:"):
					editRE(t, fsys, c.file, strings.TrimPrefix(c.old, "re:"), c.new)
				default:
					edit(t, fsys, c.file, c.old, c.new)
				}
			}
			if tt.remove != "" {
				delete(fsys, tt.remove)
			}
			want := tt.want
			if tt.at != "" {
				want = fmt.Sprintf(tt.want, lineOf(t, fsys[file].Data, tt.after, tt.at))
			}
			d, err := spec.LoadDomain(fsys, "support_saas", "dom")
			if err == nil {
				t.Fatalf("LoadDomain succeeded (%v), want error %s", d.Name, want)
			}
			var e *strictyaml.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not a *strictyaml.Error", err, err)
			}
			if got := err.Error(); got != want {
				t.Errorf("error:\n got %s\nwant %s", got, want)
			}
		})
	}
}

// TestLoadDomainNullEntries: a null map value or list item in a domain file
// must be reported as an input error, never dereferenced.
func TestLoadDomainNullEntries(t *testing.T) {
	tests := []struct {
		name, file, old, new string
	}{
		{"null principal", "policy.yaml", "principals:\n", "principals:\n  ghost: ~\n"},
		{"null role", "policy.yaml", "roles:\n", "roles:\n  ghost: ~\n"},
		{"null metric", "policy.yaml", "metrics:\n", "metrics:\n  ghost: ~\n"},
		{"null dimension", "policy.yaml", "dimensions:\n", "dimensions:\n  ghost: ~\n"},
		{"null schema table", "schema.yaml", "tables:\n", "tables:\n  - ~\n"},
		{"null schema column", "schema.yaml", "      - {name: legacy_id, type: text}\n", "      - {name: legacy_id, type: text}\n      - ~\n"},
		{"null foreign key", "schema.yaml", "      - {column: ticket_id, references: support_tickets.id, expansion: 3}\n", "      - {column: ticket_id, references: support_tickets.id, expansion: 3}\n      - ~\n"},
		{"null state table", "state.yaml", "tables:\n", "tables:\n  - ~\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := supportFiles(t)
			edit(t, fsys, tt.file, tt.old, tt.new)
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("LoadDomain panicked: %v", r)
					}
				}()
				_, err = spec.LoadDomain(fsys, "support_saas", "dom")
			}()
			if err == nil || !strictyaml.IsInputError(err) || !strings.HasPrefix(err.Error(), "dom/"+tt.file+":") {
				t.Errorf("got %v, want a dom/%s:line input error", err, tt.file)
			}
		})
	}
}

func FuzzLoadDomainPolicy(f *testing.F) {
	base := supportFiles(f)
	policy := string(base["policy.yaml"].Data)
	f.Add([]byte(policy))
	f.Add([]byte(""))
	f.Add([]byte("~\n"))
	f.Add([]byte("version: v7\n"))
	f.Add([]byte(strings.Replace(policy, "role: analyst", "role: ghost", 1)))
	f.Add([]byte(strings.Replace(policy, "source: accounts.region", "source: accounts", 1)))
	f.Add([]byte(strings.Replace(policy, "bucket: month", "bucket: \"\"", 1)))
	f.Add([]byte(strings.Replace(policy, "table: tenants", "table: accounts", 1)))
	f.Add([]byte(strings.Replace(policy, "aliases: [tickets]", "aliases: [tickets, tickets]", 1)))
	f.Add([]byte(strings.Replace(policy, `as_of: "2026-06-15"`, "as_of: 2026-06-15", 1)))
	f.Add([]byte("tenancy: {table: tenants}\ncalendar: {as_of: \"2026-01-01\", fiscal_month_start_day: 1, fiscal_year_start_month: 1}\n"))
	f.Add([]byte("metrics:\n  m: {table: invoices, aggregate: sum, measure: invoices, time_column: .x}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{}
		for k, v := range base {
			fsys[k] = v
		}
		fsys["policy.yaml"] = &fstest.MapFile{Data: data}
		d, err := spec.LoadDomain(fsys, "support_saas", "dom")
		if err != nil {
			var e *strictyaml.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not a *strictyaml.Error", err, err)
			}
			if !strings.HasPrefix(err.Error(), "dom") {
				t.Fatalf("error %q does not name the domain", err)
			}
			return
		}
		// a domain that loads is internally consistent
		for id, pr := range d.Policy.Principals {
			if d.Policy.Roles[pr.Role] == nil || pr.ID != id || len(pr.TenantIDs) == 0 {
				t.Fatalf("loaded a domain with a bad principal %q: %+v", id, pr)
			}
		}
		for name, m := range d.Policy.Metrics {
			if d.Schema.Table(m.Table) == nil {
				t.Fatalf("loaded metric %s on unknown table %q", name, m.Table)
			}
		}
	})
}
