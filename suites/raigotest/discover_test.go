package raigotest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiscover(t *testing.T) {
	got, err := Discover("testdata/suites", "testdata/policies/nhs.raigo", "testdata/suites/observe")
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "suites", []string{
		"testdata/suites/firewall.raigo-test.yaml",
		"testdata/suites/nested/deeper/chain.raigo-test.yaml",
		"testdata/suites/observe/pii.raigo-test.yml",
		"testdata/policies/nhs.raigo",
	}, got)
	if _, err := Discover("testdata/missing"); err == nil || !strings.HasPrefix(err.Error(), "discover suites: ") {
		t.Errorf("missing path: %v", err)
	}
	// Sorting is by path, whatever the directory order.
	dir := t.TempDir()
	for _, name := range []string{"b.raigo-test.yaml", "a/z.raigo-test.yml", "a.raigo-test.yaml", "c.yaml", "A.raigo-test.yaml"} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err = Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	var rel []string
	for _, p := range got {
		r, _ := filepath.Rel(dir, p)
		rel = append(rel, filepath.ToSlash(r))
	}
	assertEqual(t, "sorted", []string{"A.raigo-test.yaml", "a.raigo-test.yaml", "a/z.raigo-test.yml", "b.raigo-test.yaml"}, rel)
	if !IsSuiteFile("x/y.raigo-test.yml") || IsSuiteFile("y.raigo-test.json") || IsSuiteFile("raigo-test.yaml.bak") {
		t.Error("IsSuiteFile")
	}
}
