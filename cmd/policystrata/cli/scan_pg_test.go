package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/policystrata/policystrata/pipeline/pgtest"
)

// TestScanPostgresRLS runs the database stage and doctor against a real
// PostgreSQL fixture: a table under enabled and forced row-level security
// read by a non-owner application role. The RLS check and the state
// assertion pass; doctor reads the catalog (RLS flags, the policy, the
// unindexed tenant column). With RLS disabled the same check fails the gate.
func TestScanPostgresRLS(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	n := fmt.Sprintf("%d", time.Now().UnixNano()%1e9)
	schema, role := "ps_scan_"+n, "ps_scan_app_"+n
	for _, stmt := range []string{
		"CREATE SCHEMA " + schema,
		"CREATE TABLE " + schema + ".accounts (id int PRIMARY KEY, tenant_id text NOT NULL, region text)",
		"INSERT INTO " + schema + ".accounts VALUES (1, 'acme', 'east'), (2, 'acme', 'west'), (3, 'beta', 'east')",
		"ALTER TABLE " + schema + ".accounts ENABLE ROW LEVEL SECURITY",
		"ALTER TABLE " + schema + ".accounts FORCE ROW LEVEL SECURITY",
		"CREATE POLICY tenant_isolation ON " + schema + ".accounts USING (tenant_id = current_setting('app.tenant_id', true))",
		"CREATE ROLE " + role + " LOGIN",
		"GRANT USAGE ON SCHEMA " + schema + " TO " + role,
		"GRANT SELECT ON " + schema + ".accounts TO " + role,
		"ALTER ROLE " + role + " SET search_path = " + schema,
		"CREATE TABLE " + schema + ".support_tickets (id int PRIMARY KEY, account_id int NOT NULL, opened_at date NOT NULL)",
		"INSERT INTO " + schema + ".support_tickets VALUES (10, 1, '2026-05-03'), (11, 1, '2026-05-20'), (12, 2, '2026-05-09'), (13, 3, '2026-05-11'), (14, 1, '2026-04-30')",
		"ALTER TABLE " + schema + ".support_tickets ENABLE ROW LEVEL SECURITY",
		"ALTER TABLE " + schema + ".support_tickets FORCE ROW LEVEL SECURITY",
		"CREATE POLICY owned ON " + schema + ".support_tickets USING (account_id IN (SELECT id FROM " + schema + ".accounts))",
		"GRANT SELECT ON " + schema + ".support_tickets TO " + role,
	} {
		if _, err := admin.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	t.Cleanup(func() {
		admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
		admin.Exec(ctx, "DROP ROLE "+role)
	})
	u, _ := url.Parse(dsn)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	adminURL := u.String()
	u.User = url.User(role)
	appURL := u.String()
	cfgText := fmt.Sprintf(`version: 1
fuzz:
  enabled: false
database:
  required: true
  admin_url: %q
  app_url: %q
  rls_checks:
    - id: acme_sees_acme
      sql: select tenant_id, region from accounts
      tenant_id: acme
      expected_rows: 2
      expected_tenant_ids: [acme]
  state_assertions:
    - id: no_beta
      sql: select tenant_id from accounts
      tenant_id: acme
      forbidden_values:
        tenant_id: [beta]
`, adminURL, appURL)
	cfg := writeScanFixture(t, cfgText, nil)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCLI(t, "scan", "--config", cfg, "--out", out)
	if code != 0 || !strings.Contains(stdout, `"findings":0`) {
		data, _ := os.ReadFile(filepath.Join(out, "findings.jsonl"))
		t.Fatalf("exit %d: %s %s %s", code, stdout, stderr, data)
	}
	// authorised traces run beside the canonical compiler SQL: as the app
	// role bound to acme, and without containment (the admin connection)
	window := ` and support_tickets.opened_at >= date '2026-05-01' and support_tickets.opened_at < date '2026-06-01' group by accounts.region`
	from := `select accounts.region as region, count(distinct support_tickets.id) as value from support_tickets join accounts on accounts.id = support_tickets.account_id where `
	mk := func(id, where string) string {
		b, _ := json.Marshal(map[string]any{"id": id, "principal": "acme_analyst", "tenant_ids": []string{"acme"}, "release_allowed": true,
			"timestamp": "2026-06-24T12:00:00Z", "semantic_ir": map[string]any{"metric": "ticket_count", "dimensions": []string{"region"}}, "sql": from + where + window})
		return string(b)
	}
	tcfg := writeScanFixture(t, cfgText+"sql_traces:\n  files: [traces.jsonl]\n", map[string]string{"traces.jsonl": mk("scoped", "accounts.tenant_id in ('acme')") + "\n" + mk("unscoped", "true") + "\n"})
	code, stdout, stderr = runCLI(t, "scan", "--config", tcfg, "--out", out)
	data, _ := os.ReadFile(filepath.Join(out, "findings.jsonl"))
	var ids []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var f struct{ ID string }
		json.Unmarshal([]byte(line), &f)
		ids = append(ids, f.ID)
	}
	if code != 1 || strings.Join(ids, ",") != "tenant_scope_missing_unscoped,uncontained_sql_drift_unscoped" {
		t.Errorf("traces on PostgreSQL: exit %d, findings %v (%s %s)", code, ids, stderr, data)
	}
	code, stdout, stderr = runCLI(t, "doctor", "--config", cfg)
	if code != 0 {
		t.Fatalf("doctor exit %d: %s", code, stderr)
	}
	var r struct {
		Stack []struct{ ID, Status, Detail string }
		DB    struct {
			Engine string
			Tables []struct {
				Name       string
				RLSEnabled bool `json:"rls_enabled"`
				RLSForced  bool `json:"rls_forced"`
				Policies   []string
				Unindexed  []string `json:"unindexed_tenant_columns"`
			}
		} `json:"database_introspection"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, it := range r.Stack {
		status[it.ID] = it.Status
	}
	if status["database_fixture"] != "wired" || status["rls_policies"] != "wired" {
		t.Errorf("doctor stack %+v", r.Stack)
	}
	if r.DB.Engine != "postgres" || len(r.DB.Tables) != 2 || !r.DB.Tables[0].RLSEnabled || !r.DB.Tables[0].RLSForced ||
		len(r.DB.Tables[0].Policies) != 1 || !strings.Contains(r.DB.Tables[0].Policies[0], "current_setting") ||
		strings.Join(r.DB.Tables[0].Unindexed, ",") != "tenant_id" {
		t.Errorf("introspection %+v", r.DB)
	}
	if _, err := admin.Exec(ctx, "ALTER TABLE "+schema+".accounts DISABLE ROW LEVEL SECURITY"); err != nil {
		t.Fatal(err)
	}
	code, _, _ = runCLI(t, "scan", "--config", cfg, "--out", out)
	data, _ = os.ReadFile(filepath.Join(out, "findings.jsonl"))
	if code != 1 || !strings.Contains(string(data), "postgres_rls_check_failed_acme_sees_acme") || !strings.Contains(string(data), "postgres_state_assertion_failed_no_beta") {
		t.Errorf("without RLS: exit %d, findings %s", code, data)
	}
	code, stdout, _ = runCLI(t, "doctor", "--config", cfg, "--strict")
	if code != 1 || !strings.Contains(stdout, `"status": "partial"`) {
		t.Errorf("doctor --strict without RLS: exit %d", code)
	}
}
