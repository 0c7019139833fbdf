package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/policystrata/policystrata/internal/subproc"
)

// TestMain lets the test binary act as raigo itself (RAIGO_BE_MAIN=1), so
// the signal tests run the real main in a subprocess without a build step.
func TestMain(m *testing.M) {
	if os.Getenv("RAIGO_BE_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// writeSuite writes a suite of n cases over the example agent firewall
// policy into dir and returns its path.
func writeSuite(t *testing.T, dir string, n int) string {
	t.Helper()
	policy, err := filepath.Abs(filepath.Join("..", "..", "examples", "raigo", "policies", "agent_firewall.raigo"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "suite: generated\npolicy: %q\ncases:\n", policy)
	for i := range n {
		fmt.Fprintf(&b, "  - name: case %d\n    input: {prompt: \"please summarise quarterly report number %d for the finance team\"}\n    expect: {action: allow}\n", i, i)
	}
	path := filepath.Join(dir, "generated.raigo-test.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// start runs raigo with args in a subprocess.
func start(t *testing.T, args ...string) (*exec.Cmd, *strings.Builder) {
	t.Helper()
	return subproc.Start(t, "RAIGO_BE_MAIN=1", args...)
}

// waitForStaging waits until a staging directory appears in dir and its
// traces.jsonl has data: the run is evaluating.
func waitForStaging(t *testing.T, dir string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		for _, d := range subproc.Debris(dir) {
			if st, err := os.Stat(filepath.Join(dir, d, "traces.jsonl")); err == nil && st.Size() > 0 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the run never wrote traces into its staging directory")
}

// TestSignalsCleanUp: SIGINT and SIGTERM mid-run cancel it, remove its
// staging directory and exit 130 and 143.
func TestSignalsCleanUp(t *testing.T) {
	if testing.Short() {
		t.Skip("runs raigo in a subprocess")
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
			suite := writeSuite(t, t.TempDir(), 200)
			parent := t.TempDir()
			out := filepath.Join(parent, "run")
			cmd, stderr := start(t, "test", "--workers", "1", "--fuzz", "10000", "--out", out, suite)
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
		t.Skip("runs raigo in a subprocess")
	}
	dir := t.TempDir()
	big := writeSuite(t, t.TempDir(), 200)
	small := writeSuite(t, dir, 3)
	parent := t.TempDir()
	out := filepath.Join(parent, "run")
	cmd, _ := start(t, "test", "--workers", "1", "--fuzz", "10000", "--out", out, big)
	waitForStaging(t, parent)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if len(subproc.Debris(parent)) == 0 {
		t.Fatal("kill -9 left no staging directory: the test proves nothing")
	}
	second, stderr := start(t, "test", "--out", out, small)
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
