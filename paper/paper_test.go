package paper

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/run"
	"github.com/policystrata/policystrata/suites"
)

// TestSourcesUseGeneratedFiles: every \input and \includegraphics of
// main.tex names a committed generated file, or a measured one under
// \IfFileExists (measured wall time and memory vary by machine and are not
// committed evidence), and the prose holds no digit outside commands
// (numbers come from the generated tables).
func TestSourcesUseGeneratedFiles(t *testing.T) {
	b, err := os.ReadFile("main.tex")
	if err != nil {
		t.Fatal(err)
	}
	refs := regexp.MustCompile(`\\(?:input|includegraphics(?:\[[^\]]*\])?)\{([^}]+)\}`).FindAllStringSubmatch(string(b), -1)
	if len(refs) < 8 {
		t.Fatalf("main.tex includes %d generated files", len(refs))
	}
	guarded := map[string]bool{}
	for _, m := range regexp.MustCompile(`\\IfFileExists\{([^}]+)\}`).FindAllStringSubmatch(string(b), -1) {
		guarded[m[1]] = true
	}
	for _, r := range refs {
		switch {
		case strings.HasPrefix(r[1], "measured/"):
			if !guarded[r[1]] && !guarded[strings.TrimSuffix(r[1], "memory.pdf")+"throughput.pdf"] {
				t.Errorf("%s is measured: include it under \\IfFileExists", r[1])
			}
		case !strings.HasPrefix(r[1], "generated/"):
			t.Errorf("%s is not generated", r[1])
		default:
			if _, err := os.Stat(r[1]); err != nil {
				t.Errorf("main.tex includes %s, which is missing (run make evidence)", r[1])
			}
		}
	}
	body := string(b[strings.Index(string(b), `\begin{document}`):])
	prose := regexp.MustCompile(`\\[a-zA-Z]+(\[[^\]]*\])?(\{[^}]*\})*|%.*`).ReplaceAllString(body, "")
	if m := regexp.MustCompile(`\d`).FindString(prose); m != "" {
		i := strings.Index(prose, m)
		t.Errorf("a number is typed in main.tex: %q", prose[max(0, i-40):min(len(prose), i+40)])
	}
}

// readSums reads a sha256sum listing: path -> digest.
func readSums(t *testing.T, data []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		sum, name, ok := strings.Cut(l, "  ")
		if !ok {
			t.Fatalf("not a sha256sum line: %q", l)
		}
		out[name] = sum
	}
	return out
}

// diffSums describes how got differs from want, one file per line.
func diffSums(want, got map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(want)) {
		switch g, ok := got[k]; {
		case !ok:
			out = append(out, "removed: "+k)
		case g != want[k]:
			out = append(out, "changed: "+k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			out = append(out, "added: "+k)
		}
	}
	return out
}

// TestGeneratedFilesIntact: every file of generated/ is the one make
// evidence wrote (outputs.sha256 lists them all): none edited by hand,
// added or missing.
func TestGeneratedFilesIntact(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("generated", "outputs.sha256"))
	if err != nil {
		t.Fatalf("%v (run make evidence)", err)
	}
	want := readSums(t, b)
	got := map[string]string{}
	err = filepath.WalkDir("generated", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "outputs.sha256" {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		rel, _ := filepath.Rel("generated", p)
		got[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := diffSums(want, got); len(d) > 0 {
		t.Errorf("paper/generated differs from what make evidence wrote (outputs.sha256):\n%s", strings.Join(d, "\n"))
	}
}

// TestFingerprintCurrent: every source file the evidence numbers depend
// on (scripts/evidence-fingerprint.sh lists them: task and state
// generation, the layers, oracle, detector, search and minimizer, trace
// writing, analysis, the domains, the evidence script, the dependency
// versions) is byte for byte the one the committed numbers were generated
// with. This is the complete, cheap staleness check: it runs nothing, and
// it fails on any change that could move a number (also on one that
// happens not to); TestSeededInputsCurrent re-runs the suite files to say
// which numbers moved.
func TestFingerprintCurrent(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: the fingerprint lists tracked files")
	}
	if err := exec.Command("git", "rev-parse", "--is-inside-work-tree").Run(); err != nil {
		t.Skip("not a git work tree: the fingerprint lists tracked files")
	}
	got, err := exec.Command("sh", filepath.Join("..", "scripts", "evidence-fingerprint.sh")).Output()
	if err != nil {
		t.Fatalf("evidence-fingerprint.sh: %v", err)
	}
	b, err := os.ReadFile(filepath.Join("generated", "fingerprint.sha256"))
	if err != nil {
		t.Fatalf("%v (run make evidence)", err)
	}
	if d := diffSums(readSums(t, b), readSums(t, got)); len(d) > 0 {
		t.Errorf("the evidence was generated from other sources; its numbers may be stale: run make evidence\n%s", strings.Join(d, "\n"))
	}
}

// TestEvalCardBlockCurrent: the evidence block of EVAL_CARD.md is the
// generated evidence.md.
func TestEvalCardBlockCurrent(t *testing.T) {
	card, err := os.ReadFile(filepath.Join("..", "EVAL_CARD.md"))
	if err != nil {
		t.Fatal(err)
	}
	gen, err := os.ReadFile(filepath.Join("generated", "evidence.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(card)
	a := strings.Index(s, "<!-- evidence:begin -->\n")
	e := strings.Index(s, "<!-- evidence:end -->")
	if a < 0 || e < a {
		t.Fatal("EVAL_CARD.md has no evidence block")
	}
	if got := s[a+len("<!-- evidence:begin -->\n") : e]; got != string(gen) {
		t.Error("EVAL_CARD.md's evidence block is stale: run make evidence")
	}
}

// TestSeededInputsCurrent re-runs the suite files (seeded, controls) of
// the three domains and compares their summaries with the ones the
// committed evidence was generated from: a change to the pipeline that
// moves one of their numbers makes the committed tables stale, and this
// test says which.
func TestSeededInputsCurrent(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("generated", "inputs.sha256"))
	if err != nil {
		t.Fatal(err)
	}
	want := readSums(t, b)
	for _, d := range []string{"support_saas", "finance_saas", "analytics_clickhouse"} {
		dom, err := domains.Load(d)
		if err != nil {
			t.Fatal(err)
		}
		entries, err := fs.ReadDir(dom.FS, "tasks")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			suite, ok := strings.CutSuffix(e.Name(), ".yaml")
			if !ok {
				continue
			}
			t.Run(d+"_"+suite, func(t *testing.T) {
				key := d + "_" + suite + "/summary.json"
				w, ok := want[key]
				if !ok {
					t.Fatalf("inputs.sha256 has no %s (run make evidence)", key)
				}
				src, err := suites.Open(dom, suite, 0, 0)
				if err != nil {
					t.Fatal(err)
				}
				out := filepath.Join(t.TempDir(), "run")
				if _, err := run.Run(context.Background(), run.Config{Domain: dom, Source: src, Out: out, Workers: 2, ProbeStates: 2, Minimize: true}); err != nil {
					t.Fatal(err)
				}
				b, err := os.ReadFile(filepath.Join(out, "summary.json"))
				if err != nil {
					t.Fatal(err)
				}
				sum := sha256.Sum256(b)
				if got := hex.EncodeToString(sum[:]); got != w {
					t.Errorf("%s %s summary changed since the evidence was generated: run make evidence", d, suite)
				}
			})
		}
	}
}

// TestPaperBuilds: where Debian's TeX Live is installed, main.tex compiles
// (make paper) against the generated files, in a scratch copy.
func TestPaperBuilds(t *testing.T) {
	if _, err := exec.LookPath("pdflatex"); err != nil {
		t.Skip("pdflatex is not installed (apt-get install texlive-latex-base texlive-latex-extra)")
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(".")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "main.tex")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdflatex: %v\n%s", err, out[max(0, len(out)-2000):])
	}
	if st, err := os.Stat(filepath.Join(dir, "main.pdf")); err != nil || st.Size() == 0 {
		t.Fatalf("no main.pdf: %v", err)
	}
}
