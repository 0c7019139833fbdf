package suites

import (
	"fmt"
	"hash/fnv"
	"iter"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"

	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// MaxGeneratedCount bounds --count. Tasks are generated lazily from
// (seed, index), so memory does not depend on the count.
const MaxGeneratedCount = 100_000_000

// generator is one generated suite's defaults and provenance.
type generator struct {
	count, seed int
	// mutants: one catalog operator per task (round robin); otherwise clean.
	mutants bool
	// partition: 0 or 1, the half of the (operator, principal, query) space
	// the suite draws from, so generated and held-out never share a tuple.
	partition  int
	provenance string
	evidence   string
	notes      string
}

var generators = map[string]generator{
	"generated": {count: 500, seed: 1729, mutants: true, partition: 0, provenance: "property_generated", evidence: "property_generated",
		notes: "seeded generator over principals, metrics, 0-3 dimensions, filters, time ranges and limits, each task shaped by its operator's hint and redrawn until its fault is reachable; state seeded by the suite seed"},
	"heldout_v1": {count: 500, seed: 260626, mutants: true, partition: 1, provenance: "secondary_generated", evidence: "detector_frozen_generated",
		notes: "the other half of the generator's (operator, principal, query) space: shares no tuple with generated"},
	"clean_controls": {count: 80, seed: 260627, provenance: "clean_control_generated", evidence: "clean_control",
		notes: "correct stack: authorized, denied metric alias, denied sensitive dimension, authorized at the row budget, a filter on every dimension (time buckets and absent values included), unknown names, boundary limits and costs"},
	"adversarial_clean_controls": {count: 1000, seed: 260628, provenance: "adversarial_control_generated", evidence: "clean_control",
		notes: "correct stack under staged rollouts, feature flags, boundary budgets, multi-tenant principals, correct denials, filters on every dimension, unknown names, boundary limits and costs"},
}

// GeneratorNames lists the generated suites.
func GeneratorNames() []string { return spec.SortedKeys(generators) }

// Generated is a lazily generated suite.
type Generated struct {
	name  string
	gen   generator
	count int
	seed  int
	d     *spec.Domain
	ops   []catalog.Operator
	space *space
	// explicitCount and explicitSeed record whether the CLI set them.
	explicitCount, explicitSeed bool
	// statics memoizes the static layers' outputs the reachability check
	// computes, shared with the run's evaluator (ShareStatics)
	statics *layers.StaticMemo
}

// ShareStatics makes the generator's reachability checks compute the
// static layers through m, so the run's evaluator, given the same memo,
// finds the output of each task it evaluates already computed.
func (g *Generated) ShareStatics(m *layers.StaticMemo) { g.statics = m }

// NewGenerated prepares generator name for domain d (count and seed 0: the
// generator's defaults).
func NewGenerated(d *spec.Domain, name string, count, seed int) (*Generated, error) {
	g, ok := generators[name]
	if !ok {
		return nil, fmt.Errorf("unknown generator %q", name)
	}
	out := &Generated{name: name, gen: g, count: g.count, seed: g.seed, d: d, explicitCount: count != 0, explicitSeed: seed != 0}
	if count != 0 {
		if count < 1 || count > MaxGeneratedCount {
			return nil, strictyaml.Errorf("--count", 0, "must be 1..%d, got %d", MaxGeneratedCount, count)
		}
		out.count = count
	}
	if seed != 0 {
		if seed < 0 {
			return nil, strictyaml.Errorf("--seed", 0, "must be positive, got %d", seed)
		}
		out.seed = seed
	}
	st, err := state.GenerateSeed(d, uint64(out.seed))
	if err != nil {
		return nil, err
	}
	out.space = newSpace(d, st)
	if g.mutants {
		// only the operators whose fault can live in this domain's stack
		out.ops = catalog.For(d)
	}
	return out, nil
}

// SuiteName is the generator's name.
func (g *Generated) SuiteName() string { return g.name }

// Count is the number of tasks.
func (g *Generated) Count() int { return g.count }

// StateSeed is the suite seed: every generated suite runs on its own state.
func (g *Generated) StateSeed() uint64 { return uint64(g.seed) }

// Params are the count and seed when set explicitly (nil for defaults).
func (g *Generated) Params() (count, seed *int) {
	if g.explicitCount {
		c := g.count
		count = &c
	}
	if g.explicitSeed {
		s := g.seed
		seed = &s
	}
	return count, seed
}

// Hash identifies the suite: generator name, count, seed and domain fixtures.
func (g *Generated) Hash() string {
	return spec.SHA256Hex([]byte(fmt.Sprintf("%s|%d|%d|%s|%s|%s", g.name, g.count, g.seed, g.d.Name, g.d.Hashes["policy.yaml"], g.d.Hashes["schema.yaml"])))
}

// Metadata is the suite's provenance record.
func (g *Generated) Metadata() map[string]any {
	return map[string]any{
		"provenance":                     g.gen.provenance,
		"evidence_level":                 g.gen.evidence,
		"detector_frozen":                false,
		"detector_freeze_id":             nil,
		"authored_after_detector_freeze": false,
		"notes":                          g.gen.notes,
		"generator":                      g.name,
		"count":                          g.count,
		"seed":                           g.seed,
	}
}

// rngFor is task i's private random stream: tasks can be generated in any
// order, or in parallel, with the same result.
func (g *Generated) rngFor(i int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(g.seed), uint64(i)+0x9e3779b97f4a7c15))
}

// Tasks yields the suite's tasks in index order.
func (g *Generated) Tasks() iter.Seq[spec.Task] {
	return func(yield func(spec.Task) bool) {
		width := len(strconv.Itoa(g.count))
		width = max(width, 4)
		for i := 0; i < g.count; i++ {
			var t spec.Task
			if g.gen.mutants {
				t = g.mutant(i, width)
			} else if g.name == "clean_controls" {
				t = g.cleanControl(i, width)
			} else {
				t = g.adversarialControl(i, width)
			}
			if !yield(t) {
				return
			}
		}
	}
}

func (g *Generated) versions() map[string]string {
	out := map[string]string{}
	for k, v := range g.d.Surfaces.Versions {
		out[k] = v
	}
	return out
}

// mutant builds task i: operator i mod |catalog|, a principal and a query
// shaped by the operator's hint, redrawn until its (operator, principal,
// query) tuple falls in the suite's half of the space and the operator's
// fault is reachable: no state-independent evidence (equiv.Static over the
// layers that read no database) proves the faulty layer equivalent for it.
// After maxReachDraws draws the last tuple of the suite's half is kept (it
// will be accounted equivalent, with its proof).
func (g *Generated) mutant(i, width int) spec.Task {
	op := g.ops[i%len(g.ops)]
	rng := g.rngFor(i)
	var principal string
	var q spec.SemanticQuery
	for attempt := 0; ; attempt++ {
		principal = pick(rng, spec.SortedKeys(g.d.Policy.Principals))
		if ps := g.space.principalsFor(op.Hint); len(ps) > 0 {
			principal = pick(rng, ps)
		}
		q = g.space.query(rng, principal, op.Hint)
		if attempt >= 256 {
			break
		}
		if partitionOf(op.ID, principal, q) != g.gen.partition {
			continue
		}
		if attempt >= maxReachDraws || g.reaches(op, principal, q) {
			break
		}
	}
	v := g.versions()
	v[op.Surface] = op.Version + "-gen"
	return spec.Task{
		ID:     fmt.Sprintf("%s_%s_%0*d", op.ID, g.name, width, i+1),
		Domain: g.d.Name, Suite: g.name, Principal: principal, Request: describe(q),
		Mutation: op.ID, SemanticQuery: q, SurfaceVersions: v,
		ExpectedWitnessClass: op.ExpectedClass, ExpectedLocalizedSurface: op.ExpectedSurface, ExpectedContainmentLayer: op.ExpectedContainment,
		Source: fmt.Sprintf("generator:%s#%d", g.name, i+1),
	}
}

// partitionOf splits the (operator, principal, query) space in two halves.
func partitionOf(op, principal string, q spec.SemanticQuery) int {
	h := fnv.New64a()
	h.Write([]byte(op + "\x00" + principal + "\x00" + q.Key()))
	return int(h.Sum64() % 2)
}

// Tuple is the identity of a generated mutant for disjointness checks.
func Tuple(t spec.Task) string {
	return t.Mutation + "\x00" + t.Principal + "\x00" + t.SemanticQuery.Key()
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func describe(q spec.SemanticQuery) string {
	s := "Show " + q.Metric
	if len(q.Dimensions) > 0 {
		s += " by " + joinAnd(q.Dimensions)
	}
	s += " for " + q.TimeRange
	keys := spec.SortedKeys(q.Filters)
	for i, k := range keys {
		if i == 0 {
			s += " where "
		} else {
			s += " and "
		}
		s += k + " is " + q.Filters[k]
	}
	return s + fmt.Sprintf(", at most %d rows.", q.Limit)
}

func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	out := ""
	for i, x := range xs {
		switch {
		case i == 0:
			out = x
		case i == len(xs)-1:
			out += " and " + x
		default:
			out += ", " + x
		}
	}
	return out
}

// sortedUnique sorts and de-duplicates.
func sortedUnique(xs []string) []string {
	sort.Strings(xs)
	return slices.Compact(xs)
}
