package cli

import (
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/policystrata/policystrata/internal/goldentest"
	"github.com/policystrata/policystrata/internal/progress"
)

// withProgressMode makes every command show progress in mode m (a bar
// into the test's buffer, as on a terminal) unless --quiet is given.
func withProgressMode(t *testing.T, m progress.Mode) {
	t.Helper()
	old := progressMode
	progressMode = func(w io.Writer, quiet bool) progress.Mode {
		if quiet {
			return progress.Off
		}
		return m
	}
	t.Cleanup(func() { progressMode = old })
}

// TestProgressLeavesOutputsAlone runs run, demo, scan and evidence quiet,
// with plain progress lines and with the bar: stdout and every output
// file are byte-identical (run.json, which holds timings, aside), and
// progress shows on stderr only, and only without --quiet.
func TestProgressLeavesOutputsAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("runs each command three times")
	}
	runs := t.TempDir()
	seeded := filepath.Join(runs, "seeded")
	if code, _, stderr := runCLI(t, "run", "--domain", "support_saas", "--suite", "controls", "--no-minimize", "--quiet", "--out", seeded); code != 0 {
		t.Fatalf("run: %s", stderr)
	}
	tests := []struct {
		name string
		args []string // OUT stands for the output directory
		// final is the last line on stderr without --quiet.
		final *regexp.Regexp
	}{
		{"run", []string{"run", "--domain", "support_saas", "--suite", "seeded", "--no-minimize", "--out", "OUT"},
			regexp.MustCompile(`^run: 50/50 tasks, [0-9]+\.[0-9]/s, done in [0-9.hms]+$`)},
		{"demo", []string{"demo", "--out", "OUT"},
			regexp.MustCompile(`^demo: 50/50 tasks, [0-9]+\.[0-9]/s, done in [0-9.hms]+$`)},
		{"scan", []string{"scan", "--config", examples + "security_cases/policystrata.yaml", "--out", "OUT"},
			regexp.MustCompile(`^scan: ([0-9]+)/([0-9]+) trace lines, [0-9]+\.[0-9]/s, done in [0-9.hms]+$`)},
		{"evidence", []string{"evidence", "controls=" + seeded, "--out", "OUT"},
			regexp.MustCompile(`^evidence: 8/8 steps, [0-9]+\.[0-9]/s, done in [0-9.hms]+$`)},
		{"evidence to stdout", []string{"evidence", "controls=" + seeded},
			regexp.MustCompile(`^evidence: 8/8 steps, [0-9]+\.[0-9]/s, done in [0-9.hms]+$`)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var want map[string]string
			for _, mode := range []progress.Mode{progress.Off, progress.Lines, progress.Bar} {
				withProgressMode(t, mode)
				out := filepath.Join(t.TempDir(), "out")
				var args []string
				for _, a := range tc.args {
					args = append(args, strings.ReplaceAll(a, "OUT", out))
				}
				if mode == progress.Off {
					args = append(args, "--quiet")
				}
				code, stdout, stderr := runCLI(t, args...)
				if code > 1 {
					t.Fatalf("%v: exit %d: %s", mode, code, stderr)
				}
				got := map[string]string{"stdout": strings.ReplaceAll(stdout, out, "OUT"), "exit": string(rune('0' + code))}
				if !strings.Contains(strings.Join(args, " "), "--out") {
					out = ""
				}
				if out != "" {
					for name, body := range goldentest.ReadTree(t, out) {
						if name != "run.json" {
							got[name] = strings.ReplaceAll(body, out, "OUT")
						}
					}
				}
				switch mode {
				case progress.Off:
					if stderr != "" {
						t.Errorf("--quiet wrote to stderr: %q", stderr)
					}
					want = got
					continue
				case progress.Lines:
					if strings.Contains(stderr, "\r") {
						t.Errorf("plain lines hold a carriage return: %q", stderr)
					}
				case progress.Bar:
					if !strings.Contains(stderr, "\r") {
						t.Errorf("no bar drawn: %q", stderr)
					}
				}
				lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
				last := lines[len(lines)-1]
				if i := strings.LastIndex(last, "\r"); i >= 0 {
					last = last[i+1:]
				}
				m := tc.final.FindStringSubmatch(last)
				if m == nil {
					t.Errorf("%v: last stderr line %q does not match %v\nstderr: %q", mode, last, tc.final, stderr)
				} else if len(m) == 3 && m[1] != m[2] {
					t.Errorf("%v: stopped short: %q", mode, last)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%v: outputs differ from --quiet (-quiet +%v):\n%s", mode, mode, diff)
				}
			}
		})
	}
}

// TestProgressDefaultsToLines: a command whose stderr is not a terminal
// (here a buffer) prints plain lines, not a bar.
func TestProgressDefaultsToLines(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := runCLI(t, "run", "--domain", "support_saas", "--suite", "controls", "--no-minimize", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !regexp.MustCompile(`^run: ([0-9]+)/([0-9]+) tasks, [0-9]+\.[0-9]/s, done in [0-9.hms]+\n$`).MatchString(stderr) || strings.Contains(stderr, "\r") {
		t.Errorf("stderr = %q, want one plain final line", stderr)
	}
}
