package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/policystrata/policystrata/pipeline/raigo"
)

const firewall = "../../../examples/raigo/policies/agent_firewall.raigo"

func TestEvalPromptFromStdin(t *testing.T) {
	code, stdout, stderr := runCLI(t, "rm -rf /var/lib/app\n", "eval", firewall, "--prompt", "-", "--mode", "observe")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res raigo.Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if res.Action != raigo.ActionWarn || !res.ObserveOverride || res.RuleID != "AF-03" || res.EngineMode != raigo.ModeObserve {
		t.Errorf("result %+v", res)
	}
}

func TestEvalUsageErrors(t *testing.T) {
	tests := [][]string{
		{"eval", firewall, "--prompt", "x", "--mode", "shadow"},
		{"eval", firewall, "--prompt", "x", "--compat", "node"},
		{"eval", "--prompt", "x"},
		{"eval", "no/such.raigo", "--prompt", "x"},
	}
	for _, args := range tests {
		if code, _, _ := runCLI(t, "", args...); code != ExitBadInput {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}

// With no path, raigo test searches the current directory.
func TestTestDefaultsToCurrentDirectory(t *testing.T) {
	abs, err := filepath.Abs(firewall)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	suite := "suite: S\npolicy: " + abs + "\ncases:\n  - name: c\n    input: {prompt: hello}\n    expect: {action: allow}\n"
	if err := os.WriteFile(filepath.Join(dir, "s.raigo-test.yaml"), []byte(suite), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	code, stdout, stderr := runCLI(t, "", "test")
	if code != ExitOK || stdout == "" {
		t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
	}
}

func TestTestUsageErrors(t *testing.T) {
	tests := [][]string{
		{"test", "--workers", "-1"},
		{"test", "--workers", "1000"},
		{"test", "--fuzz", "-2"},
		{"test", "--min-coverage", "150"},
		{"test", "--update-snapshots"},
		{"test", "--force"},
		{"test", "--compat", "node"},
		{"test", "no/such/dir"},
	}
	for _, args := range tests {
		if code, _, _ := runCLI(t, "", args...); code != ExitBadInput {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}
