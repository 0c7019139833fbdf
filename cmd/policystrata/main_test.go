package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/policystrata/policystrata/internal/subproc"
)

// TestMain lets the test binary act as policystrata itself
// (POLICYSTRATA_BE_MAIN=1), so the signal tests run the real main in a
// subprocess without a build step.
func TestMain(m *testing.M) {
	if os.Getenv("POLICYSTRATA_BE_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// start runs policystrata with args in a subprocess.
func start(t *testing.T, args ...string) (*exec.Cmd, *strings.Builder) {
	t.Helper()
	return subproc.Start(t, "POLICYSTRATA_BE_MAIN=1", args...)
}

// waitForStaging waits until a staging directory appears in dir holding
// traces.jsonl (the sinks open once the database states are loaded), then
// lets the evaluation run a moment. (The file itself fills only in 1 MiB
// flushes.)
func waitForStaging(t *testing.T, dir string) {
	t.Helper()
	deadline := time.Now().Add(120 * time.Second)
	for time.Now().Before(deadline) {
		for _, d := range subproc.Debris(dir) {
			if _, err := os.Stat(filepath.Join(dir, d, "traces.jsonl")); err == nil {
				time.Sleep(500 * time.Millisecond)
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the run never wrote traces into its staging directory")
}

// bigRun is a generated suite far longer than the tests wait.
var bigRun = []string{"run", "--domain", "support_saas", "--suite", "generated", "--count", "100000", "--workers", "1"}

// TestSignalsCleanUp: SIGINT and SIGTERM mid-run cancel it, remove its
// staging directory and exit 130 and 143.
func TestSignalsCleanUp(t *testing.T) {
	if testing.Short() {
		t.Skip("runs policystrata in a subprocess")
	}
	cases := []struct {
		sig  syscall.Signal
		want int
	}{
		{syscall.SIGINT, 130},
		{syscall.SIGTERM, 143},
	}
	for _, tc := range cases {
		t.Run(tc.sig.String(), func(t *testing.T) {
			parent := t.TempDir()
			cmd, stderr := start(t, append(bigRun, "--out", filepath.Join(parent, "run"))...)
			waitForStaging(t, parent)
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			if code := subproc.ExitCode(cmd.Wait()); code != tc.want {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.want, stderr)
			}
			if !strings.Contains(stderr.String(), "interrupted by") {
				t.Errorf("stderr does not say the run was interrupted:\n%s", stderr)
			}
			if entries, _ := os.ReadDir(parent); len(entries) != 0 {
				t.Errorf("left behind: %v", entries)
			}
		})
	}
}

// TestKillNineDebrisRemovedByNextRun: a run killed with SIGKILL leaves its
// staging directory; the next run to the same --out removes it.
func TestKillNineDebrisRemovedByNextRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs policystrata in a subprocess")
	}
	parent := t.TempDir()
	out := filepath.Join(parent, "run")
	cmd, _ := start(t, append(bigRun, "--out", out)...)
	waitForStaging(t, parent)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if len(subproc.Debris(parent)) == 0 {
		t.Fatal("kill -9 left no staging directory: the test proves nothing")
	}
	second, stderr := start(t, "run", "--domain", "support_saas", "--no-minimize", "--out", out)
	if code := subproc.ExitCode(second.Wait()); code != 0 {
		t.Fatalf("second run: exit %d; stderr:\n%s", code, stderr)
	}
	if d := subproc.Debris(parent); len(d) != 0 {
		t.Errorf("the second run left the dead run's debris: %v", d)
	}
	if _, err := os.Stat(filepath.Join(out, "summary.json")); err != nil {
		t.Errorf("second run wrote no output: %v", err)
	}
}
