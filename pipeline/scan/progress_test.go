package scan

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/policystrata/policystrata/pipeline/scan/source"
)

// TestTraceLines: the scan's progress total counts the lines the trace
// reader numbers (a last line without a newline too), and each trace's
// position adds the lines of the files before its own, so the last
// trace of the last file reaches the total.
func TestTraceLines(t *testing.T) {
	const tr = `{"id":"t","principal":"p","sql":"SELECT 1"}`
	tests := []struct {
		name  string
		files map[string]string
		list  []string
		total int
		// lastAt is the position of the last trace
		lastAt int
	}{
		{"one file", map[string]string{"a.jsonl": tr + "\n" + tr + "\n" + tr + "\n"}, []string{"a.jsonl"}, 3, 3},
		{"no final newline", map[string]string{"a.jsonl": tr + "\n" + tr}, []string{"a.jsonl"}, 2, 2},
		{"blank lines count", map[string]string{"a.jsonl": tr + "\n\n" + tr + "\n\n"}, []string{"a.jsonl"}, 4, 3},
		{"empty file", map[string]string{"a.jsonl": ""}, []string{"a.jsonl"}, 0, 0},
		{"two files", map[string]string{"a.jsonl": tr + "\n" + tr + "\n", "b.jsonl": tr + "\n" + tr + "\n" + tr}, []string{"a.jsonl", "b.jsonl"}, 5, 5},
		{"a missing file: unknown", map[string]string{"a.jsonl": tr + "\n"}, []string{"a.jsonl", "gone.jsonl"}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			tl := countTraceLines(dir, tc.list)
			if tl.total != tc.total {
				t.Fatalf("total %d, want %d", tl.total, tc.total)
			}
			if tl.total == 0 {
				return
			}
			// the reader's own numbering reaches the total
			last := 0
			for it := range source.Stream(dir, tc.list) {
				if it.Err != nil {
					t.Fatal(it.Err)
				}
				at := tl.at(it.Trace)
				if at <= last {
					t.Errorf("trace %s:%d at %d, not after %d", it.Trace.File, it.Trace.Line, at, last)
				}
				last = at
			}
			if last != tc.lastAt {
				t.Errorf("last trace at %d, want %d", last, tc.lastAt)
			}
		})
	}
}
