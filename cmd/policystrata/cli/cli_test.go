package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/policystrata/policystrata/internal/goldentest"

	"github.com/policystrata/policystrata/pipeline/pgtest"
)

var update = flag.Bool("update", false, "rewrite golden files")

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// The demo's outputs are pinned by a golden directory: stdout and every
// compared file (run.json holds timings and is not compared; the Parquet
// file is checked against the JSONL below and across worker counts).
func TestDemoGolden(t *testing.T) {
	out := filepath.Join(t.TempDir(), "demo")
	code, stdout, stderr := runCLI(t, "demo", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got := goldentest.ReadTree(t, out)
	delete(got, "run.json")
	delete(got, "traces.parquet")
	got["stdout.txt"] = strings.ReplaceAll(stdout, out, "RUN_DIR")
	pinWitnesses(got, demoWitness)
	golden := filepath.Join("testdata", "golden", "demo")
	goldentest.Check(t, golden, got, *update)
}

// demoWitness is the witness the demo explains, pinned in full (and
// replayed by TestReplayGolden); the others are pinned by digest.
const demoWitness = "witnesses/compiler_drops_tenant_predicate_01.json"

// pinWitnesses replaces every witness file of tree but keep by one line of
// witnesses.sha256 (each is ~25 KB: the domain's files are embedded).
func pinWitnesses(tree map[string]string, keep string) {
	var lines []string
	for _, name := range slices.Sorted(maps.Keys(tree)) {
		if !strings.HasPrefix(name, "witnesses/") {
			continue
		}
		sum := sha256.Sum256([]byte(tree[name]))
		lines = append(lines, hex.EncodeToString(sum[:])+"  "+name)
		if name != keep {
			delete(tree, name)
		}
	}
	tree["witnesses.sha256"] = strings.Join(lines, "\n") + "\n"
}

// The pinned demo witness replays from the file alone (exit 0), and its
// output is pinned too.
func TestReplayGolden(t *testing.T) {
	path := filepath.Join("testdata", "golden", "demo", filepath.FromSlash(demoWitness))
	code, stdout, stderr := runCLI(t, "replay", path)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	goldentest.Check(t, filepath.Join("testdata", "golden", "replay"), map[string]string{"stdout.txt": filepath.ToSlash(stdout)}, *update)
}

// replay exits 1 with the difference when a witness does not reproduce,
// and 2 with path:line on a malformed or foreign file.
func TestReplayExitCodes(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "golden", "demo", filepath.FromSlash(demoWitness)))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name, body string
		code       int
		want       string
	}{
		{"tampered class", strings.Replace(string(src), `"witness_class": "lowering_violation"`, `"witness_class": "over_permissive"`, 1), 1,
			"witness_class: recorded over_permissive, replayed lowering_violation"},
		{"tampered sql", strings.Replace(string(src), `SELECT count(distinct support_tickets.id) AS value`, `SELECT count(*) AS value`, 1), 1,
			"compiled_sql: recorded SELECT count(*) AS value"},
		{"tampered layer output", strings.ReplaceAll(string(src), `SELECT count(distinct support_tickets.id) AS value`, `SELECT count(*) AS value`), 1,
			"layer_outputs.compiler: recorded"},
		{"fault removed", strings.Replace(string(src), `"compiler": "drop_tenant_predicate"`, `"compiler": "v7"`, 1), 1, "does not reproduce"},
		{"unknown field", strings.Replace(string(src), `"table": "accounts"`, `"table": "accounts", "rows": [], "x_": 0`, 1), 2, "unknown field"},
		{"syntax error on line 3", "{\n  \"format\": \"policystrata-witness/2\",\n  \"task_id\": ,\n}", 2, "bad.json:3:"},
		{"foreign format", `{"format": "other"}`, 2, `format is "other"`},
		{"bad variant", strings.Replace(string(src), `"compiler": "drop_tenant_predicate"`, `"compiler": "nope"`, 1), 2, "unknown compiler variant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "bad.json")
			if err := os.WriteFile(path, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			if tc.body == string(src) {
				t.Fatal("the edit did not apply; the case tests nothing")
			}
			code, stdout, stderr := runCLI(t, "replay", path)
			if code != tc.code || !strings.Contains(stdout+stderr, tc.want) {
				t.Fatalf("exit %d, want %d with %q:\n%s%s", code, tc.code, tc.want, stdout, stderr)
			}
		})
	}
}

// Every witness of a seeded run replays, and the minimization report shows
// each 1-minimal with a median state reduction of at least 90%.
func TestSeededWitnessesReplayAndAreMinimal(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := runCLI(t, "run", "--domain", "support_saas", "--out", out); code != 0 {
		t.Fatalf("run: %s", stderr)
	}
	files, err := filepath.Glob(filepath.Join(out, "witnesses", "*.json"))
	if err != nil || len(files) != 50 {
		t.Fatalf("%d witnesses (%v), want 50", len(files), err)
	}
	code, stdout, stderr := runCLI(t, append([]string{"replay"}, files...)...)
	if code != 0 || !strings.Contains(stdout, "50 of 50 witnesses reproduced") {
		t.Fatalf("replay exit %d:\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "minimization-report", out, "--format", "json")
	if code != 0 {
		t.Fatalf("minimization-report exit %d: %s", code, stderr)
	}
	var rep struct {
		Totals struct {
			Witnesses            int      `json:"witnesses"`
			OneMinimal           int      `json:"one_minimal"`
			MedianStateReduction float64  `json:"median_state_reduction"`
			TimeMS               *float64 `json:"time_ms"`
		} `json:"totals"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Totals.Witnesses != 50 || rep.Totals.OneMinimal != 50 || rep.Totals.MedianStateReduction < 0.9 || rep.Totals.TimeMS == nil {
		t.Fatalf("report totals %+v", rep.Totals)
	}
	code, stdout, _ = runCLI(t, "minimization-report", out)
	if code != 0 || !strings.Contains(stdout, "| 1-minimal | 50 of 50 |") {
		t.Fatalf("markdown report exit %d:\n%s", code, stdout)
	}
	if code, _, _ := runCLI(t, "minimization-report", out, "--format", "xml"); code != 2 {
		t.Errorf("--format xml: exit %d, want 2", code)
	}
}

// traces.parquet holds the same records as traces.jsonl, and both are
// byte-identical for any worker count.
func TestRunDeterministicAcrossWorkers(t *testing.T) {
	for _, suite := range [][]string{{"--suite", "seeded"}, {"--suite", "generated", "--count", "66", "--seed", "99"}} {
		t.Run(suite[1], func(t *testing.T) { checkDeterministic(t, suite) })
	}
}

func checkDeterministic(t *testing.T, suite []string) {
	dir := t.TempDir()
	var trees []map[string]string
	for _, w := range []string{"1", "4"} {
		out := filepath.Join(dir, "w"+w)
		args := append([]string{"run", "--domain", "support_saas", "--out", out, "--workers", w}, suite...)
		code, _, stderr := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("workers %s: exit %d: %s", w, code, stderr)
		}
		tree := goldentest.ReadTree(t, out)
		delete(tree, "run.json")
		trees = append(trees, tree)
	}
	if diff := cmp.Diff(trees[0], trees[1]); diff != "" {
		t.Fatalf("outputs differ between 1 and 4 workers:\n%s", diff)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT trace_json FROM read_parquet(?)", filepath.Join(dir, "w1", "traces.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, s)
	}
	want := strings.Split(strings.TrimSuffix(trees[0]["traces.jsonl"], "\n"), "\n")
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("parquet trace_json differs from traces.jsonl:\n%s", diff)
	}
}

func TestBadInput(t *testing.T) {
	tmp := t.TempDir()
	badDomain := filepath.Join(tmp, "bad_domain")
	if code, _, stderr := runCLI(t, "init-domain", "support_saas", "--out", badDomain); code != 0 {
		t.Fatalf("init-domain: %s", stderr)
	}
	policy := filepath.Join(badDomain, "policy.yaml")
	b, _ := os.ReadFile(policy)
	os.WriteFile(policy, bytes.Replace(b, []byte("    role: analyst\n"), []byte("    role: analyst\n    colour: blue\n"), 1), 0o644)
	nonEmpty := filepath.Join(tmp, "nonempty")
	os.MkdirAll(nonEmpty, 0o755)
	os.WriteFile(filepath.Join(nonEmpty, "keep.txt"), []byte("x"), 0o644)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown domain", []string{"run", "--domain", "nope", "--out", filepath.Join(tmp, "o1")}, "nope: unknown built-in domain"},
		{"missing out", []string{"run", "--domain", "support_saas"}, "--out is required"},
		{"both domain flags", []string{"run", "--domain", "support_saas", "--domain-path", badDomain, "--out", filepath.Join(tmp, "o2")}, "not both"},
		{"unknown field with line", []string{"run", "--domain-path", badDomain, "--out", filepath.Join(tmp, "o3")}, "policy.yaml:17: unknown field \"colour\""},
		{"missing domain dir", []string{"run", "--domain-path", filepath.Join(tmp, "none"), "--out", filepath.Join(tmp, "o4")}, "domain directory does not exist"},
		{"unknown suite", []string{"run", "--domain", "support_saas", "--suite", "nope", "--out", filepath.Join(tmp, "o5")}, "suite \"nope\" not found"},
		{"unsafe suite name", []string{"run", "--domain", "support_saas", "--suite", "../x", "--out", filepath.Join(tmp, "o6")}, "not a safe suite name"},
		{"zero workers", []string{"run", "--domain", "support_saas", "--out", filepath.Join(tmp, "o7"), "--workers", "0"}, "--workers must be"},
		{"huge workers", []string{"run", "--domain", "support_saas", "--out", filepath.Join(tmp, "o8"), "--workers", "100000"}, "--workers must be"},
		{"non-empty out", []string{"run", "--domain", "support_saas", "--out", nonEmpty}, "exists and is not empty"},
		{"unknown flag", []string{"run", "--colour"}, "unknown flag"},
		{"summarize non-run", []string{"summarize", tmp}, "not a run directory"},
		{"init-domain unknown", []string{"init-domain", "nope", "--out", filepath.Join(tmp, "o9")}, "unknown built-in domain"},
		{"extra argument", []string{"demo", "extra"}, "takes no arguments"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != ExitBadInput {
				t.Errorf("exit %d, want 2; stderr: %s", code, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q does not contain %q", stderr, tc.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(tmp, "o3")); !os.IsNotExist(err) {
		t.Errorf("a failed run left its output directory behind")
	}
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("staging directory %s left behind", e.Name())
		}
	}
}

func TestSummarizeMatchesRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r")
	if code, _, stderr := runCLI(t, "run", "--domain", "support_saas", "--out", out, "--no-minimize"); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, stderr := runCLI(t, "summarize", out)
	if code != 0 || !strings.Contains(stdout, "summary.json: matches the traces") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, "summarize", out, "--format", "json")
	stored, _ := os.ReadFile(filepath.Join(out, "summary.json"))
	if code != 0 || stdout != string(stored) {
		t.Errorf("summarize --format json differs from summary.json")
	}
	code, stdout, _ = runCLI(t, "summarize", out, "--format", "markdown")
	if code != 0 || !strings.Contains(stdout, "| `compiler_drops_tenant_predicate` | 5 | 5 | 0 | 0 | 1.000 |") || !strings.Contains(stdout, "| **total** | 50 | 50 | 0 | 0 | 1.000 |") {
		t.Errorf("markdown summary:\n%s", stdout)
	}
}

// A domain written out by init-domain runs from its directory with the same
// results as the built-in one.
func TestInitDomainThenRunFromPath(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "support_saas")
	if code, _, stderr := runCLI(t, "init-domain", "support_saas", "--out", dir); code != 0 {
		t.Fatal(stderr)
	}
	a, b := filepath.Join(tmp, "a"), filepath.Join(tmp, "b")
	if code, _, stderr := runCLI(t, "run", "--domain-path", dir, "--suite", "controls", "--out", a, "--no-minimize"); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := runCLI(t, "run", "--domain", "support_saas", "--suite", "controls", "--out", b, "--no-minimize"); code != 0 {
		t.Fatal(stderr)
	}
	ta, tb := goldentest.ReadTree(t, a), goldentest.ReadTree(t, b)
	for _, f := range []string{"summary.json", "traces.jsonl"} {
		if ta[f] != tb[f] {
			t.Errorf("%s differs between --domain-path and --domain", f)
		}
	}
	if !strings.Contains(ta["summary.json"], `"false_positives": 0`) {
		t.Errorf("controls suite has false positives:\n%s", ta["summary.json"])
	}
}

// The same suite on PostgreSQL (real RLS) and on DuckDB gives the same
// accounting, and the cross-engine check finds no disagreement.
func TestPostgresEngineAgreesWithDuckDB(t *testing.T) {
	dsn := pgtest.DSN(t)
	tmp := t.TempDir()
	for _, suite := range []string{"seeded", "controls"} {
		t.Run(suite, func(t *testing.T) {
			pg, dk := filepath.Join(tmp, suite+"-pg"), filepath.Join(tmp, suite+"-dk")
			if code, _, stderr := runCLI(t, "run", "--domain", "support_saas", "--suite", suite, "--engine", "postgres", "--pg-dsn", dsn, "--cross-check", "--out", pg); code != 0 {
				t.Fatal(stderr)
			}
			if code, _, stderr := runCLI(t, "run", "--domain", "support_saas", "--suite", suite, "--out", dk); code != 0 {
				t.Fatal(stderr)
			}
			a, b := goldentest.ReadTree(t, pg), goldentest.ReadTree(t, dk)
			if a["summary.json"] != b["summary.json"] {
				t.Errorf("summaries differ between engines:\n%s", cmp.Diff(b["summary.json"], a["summary.json"]))
			}
			if !strings.Contains(a["cross_engine.json"], `"clean_disagreements": 0`) || strings.Contains(a["cross_engine.json"], `"compared": 0`) {
				t.Errorf("cross_engine.json:\n%s", a["cross_engine.json"])
			}
			if !strings.Contains(a["metadata.json"], `"engine": "postgres"`) {
				t.Errorf("metadata does not name the engine")
			}
		})
	}
}
