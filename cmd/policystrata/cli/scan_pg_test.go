package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
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

// pgScanConfig writes a scan config whose database stage runs schema.sql
// on dsn (admin and app) with one RLS check, plus extra YAML under
// database, and returns its path.
func pgScanConfig(t *testing.T, dsn, extra string) string {
	t.Helper()
	cfg := fmt.Sprintf(`version: 1
fuzz:
  enabled: false
database:
  required: true
  admin_url: %q
  app_url: %q
  schema: schema.sql
  rls_checks:
    - id: all_rows
      sql: select tenant_id from accounts
      expected_rows: 3
%s`, dsn, dsn, extra)
	return writeScanFixture(t, cfg, map[string]string{"schema.sql": "create table accounts (id int primary key, tenant_id text not null);\ninsert into accounts values (1, 'acme'), (2, 'acme'), (3, 'beta');\n"})
}

// scanSchemas lists the ps_<12 hex>_scan schemas on the server.
func scanSchemas(t *testing.T, dsn string) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT nspname FROM pg_namespace WHERE nspname ~ '^ps_[0-9a-f]{12}_scan$' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestScanPostgresRunSchema: the schema script runs in the scan's own
// leased schema (not public), the checks read it, and the scan drops it;
// doctor introspects the same fixture.
func TestScanPostgresRunSchema(t *testing.T) {
	dsn := pgtest.DSN(t)
	before := scanSchemas(t, dsn)
	cfg := pgScanConfig(t, dsn, "")
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCLI(t, "scan", "--config", cfg, "--out", out)
	data, _ := os.ReadFile(filepath.Join(out, "findings.jsonl"))
	if code != 0 || !strings.Contains(stdout, `"findings":0`) {
		t.Fatalf("exit %d: %s %s %s", code, stdout, stderr, data)
	}
	if after := scanSchemas(t, dsn); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Errorf("run schemas before %v, after %v: the scan left its schema behind", before, after)
	}
	// doctor introspects the fixture as the scan builds it, then drops it
	code, stdout, stderr = runCLI(t, "doctor", "--config", cfg)
	if code != 0 || !strings.Contains(stdout, `"name": "scan_run_schema.accounts"`) {
		t.Errorf("doctor: exit %d: %s %s", code, stdout, stderr)
	}
	if after := scanSchemas(t, dsn); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Errorf("run schemas before %v, after %v: doctor left its schema behind", before, after)
	}
}

// TestKilledScanIsCleaned: a scan killed with SIGKILL in its database
// stage leaves its leased run schema behind; `policystrata clean` drops
// it, and so does the next scan's start.
func TestKilledScanIsCleaned(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it against PostgreSQL")
	}
	dsn := pgtest.DSN(t)
	bin := buildBinary(t)
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	kill := func(t *testing.T) string {
		t.Helper()
		app := fmt.Sprintf("scankill_%d_%d", os.Getpid(), time.Now().UnixNano())
		// the state assertion sleeps: the scan is mid-stage when killed
		cfg := pgScanConfig(t, dsn+sep+"application_name="+app, "  state_assertions:\n    - id: slow\n      sql: select pg_sleep(20) as slept\n      expected_rows: 1\n")
		cmd := exec.Command(bin, "scan", "--config", cfg, "--out", filepath.Join(t.TempDir(), "out"))
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(time.Minute)
		var suffix string
		for suffix == "" && time.Now().Before(deadline) {
			time.Sleep(200 * time.Millisecond)
			if l := leasedBy(t, dsn, app); len(l) > 0 && runSuffixes(t, dsn)[l[0]] {
				suffix = l[0]
			}
		}
		if suffix == "" {
			_ = cmd.Process.Kill()
			t.Fatal("the scan created no leased run schema")
		}
		time.Sleep(time.Second)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		if !runSuffixes(t, dsn)[suffix] {
			t.Fatalf("scan %s left nothing behind after SIGKILL: the test proves nothing", suffix)
		}
		return suffix
	}
	t.Run("clean", func(t *testing.T) {
		suffix := kill(t)
		out, err := exec.Command(bin, "clean", "--pg-dsn", dsn).CombinedOutput()
		if err != nil {
			t.Fatalf("clean: %v\n%s", err, out)
		}
		if runSuffixes(t, dsn)[suffix] {
			t.Errorf("clean left scan %s behind:\n%s", suffix, out)
		}
	})
	t.Run("next scan", func(t *testing.T) {
		suffix := kill(t)
		res, err := exec.Command(bin, "scan", "--config", pgScanConfig(t, dsn, ""), "--out", filepath.Join(t.TempDir(), "out")).CombinedOutput()
		if err != nil {
			t.Fatalf("next scan: %v\n%s", err, res)
		}
		if runSuffixes(t, dsn)[suffix] {
			t.Errorf("the next scan left scan %s behind", suffix)
		}
	})
}

// TestScanStartDocker: start_docker runs `docker compose -f <file> up -d
// <service>` in the config directory, then waits for the server; without
// docker the fixture is unavailable and the finding says why.
func TestScanStartDocker(t *testing.T) {
	dsn := pgtest.DSN(t)
	bindir := t.TempDir()
	argsFile := filepath.Join(bindir, "args")
	script := "#!/bin/sh\necho \"$PWD $@\" > " + argsFile + "\n"
	if err := os.WriteFile(filepath.Join(bindir, "docker"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := pgScanConfig(t, dsn, "  start_docker: true\n  compose_file: compose.yaml\n  compose_service: db\n")
	t.Setenv("PATH", bindir+string(os.PathListSeparator)+os.Getenv("PATH"))
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCLI(t, "scan", "--config", cfg, "--out", out)
	if code != 0 {
		data, _ := os.ReadFile(filepath.Join(out, "findings.jsonl"))
		t.Fatalf("exit %d: %s %s %s", code, stdout, stderr, data)
	}
	got, _ := os.ReadFile(argsFile)
	dir := filepath.Dir(cfg)
	if want := dir + " compose -f " + filepath.Join(dir, "compose.yaml") + " up -d db\n"; string(got) != want {
		t.Errorf("docker ran with %q, want %q", got, want)
	}
	t.Setenv("PATH", t.TempDir())
	code, _, _ = runCLI(t, "scan", "--config", cfg, "--out", out)
	data, _ := os.ReadFile(filepath.Join(out, "findings.jsonl"))
	if code != 1 || !strings.Contains(string(data), "postgres_fixture_unavailable") || !strings.Contains(string(data), "docker is not installed or not on PATH") {
		t.Errorf("without docker: exit %d, findings %s", code, data)
	}
}

// TestScanRealDBCleanOnPostgres: acceptance case 3 on a real server — the
// reference's real_db_clean config, its traces, and the reference's own
// support_saas schema.sql and seed.sql (row-level security, the
// policystrata_app role) run in the scan's leased schema. Every RLS check
// and state assertion holds and the imported SQL raises nothing; the one
// finding is a deliberate difference (README): the canonical SQL of
// ticket_count filters tickets by their own opened_at, as the built-in
// domain defines the metric, and the reference's schema has no such column
// (its trace windows tickets by a fan-out join to invoice dates), so the
// gate fails where the reference's passes.
func TestScanRealDBCleanOnPostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	src, err := os.ReadFile(examples + "postgres_dbt/policystrata_real_db_clean.yaml")
	if err != nil {
		t.Fatal(err)
	}
	traces, err := os.ReadFile(examples + "postgres_dbt/traces_real_db_clean.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"traces_real_db_clean.jsonl": string(traces)}
	for _, f := range []string{"schema.sql", "seed.sql"} {
		b, err := os.ReadFile(filepath.Join(referenceDir, "support_saas", f))
		if err != nil {
			t.Fatal(err)
		}
		files[f] = string(b)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword("policystrata_app", "policystrata_app")
	cfgText := string(src)
	for _, r := range [][2]string{
		{"../../src/policystrata/domains/support_saas/schema.sql", "schema.sql"},
		{"../../src/policystrata/domains/support_saas/seed.sql", "seed.sql"},
		{"database:\n", fmt.Sprintf("database:\n  admin_url: %q\n  app_url: %q\n", dsn, u.String())},
	} {
		if !strings.Contains(cfgText, r[0]) {
			t.Fatalf("the reference config no longer holds %q", r[0])
		}
		cfgText = strings.Replace(cfgText, r[0], r[1], 1)
	}
	cfg := writeScanFixture(t, cfgText, files)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCLI(t, "scan", "--config", cfg, "--out", out)
	data, _ := os.ReadFile(filepath.Join(out, "findings.jsonl"))
	var ids []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var f struct {
			ID      string
			Reasons []string
		}
		if err := json.Unmarshal([]byte(line), &f); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		ids = append(ids, f.ID)
		if !strings.Contains(strings.Join(f.Reasons, " "), "opened_at") {
			t.Errorf("%s: the reason does not name the missing column: %v", f.ID, f.Reasons)
		}
	}
	if code != 1 || strings.Join(ids, ",") != "canonical_sql_execution_error_clean_ticket_count_real_db" {
		t.Fatalf("exit %d, findings %v; want exit 1 with only the canonical SQL's missing column:\n%s\n%s\n%s", code, ids, stdout, stderr, data)
	}
	var sum struct {
		Evidence map[string]int `json:"evidence_exercised"`
	}
	b, _ := os.ReadFile(filepath.Join(out, "summary.json"))
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if len(sum.Evidence) == 0 {
		t.Errorf("summary.json records no exercised evidence: %s", b)
	}
}
