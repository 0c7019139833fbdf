package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutRefusesDangerousPaths is the regression test for issue 9 item 1:
// `raigo test --out ./ --force` used to delete every file of the working
// directory. Each dangerous --out must exit 2, name the path, and leave
// every file where it was. (The root directory is covered by
// internal/outdir's own tests, which never reach a deletion: a regression
// here must not be able to remove /.)
func TestOutRefusesDangerousPaths(t *testing.T) {
	suites, err := filepath.Abs(filepath.Join("..", "..", "..", "examples", "raigo", "suites"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		out  string
		want string
	}{
		{"dot slash", "./", "working directory"},
		{"dot", ".", "working directory"},
		{"dot dot", "..", "working directory"},
		{"sub dot dot", "sub/..", "working directory"},
		{"home", "$HOME", "home directory"},
		{"foreign directory", "data", "not a previous raigo run"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			work := filepath.Join(root, "work")
			home := filepath.Join(root, "home")
			for _, f := range []string{filepath.Join(work, "thesis.tex"), filepath.Join(work, "sub", "notes.md"),
				filepath.Join(work, "data", "rows.csv"), filepath.Join(home, ".profile")} {
				if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(f, []byte("keep\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			t.Setenv("HOME", home)
			t.Chdir(work)
			out := strings.ReplaceAll(tc.out, "$HOME", home)
			code, stdout, stderr := runCLI(t, "", "test", "--out", out, "--force", suites)
			if code != ExitBadInput || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, out+":") {
				t.Fatalf("exit %d, stderr %q (stdout %q); want exit 2 naming %q and %q", code, stderr, stdout, out, tc.want)
			}
			for _, f := range []string{"thesis.tex", "sub/notes.md", "data/rows.csv", "../home/.profile"} {
				if _, err := os.Stat(f); err != nil {
					t.Errorf("%s lost: %v", f, err)
				}
			}
			entries, _ := os.ReadDir(root)
			if len(entries) != 2 {
				t.Errorf("debris beside the working directory: %v", entries)
			}
		})
	}
}
