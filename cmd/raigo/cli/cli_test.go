package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/policystrata/policystrata/internal/goldentest"
	"github.com/policystrata/policystrata/internal/progress"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestMain(m *testing.M) {
	now = func() time.Time { return time.Date(2026, 3, 26, 10, 0, 0, 0, time.UTC) }
	// progress lines carry rates and times: the golden stderr holds none
	// (progress_test.go turns them back on)
	progressMode = func(io.Writer, bool) progress.Mode { return progress.Off }
	os.Exit(m.Run())
}

func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// TestGolden runs every case under testdata/golden: a directory holding
// `args` (one argument per line; $TMP stands for a fresh temporary
// directory) and the expected `stdout`, `stderr` and `exit`, plus, when
// the command writes under $TMP, the files it wrote as `tmp/<path>`
// (traces.jsonl and traces.parquet excepted: the trace tests in
// pipeline/raigorun check those). Run with -update to rewrite.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "golden", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, "args"))
			if err != nil {
				t.Fatal(err)
			}
			tmp := t.TempDir()
			var args []string
			for _, a := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
				args = append(args, strings.ReplaceAll(a, "$TMP", tmp))
			}
			code, stdout, stderr := runCLI(t, "", args...)
			got := map[string]string{
				"args":   string(raw),
				"stdout": strings.ReplaceAll(stdout, tmp, "$TMP"),
				"stderr": strings.ReplaceAll(stderr, tmp, "$TMP"),
				"exit":   fmt.Sprintln(code),
			}
			for name, body := range goldentest.ReadTree(t, tmp) {
				if !strings.HasPrefix(filepath.Base(name), "traces.") {
					got["tmp/"+name] = strings.ReplaceAll(body, tmp, "$TMP")
				}
			}
			for k, v := range got {
				if v == "" {
					delete(got, k)
				}
			}
			goldentest.Check(t, dir, got, *update)
		})
	}
}
