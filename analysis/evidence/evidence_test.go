package evidence

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/policystrata/policystrata/analysis/dataset"
	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/internal/goldentest"
	"github.com/policystrata/policystrata/pipeline/run"
	"github.com/policystrata/policystrata/suites"
)

func runSuite(t *testing.T, root, domain, suite string, count int) string {
	t.Helper()
	d, err := domains.Load(domain)
	if err != nil {
		t.Fatal(err)
	}
	s, err := suites.Open(d, suite, count, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(root, domain+"-"+suite)
	if _, err := run.Run(context.Background(), run.Config{Domain: d, Source: s, Out: out, Workers: 2, ProbeStates: 2, Minimize: true}); err != nil {
		t.Fatal(err)
	}
	return out
}

// rateRE matches a rate cell; every one must carry its interval.
var rateRE = regexp.MustCompile(`\d+/\d+ = [01]\.\d{3}( \[[01]\.\d{3}, [01]\.\d{3}\])?`)

func TestEvidenceDeterministicWithIntervals(t *testing.T) {
	root := t.TempDir()
	in := []dataset.Input{
		{Name: "finance_seeded", Path: runSuite(t, root, "finance_saas", "seeded", 0)},
		{Name: "clean", Path: runSuite(t, root, "support_saas", "clean_controls", 8)},
	}
	write := func(out string) map[string]string {
		set, err := dataset.Open(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		defer set.Close()
		tables, figs, err := Build(context.Background(), set)
		if err != nil {
			t.Fatal(err)
		}
		if err := Write(out, tables, figs); err != nil {
			t.Fatal(err)
		}
		return goldentest.ReadTree(t, out)
	}
	out := filepath.Join(root, "evidence")
	first := write(out)
	second := write(out) // replaces the directory
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("evidence differs between two writes (-first +second):\n%s", diff)
	}
	for _, f := range []string{"evidence.md", "suite_results.tex", "evidence_provenance.tex", "baselines.tex", "operators.tex", "minimization.tex", "ablations.tex",
		"operator_kill_rates.pdf", "operator_kill_rates.png", "baselines_catch_vs_fp.png", "witness_sizes.pdf"} {
		if _, ok := first[f]; !ok {
			t.Errorf("missing %s", f)
		}
	}
	md := first["evidence.md"]
	for _, m := range rateRE.FindAllStringSubmatch(md, -1) {
		if m[1] == "" {
			t.Errorf("rate without an interval: %q", m[0])
		}
	}
	for _, want := range []string{"| finance_seeded | finance_saas | 20 | 20 |", "| clean | support_saas | 8 | 0 | 0 | 0 | 0 | 8 | 0 |", "0/8 = 0.000 [0.000, 0.324]"} {
		if !strings.Contains(md, want) {
			t.Errorf("evidence.md lacks %q", want)
		}
	}
	if !strings.Contains(first["baselines.tex"], `\toprule`) {
		t.Error("baselines.tex is not booktabs")
	}
	if ents, _ := os.ReadDir(root); len(ents) != 3 {
		t.Errorf("leftover temporary directories beside the output: %v", ents)
	}
}
