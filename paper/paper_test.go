package paper

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/run"
	"github.com/policystrata/policystrata/suites"
)

// TestSourcesUseGeneratedFiles: every \input and \includegraphics of
// main.tex names a committed generated file, and the prose holds no digit
// outside commands (numbers come from the generated tables).
func TestSourcesUseGeneratedFiles(t *testing.T) {
	b, err := os.ReadFile("main.tex")
	if err != nil {
		t.Fatal(err)
	}
	refs := regexp.MustCompile(`\\(?:input|includegraphics(?:\[[^\]]*\])?)\{([^}]+)\}`).FindAllStringSubmatch(string(b), -1)
	if len(refs) < 8 {
		t.Fatalf("main.tex includes %d generated files", len(refs))
	}
	for _, r := range refs {
		if !strings.HasPrefix(r[1], "generated/") {
			t.Errorf("%s is not generated", r[1])
		}
		if _, err := os.Stat(r[1]); err != nil {
			t.Errorf("main.tex includes %s, which is missing (run make evidence)", r[1])
		}
	}
	body := string(b[strings.Index(string(b), `\begin{document}`):])
	prose := regexp.MustCompile(`\\[a-zA-Z]+(\[[^\]]*\])?(\{[^}]*\})*|%.*`).ReplaceAllString(body, "")
	if m := regexp.MustCompile(`\d`).FindString(prose); m != "" {
		i := strings.Index(prose, m)
		t.Errorf("a number is typed in main.tex: %q", prose[max(0, i-40):min(len(prose), i+40)])
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

// TestSeededInputsCurrent re-runs the three seeded suites and compares
// their summaries with the ones the committed evidence was generated from:
// a change to the pipeline that moves a seeded number makes the committed
// tables stale, and this test says so.
func TestSeededInputsCurrent(t *testing.T) {
	f, err := os.Open(filepath.Join("generated", "inputs.sha256"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if ok {
			want[name] = sum
		}
	}
	for _, d := range []string{"support_saas", "finance_saas", "analytics_clickhouse"} {
		t.Run(d, func(t *testing.T) {
			key := d + "_seeded/summary.json"
			w, ok := want[key]
			if !ok {
				t.Fatalf("inputs.sha256 has no %s", key)
			}
			dom, err := domains.Load(d)
			if err != nil {
				t.Fatal(err)
			}
			src, err := suites.Open(dom, "seeded", 0, 0)
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
				t.Errorf("%s seeded summary changed since the evidence was generated: run make evidence", d)
			}
		})
	}
}
