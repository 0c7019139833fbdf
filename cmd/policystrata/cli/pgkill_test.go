package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/policystrata/policystrata/pipeline/pgtest"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// runSuffixes lists the run suffixes of the ps_<12 hex> schemas and roles
// on the server.
func runSuffixes(t *testing.T, dsn string) map[string]bool {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT nspname FROM pg_namespace WHERE nspname ~ '^ps_[0-9a-f]{12}_'
		UNION ALL SELECT rolname FROM pg_roles WHERE rolname ~ '^ps_[0-9a-f]{12}_'`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, n := range names {
		out[n[3:15]] = true
	}
	return out
}

// leasedBy lists the run suffixes whose lease (advisory lock) a backend
// with application name app holds.
func leasedBy(t *testing.T, dsn, app string) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT lpad(to_hex(((l.classid::bigint & 65535) << 32) | l.objid::bigint), 12, '0')
		FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = $1 AND (l.classid::bigint >> 16) = 28787`, app)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// buildBinary builds the policystrata binary once per test process (the
// signal and kill tests share it; TestMain removes it).
func buildBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "policystrata-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "policystrata")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/policystrata/policystrata/cmd/policystrata").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// TestMain removes the binary buildBinary built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// withApp adds application_name=app to dsn, so the test can find the run's
// backends.
func withApp(dsn, app string) string {
	if strings.Contains(dsn, "://") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		return dsn + sep + "application_name=" + app
	}
	return dsn + " application_name=" + app
}

// pgRun is a long PostgreSQL run of the built binary, started in the
// background with its own application name and output directory.
type pgRun struct {
	cmd    *exec.Cmd
	app    string
	parent string // the --out directory's parent: staging lives here
	stderr *strings.Builder
}

// startPGRun starts a generated run far longer than the tests wait.
func startPGRun(t *testing.T, bin, dsn string) *pgRun {
	t.Helper()
	r := &pgRun{app: fmt.Sprintf("pgsig_%d_%d", os.Getpid(), time.Now().UnixNano()), parent: t.TempDir(), stderr: &strings.Builder{}}
	r.cmd = exec.Command(bin, "run", "--engine", "postgres", "--pg-dsn", withApp(dsn, r.app), "--domain", "support_saas",
		"--suite", "generated", "--count", "5000", "--no-minimize", "--out", filepath.Join(r.parent, "run"))
	r.cmd.Stderr = r.stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.cmd.Process.Kill(); _ = r.cmd.Wait() })
	return r
}

// waitMidRun waits until the run holds its lease, its schemas and roles
// exist, and its staging directory holds traces.jsonl (the sinks open once
// the database states are loaded, so the run is evaluating), and returns
// the run's suffix.
func (r *pgRun) waitMidRun(t *testing.T, dsn string) string {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		if r.cmd.ProcessState != nil {
			t.Fatalf("the run ended early:\n%s", r.stderr)
		}
		if l := leasedBy(t, dsn, r.app); len(l) > 0 && runSuffixes(t, dsn)[l[0]] && len(stagingWithTraces(r.parent)) > 0 {
			return l[0]
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = r.cmd.Process.Kill()
	t.Fatalf("the run never reached its evaluation (lease, objects and traces.jsonl in staging):\n%s", r.stderr)
	return ""
}

// debrisIn lists the staging and displaced directories in parent.
func debrisIn(parent string) []string {
	entries, _ := os.ReadDir(parent)
	var out []string
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") || strings.Contains(e.Name(), ".old-") {
			out = append(out, e.Name())
		}
	}
	return out
}

// stagingWithTraces lists the staging directories in parent that hold
// traces.jsonl.
func stagingWithTraces(parent string) []string {
	entries, _ := os.ReadDir(parent)
	var out []string
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			if _, err := os.Stat(filepath.Join(parent, e.Name(), "traces.jsonl")); err == nil {
				out = append(out, e.Name())
			}
		}
	}
	return out
}

// leftovers describes what run suffix still has on the server: its
// schemas, roles and the relations in its schemas (empty when none).
func leftovers(t *testing.T, dsn, suffix string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var schemas, roles, relations int
	pat := "^ps_" + suffix + "(_|$)"
	err = conn.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM pg_namespace WHERE nspname ~ $1),
		(SELECT count(*) FROM pg_roles WHERE rolname ~ $1),
		(SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname ~ $1 OR c.relname ~ $2)`,
		pat, suffix).Scan(&schemas, &roles, &relations)
	if err != nil {
		t.Fatal(err)
	}
	if schemas+roles+relations == 0 {
		return ""
	}
	return fmt.Sprintf("%d schemas, %d roles, %d relations", schemas, roles, relations)
}

// A PostgreSQL run stopped mid-evaluation by SIGINT or SIGTERM cleans up
// before it exits 130 or 143: none of its schemas, roles or relations and
// no staging directory is left, even before a later run or `clean`, and
// `clean` then finds nothing of it either.
func TestSignalledPostgresRunIsCleaned(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it against PostgreSQL")
	}
	dsn := pgtest.DSN(t)
	bin := buildBinary(t)
	cases := []struct {
		sig  syscall.Signal
		want int
	}{
		{syscall.SIGINT, 130},
		{syscall.SIGTERM, 143},
	}
	for _, tc := range cases {
		t.Run(tc.sig.String(), func(t *testing.T) {
			r := startPGRun(t, bin, dsn)
			suffix := r.waitMidRun(t, dsn)
			if err := r.cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			err := r.cmd.Wait()
			code := -1
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err == nil {
				code = 0
			}
			if code != tc.want {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.want, r.stderr)
			}
			if !strings.Contains(r.stderr.String(), "interrupted by") {
				t.Errorf("stderr does not say the run was interrupted:\n%s", r.stderr)
			}
			if left := leftovers(t, dsn, suffix); left != "" {
				t.Errorf("run %s left %s on the server after exiting", suffix, left)
			}
			if entries, _ := os.ReadDir(r.parent); len(entries) != 0 {
				t.Errorf("left in the output's parent: %v", entries)
			}
			out, err := exec.Command(bin, "clean", "--pg-dsn", dsn).CombinedOutput()
			if err != nil {
				t.Fatalf("clean: %v\n%s", err, out)
			}
			if strings.Contains(string(out), "ps_"+suffix) {
				t.Errorf("clean found objects of run %s the run should have dropped itself:\n%s", suffix, out)
			}
			if left := leftovers(t, dsn, suffix); left != "" {
				t.Errorf("after clean, run %s still has %s", suffix, left)
			}
		})
	}
}

// A PostgreSQL run killed with SIGKILL mid-evaluation (no cleanup code
// runs) leaves its schemas, roles and staging directory behind;
// `policystrata clean` removes exactly its database objects, and the next
// run to the same --out removes both.
func TestKilledPostgresRunIsCleaned(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it against PostgreSQL")
	}
	dsn := pgtest.DSN(t)
	bin := buildBinary(t)
	kill := func(t *testing.T) (suffix, parent string) {
		t.Helper()
		r := startPGRun(t, bin, dsn)
		suffix = r.waitMidRun(t, dsn)
		if err := r.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = r.cmd.Wait()
		if !runSuffixes(t, dsn)[suffix] {
			t.Fatalf("run %s left nothing behind after SIGKILL: the test proves nothing", suffix)
		}
		if len(stagingWithTraces(r.parent)) == 0 {
			t.Fatalf("run %s left no staging directory after SIGKILL: the test proves nothing", suffix)
		}
		return suffix, r.parent
	}
	t.Run("clean", func(t *testing.T) {
		suffix, _ := kill(t)
		out, err := exec.Command(bin, "clean", "--pg-dsn", dsn).CombinedOutput()
		if err != nil {
			t.Fatalf("clean: %v\n%s", err, out)
		}
		if left := leftovers(t, dsn, suffix); left != "" {
			t.Errorf("clean left run %s's %s behind:\n%s", suffix, left, out)
		}
		if !regexp.MustCompile(`dropped ps_` + suffix).Match(out) {
			t.Errorf("clean did not report dropping run %s:\n%s", suffix, out)
		}
	})
	t.Run("next run", func(t *testing.T) {
		suffix, parent := kill(t)
		out := filepath.Join(parent, "run")
		res, err := exec.Command(bin, "run", "--engine", "postgres", "--pg-dsn", dsn, "--domain", "support_saas",
			"--suite", "seeded", "--no-minimize", "--out", out).CombinedOutput()
		if err != nil {
			t.Fatalf("next run: %v\n%s", err, res)
		}
		if left := leftovers(t, dsn, suffix); left != "" {
			t.Errorf("the next run left run %s's %s behind (runs left: %v)", suffix, left, strings.Join(spec.SortedKeys(runSuffixes(t, dsn)), " "))
		}
		if d := debrisIn(parent); len(d) != 0 {
			t.Errorf("the next run to the same --out left the dead run's staging: %v", d)
		}
		if _, err := os.Stat(filepath.Join(out, "summary.json")); err != nil {
			t.Errorf("the next run wrote no output: %v", err)
		}
	})
}
