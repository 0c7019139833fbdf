package suites_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
	"github.com/policystrata/policystrata/suites"
)

func collectSource(t *testing.T, s suites.Source) []spec.Task {
	t.Helper()
	var out []spec.Task
	for task := range s.Tasks() {
		out = append(out, task)
	}
	return out
}

func open(t *testing.T, name string, count, seed int) suites.Source {
	t.Helper()
	d, err := domains.Load("support_saas")
	if err != nil {
		t.Fatal(err)
	}
	s, err := suites.Open(d, name, count, seed)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestGeneratorDefaults(t *testing.T) {
	cases := []struct {
		name        string
		count, seed int
		mutants     bool
	}{
		{"generated", 500, 1729, true},
		{"heldout_v1", 500, 260626, true},
		{"clean_controls", 80, 260627, false},
		{"adversarial_clean_controls", 1000, 260628, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t, tc.name, 0, 0)
			tasks := collectSource(t, s)
			if s.Count() != tc.count || len(tasks) != tc.count || s.StateSeed() != uint64(tc.seed) {
				t.Fatalf("count %d/%d, state seed %d", s.Count(), len(tasks), s.StateSeed())
			}
			if c, sd := s.Params(); c != nil || sd != nil {
				t.Errorf("defaults reported as explicit params")
			}
			ids := map[string]bool{}
			for _, task := range tasks {
				if ids[task.ID] || !spec.ValidID(task.ID) {
					t.Fatalf("bad or duplicate id %q", task.ID)
				}
				ids[task.ID] = true
				if (task.Mutation != catalog.None) != tc.mutants {
					t.Fatalf("%s: mutation %s", task.ID, task.Mutation)
				}
				if strings.Contains(task.Request, task.Mutation) && tc.mutants {
					t.Errorf("%s: the request text names the operator", task.ID)
				}
				if task.SemanticQuery.Limit < 1 || len(task.SemanticQuery.Dimensions) > 3 {
					t.Errorf("%s: query %+v", task.ID, task.SemanticQuery)
				}
			}
		})
	}
}

// Same seed, same bytes; another seed, other tasks; tasks are a pure
// function of (seed, index), so a long suite's prefix is a short suite.
func TestGeneratedDeterminism(t *testing.T) {
	enc := func(ts []spec.Task) string {
		b, _ := json.Marshal(ts)
		return string(b)
	}
	a := collectSource(t, open(t, "generated", 200, 42))
	b := collectSource(t, open(t, "generated", 200, 42))
	c := collectSource(t, open(t, "generated", 200, 43))
	if enc(a) != enc(b) {
		t.Fatal("same seed gave different tasks")
	}
	if enc(a) == enc(c) {
		t.Fatal("different seeds gave the same tasks")
	}
	long := collectSource(t, open(t, "generated", 2000, 42))
	for i := range a {
		x, y := a[i], long[i]
		x.ID, y.ID, x.Source, y.Source = "", "", "", ""
		if enc([]spec.Task{x}) != enc([]spec.Task{y}) {
			t.Fatalf("task %d depends on the suite length", i)
		}
	}
}

// heldout_v1 and generated draw from disjoint halves of the (operator,
// principal, semantic query) space, whatever their counts and seeds.
func TestHeldoutDisjointFromGenerated(t *testing.T) {
	for _, n := range []int{0, 5000} {
		gen := map[string]bool{}
		for _, task := range collectSource(t, open(t, "generated", n, 0)) {
			gen[suites.Tuple(task)] = true
		}
		shared := 0
		held := collectSource(t, open(t, "heldout_v1", n, 0))
		for _, task := range held {
			if gen[suites.Tuple(task)] {
				shared++
			}
		}
		if shared != 0 {
			t.Errorf("count %d: %d of %d held-out tasks share a tuple with generated", n, shared, len(held))
		}
		if len(gen) < len(held)/4 {
			t.Errorf("count %d: only %d distinct generated tuples", n, len(gen))
		}
	}
}

// Ten million tasks are declared without materializing them; the first
// ones stream immediately.
func TestGeneratedStreamsHugeCounts(t *testing.T) {
	s := open(t, "generated", 10_000_000, 0)
	if s.Count() != 10_000_000 {
		t.Fatal(s.Count())
	}
	n := 0
	for task := range s.Tasks() {
		if n == 0 && !strings.HasSuffix(task.ID, "_generated_00000001") {
			t.Errorf("first id %s", task.ID)
		}
		n++
		if n == 1000 {
			break
		}
	}
}

func TestOpenErrors(t *testing.T) {
	d, _ := domains.Load("support_saas")
	cases := []struct {
		name        string
		suite       string
		count, seed int
		want        string
	}{
		{"count on a seeded suite", "seeded", 10, 0, "--count and --seed apply to generated suites"},
		{"count too large", "generated", suites.MaxGeneratedCount + 1, 0, "--count: must be 1.."},
		{"negative count", "generated", -1, 0, "--count: must be 1.."},
		{"negative seed", "generated", 0, -5, "--seed: must be positive"},
		{"unknown suite", "nope", 0, 0, "suite \"nope\" not found"},
		{"unsafe name", "../x", 0, 0, "not a safe suite name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := suites.Open(d, tc.suite, tc.count, tc.seed)
			if err == nil || !strictyaml.IsInputError(err) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want an input error containing %q", err, tc.want)
			}
		})
	}
}
