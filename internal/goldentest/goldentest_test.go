package goldentest

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWriteThenReadTree(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "golden")
	files := map[string]string{"stdout": "ok\n", "tmp/a/b.json": "{}\n"}
	WriteTree(t, dir, files)
	if diff := cmp.Diff(files, ReadTree(t, dir)); diff != "" {
		t.Fatal(diff)
	}
	WriteTree(t, dir, map[string]string{"exit": "0\n"})
	if got := ReadTree(t, dir); len(got) != 1 || got["exit"] != "0\n" {
		t.Fatalf("WriteTree left stale files: %v", got)
	}
	Check(t, dir, map[string]string{"exit": "0\n"}, false)
}

func TestCheckReportsDifference(t *testing.T) {
	dir := t.TempDir()
	WriteTree(t, dir, map[string]string{"exit": "0\n"})
	rec := &recorder{TB: t}
	Check(rec, dir, map[string]string{"exit": "1\n"}, false)
	if !rec.failed {
		t.Fatal("Check accepted a different tree")
	}
}

type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Errorf(string, ...any) { r.failed = true }
