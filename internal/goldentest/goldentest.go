// Package goldentest holds the helpers of the golden-directory tests of the
// command-line front ends: a directory tree is read as a map from slash
// path to contents, compared with a golden directory, and rewritten with
// -update.
package goldentest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ReadTree returns every file under dir keyed by slash path.
func ReadTree(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

// WriteTree replaces dir with exactly files.
func WriteTree(tb testing.TB, dir string, files map[string]string) {
	tb.Helper()
	if err := os.RemoveAll(dir); err != nil {
		tb.Fatal(err)
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// Check compares got with the golden directory dir, after rewriting dir
// from got when update is set, and reports any difference.
func Check(tb testing.TB, dir string, got map[string]string, update bool) {
	tb.Helper()
	if update {
		WriteTree(tb, dir, got)
	}
	want := ReadTree(tb, dir)
	if diff := cmp.Diff(want, got); diff != "" {
		tb.Errorf("%s differs (-want +got); rerun with -update if intended:\n%s", dir, diff)
	}
}
