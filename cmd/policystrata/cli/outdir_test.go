package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutRefusesDangerousPaths is the regression test for issue 9 item 1
// on policystrata: --force may replace only a previous policystrata run,
// never the working directory (`.`, `./`, `..`, `sub/..`), the home
// directory, or a directory policystrata did not write. Each must exit 2,
// name the path, and leave every file where it was.
func TestOutRefusesDangerousPaths(t *testing.T) {
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
		{"foreign directory", "data", "not a previous policystrata run"},
		{"raigo run", "raigorun", "not a previous policystrata run"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			work := filepath.Join(root, "work")
			home := filepath.Join(root, "home")
			keep := []string{"thesis.tex", "sub/notes.md", "data/rows.csv", "raigorun/.raigo-run", "../home/.profile"}
			for _, f := range keep {
				f = filepath.Join(work, f)
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
			code, _, stderr := runCLI(t, "run", "--domain", "support_saas", "--no-minimize", "--out", out, "--force")
			if code != ExitBadInput || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, out+":") {
				t.Fatalf("exit %d, stderr %q; want exit 2 naming %q and %q", code, stderr, out, tc.want)
			}
			for _, f := range keep {
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

// TestOutForceReplacesPreviousRun: a second run needs --force, which then
// replaces the first run's directory.
func TestOutForceReplacesPreviousRun(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "r")
	args := []string{"run", "--domain", "support_saas", "--no-minimize", "--out", out}
	if code, _, stderr := runCLI(t, args...); code != 0 {
		t.Fatal(stderr)
	}
	if _, err := os.Stat(filepath.Join(out, ".policystrata-run")); err != nil {
		t.Fatalf("run directory without its marker: %v", err)
	}
	if code, _, stderr := runCLI(t, args...); code != ExitBadInput || !strings.Contains(stderr, "use --force") {
		t.Fatalf("second run without --force: exit %d, %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, append(args, "--force")...); code != 0 {
		t.Fatalf("second run with --force: exit %d, %s", code, stderr)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("debris beside the run directory: %v", entries)
	}
}
