package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// referenceDir holds the reference's three domain directories, byte for
// byte (pipeline/importdomain's test data: one copy for every test).
var referenceDir = filepath.Join("..", "..", "..", "pipeline", "importdomain", "testdata", "reference")

// The reference's seeded suites (referenceDir/*/tasks/seeded.yaml,
// copied byte for byte from the Python reference) load unchanged on the
// built-in domains in place of their own seeded suites, and every task is
// killed.
func TestReferenceSeededSuitesOnBuiltins(t *testing.T) {
	cases := []struct {
		domain string
		want   string
	}{
		{"support_saas", "50 traces: 50 killed, 0 survived, 0 equivalent, 0 invalid"},
		{"finance_saas", "20 traces: 20 killed, 0 survived, 0 equivalent, 0 invalid"},
		{"analytics_clickhouse", "100 traces: 100 killed, 0 survived, 0 equivalent, 0 invalid"},
	}
	for _, c := range cases {
		t.Run(c.domain, func(t *testing.T) {
			tmp := t.TempDir()
			dom := filepath.Join(tmp, c.domain)
			copyTree(t, filepath.Join("..", "..", "..", "domains", c.domain), dom)
			ref, err := os.ReadFile(filepath.Join(referenceDir, c.domain, "tasks", "seeded.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dom, "tasks", "seeded.yaml"), ref, 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runCLI(t, "run", "--domain-path", dom, "--suite", "seeded", "--no-minimize", "--out", filepath.Join(tmp, "run"))
			if code != 0 {
				t.Fatalf("run exit %d: %s", code, stderr)
			}
			if !strings.Contains(stdout, c.want) {
				t.Errorf("stdout %q lacks %q", stdout, c.want)
			}
		})
	}
}

// copyTree copies the directory src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
