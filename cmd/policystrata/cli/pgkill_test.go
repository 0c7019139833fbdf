package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
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

// buildBinary builds the policystrata binary into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "policystrata")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/policystrata/policystrata/cmd/policystrata")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// A PostgreSQL run killed with SIGKILL (no cleanup code runs) leaves its
// schemas and roles behind; `policystrata clean` removes exactly those, and
// so does the next run's start.
func TestKilledPostgresRunIsCleaned(t *testing.T) {
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
		out := filepath.Join(t.TempDir(), "run")
		app := fmt.Sprintf("pgkill_%d_%d", os.Getpid(), time.Now().UnixNano())
		cmd := exec.Command(bin, "run", "--engine", "postgres", "--pg-dsn", dsn+sep+"application_name="+app, "--domain", "support_saas",
			"--suite", "generated", "--count", "5000", "--no-minimize", "--out", out)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(2 * time.Minute)
		var suffix string
		for suffix == "" && time.Now().Before(deadline) {
			time.Sleep(200 * time.Millisecond)
			if l := leasedBy(t, dsn, app); len(l) > 0 && runSuffixes(t, dsn)[l[0]] {
				suffix = l[0]
			}
		}
		if suffix == "" {
			_ = cmd.Process.Kill()
			t.Fatal("the run created no PostgreSQL objects")
		}
		time.Sleep(time.Second) // mid-run: loaded and evaluating
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		if !runSuffixes(t, dsn)[suffix] {
			t.Fatalf("run %s left nothing behind after SIGKILL: the test proves nothing", suffix)
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
			t.Errorf("clean left run %s behind:\n%s", suffix, out)
		}
		if !regexp.MustCompile(`dropped ps_` + suffix).Match(out) {
			t.Errorf("clean did not report dropping run %s:\n%s", suffix, out)
		}
	})
	t.Run("next run", func(t *testing.T) {
		suffix := kill(t)
		out := filepath.Join(t.TempDir(), "run")
		res, err := exec.Command(bin, "run", "--engine", "postgres", "--pg-dsn", dsn, "--domain", "support_saas",
			"--suite", "seeded", "--no-minimize", "--out", out).CombinedOutput()
		if err != nil {
			t.Fatalf("next run: %v\n%s", err, res)
		}
		if left := runSuffixes(t, dsn); left[suffix] {
			t.Errorf("the next run left run %s behind (left: %v)", suffix, strings.Join(spec.SortedKeys(left), " "))
		}
	})
}
