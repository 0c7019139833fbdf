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

// TestProgressLeavesOutputsAlone runs raigo test quiet, with plain
// progress lines and with the bar (drawn into the buffer as on a
// terminal): stdout and the trace directory are byte-identical, and
// progress goes to stderr only, and only without --quiet.
func TestProgressLeavesOutputsAlone(t *testing.T) {
	old := progressMode
	t.Cleanup(func() { progressMode = old })
	final := regexp.MustCompile(`^raigo test: 36/36 cases, [0-9]+\.[0-9]/s, done in [0-9.hmµns]+$`)
	var want map[string]string
	for _, mode := range []progress.Mode{progress.Off, progress.Lines, progress.Bar} {
		progressMode = func(_ io.Writer, quiet bool) progress.Mode {
			if quiet {
				return progress.Off
			}
			return mode
		}
		out := filepath.Join(t.TempDir(), "out")
		args := []string{"test", "--verbose", "--fuzz", "3", "--out", out, "../../../examples/raigo/suites"}
		if mode == progress.Off {
			args = append(args, "--quiet")
		}
		code, stdout, stderr := runCLI(t, "", args...)
		if code > 1 {
			t.Fatalf("%v: exit %d: %s", mode, code, stderr)
		}
		got := map[string]string{"stdout": strings.ReplaceAll(stdout, out, "OUT"), "exit": string(rune('0' + code))}
		for name, body := range goldentest.ReadTree(t, out) {
			got[name] = strings.ReplaceAll(body, out, "OUT")
		}
		if mode == progress.Off {
			if stderr != "" {
				t.Errorf("--quiet wrote to stderr: %q", stderr)
			}
			want = got
			continue
		}
		if bar := strings.Contains(stderr, "\r"); bar != (mode == progress.Bar) {
			t.Errorf("%v: carriage return in stderr is %v: %q", mode, bar, stderr)
		}
		last := stderr[strings.LastIndexAny(strings.TrimSuffix(stderr, "\n"), "\r\n")+1:]
		if !final.MatchString(strings.TrimSuffix(last, "\n")) {
			t.Errorf("%v: last stderr line %q does not match %v", mode, last, final)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%v: outputs differ from --quiet (-quiet +%v):\n%s", mode, mode, diff)
		}
	}
}
