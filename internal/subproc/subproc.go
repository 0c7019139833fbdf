// Package subproc helps the signal tests of the command-line tools: each
// test binary acts as its tool when an environment variable is set, and
// these helpers start it, find the directories an interrupted run leaves
// and read its exit code.
package subproc

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Start runs the current test binary with args in a subprocess, with env
// (such as POLICYSTRATA_BE_MAIN=1) added to its environment so that it
// acts as the tool; the process is killed when t ends. It returns the
// command and its captured stderr.
func Start(t *testing.T, env string, args ...string) (*exec.Cmd, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), env)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, &stderr
}

// Debris lists the staging (.tmp-) and displaced (.old-) directories in
// dir.
func Debris(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") || strings.Contains(e.Name(), ".old-") {
			out = append(out, e.Name())
		}
	}
	return out
}

// ExitCode is a finished command's exit code (-1 when it did not exit).
func ExitCode(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}
