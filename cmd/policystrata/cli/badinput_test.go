package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// badInputCase is one case of testdata/badinput.yaml.
type badInputCase struct {
	Name     string   `yaml:"name"`
	File     string   `yaml:"file"`
	Replace  []string `yaml:"replace"`
	Content  *string  `yaml:"content"`
	Special  string   `yaml:"special"`
	Huge     bool     `yaml:"huge"`
	Args     []string `yaml:"args"`
	EnvClear string   `yaml:"env_clear"`
	Want     string   `yaml:"want"`
	Line     int      `yaml:"line"`
	// Todo marks a known open defect: the case must still fail (it is
	// reported as skipped with the reason); once it passes the test fails
	// until the mark is removed.
	Todo string `yaml:"todo"`
}

// copyDomain copies the support_saas fixture into dir.
func copyDomain(t *testing.T, dir string) {
	t.Helper()
	copyTree(t, filepath.Join("..", "..", "..", "domains", "support_saas"), dir)
}

// TestBadInputCorpus runs every case of testdata/badinput.yaml: exit 2,
// the expected message (with path:line where the line is known), no panic,
// nothing left in the output's parent.
func TestBadInputCorpus(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "badinput.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []badInputCase
	if err := yaml.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 100 {
		t.Fatalf("the corpus has %d cases, want at least 100", len(cases))
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.Name] {
			t.Fatalf("duplicate case name %q", tc.Name)
		}
		seen[tc.Name] = true
		t.Run(tc.Name, func(t *testing.T) {
			root := t.TempDir()
			dom, outParent := filepath.Join(root, "dom"), filepath.Join(root, "outs")
			out := filepath.Join(outParent, "run")
			copyDomain(t, dom)
			if err := os.MkdirAll(outParent, 0o755); err != nil {
				t.Fatal(err)
			}
			if tc.File != "" {
				target := filepath.Join(dom, filepath.FromSlash(tc.File))
				switch {
				case tc.Special == "dir":
					os.Remove(target)
					os.Mkdir(target, 0o755)
				case tc.Special == "loop":
					os.Remove(target)
					os.Symlink(target+".b", target)
					os.Symlink(target, target+".b")
				case tc.Special == "unreadable":
					if os.Geteuid() == 0 {
						t.Skip("running as root: file permissions do not apply")
					}
					os.Chmod(target, 0)
				case tc.Special == "missing":
					os.Remove(target)
				case tc.Content != nil:
					os.WriteFile(target, []byte(*tc.Content), 0o644)
				case len(tc.Replace) == 2:
					b, err := os.ReadFile(target)
					if err != nil {
						t.Fatal(err)
					}
					if !strings.Contains(string(b), tc.Replace[0]) {
						t.Fatalf("%s does not contain %q", tc.File, tc.Replace[0])
					}
					repl := tc.Replace[1]
					if tc.Huge {
						repl += strings.Repeat("x", 70000)
					}
					if err := os.WriteFile(target, []byte(strings.Replace(string(b), tc.Replace[0], repl, 1)), 0o644); err != nil {
						t.Fatal(err)
					}
				default:
					t.Fatalf("case %q: file without a change", tc.Name)
				}
			}
			args := tc.Args
			if len(args) == 0 {
				args = []string{"run", "--domain-path", "{dom}", "--suite", "seeded", "--no-minimize", "--out", "{out}"}
			}
			for i, a := range args {
				args[i] = strings.NewReplacer("{dom}", dom, "{out}", out).Replace(a)
			}
			if tc.EnvClear != "" {
				t.Setenv(tc.EnvClear, "")
			}
			code, stdout, stderr := runCLI(t, args...)
			var problems []string
			errorf := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
			defer func() {
				switch {
				case tc.Todo != "" && len(problems) > 0:
					t.Skipf("known open defect (%s): %s", tc.Todo, strings.Join(problems, "; "))
				case tc.Todo != "":
					t.Errorf("passes now: remove its todo mark (%s)", tc.Todo)
				default:
					for _, p := range problems {
						t.Error(p)
					}
				}
			}()
			if code != ExitBadInput {
				errorf("exit %d, want 2\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine ") {
				errorf("panic: %s", stderr)
			}
			want := strings.NewReplacer("{dom}", dom, "{out}", out).Replace(tc.Want)
			if !strings.Contains(stderr, want) {
				errorf("stderr %q does not contain %q", stderr, want)
			}
			if tc.Line > 0 {
				re := regexp.MustCompile(regexp.QuoteMeta(tc.File) + ":" + regexp.QuoteMeta(strconv.Itoa(tc.Line)) + ": ")
				if !re.MatchString(stderr) {
					errorf("stderr %q does not locate %s:%d", stderr, tc.File, tc.Line)
				}
			}
			left, _ := os.ReadDir(outParent)
			for _, e := range left {
				errorf("left behind in the output's parent: %s", e.Name())
			}
		})
	}
}
