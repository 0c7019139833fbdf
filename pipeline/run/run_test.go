package run

import (
	"context"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/suites"
)

func TestValidateStages(t *testing.T) {
	if err := ValidateStages(Stages); err != nil {
		t.Fatalf("built-in stages: %v", err)
	}
	cases := []struct {
		name   string
		stages []Stage
		want   string
	}{
		{"need before produce", []Stage{{Name: "a", Needs: []string{"x"}, Produces: "y"}, {Name: "b", Produces: "x"}}, "no earlier stage produces"},
		{"duplicate name", []Stage{{Name: "a", Produces: "x"}, {Name: "a", Produces: "y"}}, "declared twice"},
		{"duplicate product", []Stage{{Name: "a", Produces: "x"}, {Name: "b", Produces: "x"}}, "both produce"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := ValidateStages(tc.stages); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// cancelling source stops the run after n tasks by cancelling the context.
type cancelling struct {
	*suites.Suite
	n      int
	cancel context.CancelFunc
}

func (c cancelling) Tasks() iter.Seq[spec.Task] {
	return func(yield func(spec.Task) bool) {
		i := 0
		for t := range c.Suite.Tasks() {
			if i == c.n {
				c.cancel()
			}
			if !yield(t) {
				return
			}
			i++
		}
	}
}

// A run that fails part-way leaves neither its output directory nor a
// staging directory behind.
func TestInterruptedRunLeavesNothing(t *testing.T) {
	d, s := supportSeeded(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "run")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := Run(ctx, Config{Domain: d, Source: cancelling{s, 10, cancel}, Out: out, Workers: 2, Minimize: true})
	if err == nil {
		t.Fatal("cancelled run succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

// A finished run replaces an earlier run directory only when allowed.
func TestReplaceRun(t *testing.T) {
	d, s := supportSeeded(t)
	out := filepath.Join(t.TempDir(), "run")
	cfg := Config{Domain: d, Source: s, Out: out, Workers: 1}
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), cfg); err == nil {
		t.Fatal("second run overwrote without --force")
	}
	cfg.ReplaceRun = true
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatalf("replace: %v", err)
	}
	st, err := os.Stat(out)
	if err != nil || st.Mode().Perm() != 0o755 {
		t.Errorf("run dir mode %v, err %v", st.Mode(), err)
	}
}

// supportSeeded loads the support_saas domain and its seeded suite.
func supportSeeded(t *testing.T) (*spec.Domain, *suites.Suite) {
	t.Helper()
	d, err := domains.Load("support_saas")
	if err != nil {
		t.Fatal(err)
	}
	s, err := suites.Load(d, "seeded")
	if err != nil {
		t.Fatal(err)
	}
	return d, s
}
