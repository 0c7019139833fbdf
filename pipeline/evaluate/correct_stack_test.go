package evaluate

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/pgtest"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
	"github.com/policystrata/policystrata/pipeline/trace"
	"github.com/policystrata/policystrata/suites"
)

// builtinDomains are the three built-in domains every correct-stack check
// runs on.
var builtinDomains = []string{"support_saas", "finance_saas", "analytics_clickhouse"}

// engineSession is a session on one engine over env's domain and state:
// the embedded DuckDB of env, or a PostgreSQL engine loaded with the same
// state (skipped when no server is configured).
func engineSession(t *testing.T, env *evaltest.Env, engine string) db.Session {
	t.Helper()
	if engine == "duckdb" {
		return env.Session
	}
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	eng, err := db.OpenPostgres(ctx, dsn, env.Domain, env.State, layers.Containments(), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := eng.Session(ctx)
	if err != nil {
		eng.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sess.Close()
		if err := eng.Close(); err != nil {
			t.Errorf("close postgres: %v", err)
		}
	})
	return sess
}

// filterProbe is a request that filters on one dimension, with a filter
// value the reference answer really holds, grouped by that dimension or
// not.
type filterProbe struct {
	name      string
	principal string
	q         spec.SemanticQuery
	// groups is how many rows the reference answer must have
	groups int
}

// filterProbes builds, for every dimension of d and every metric a role
// granted the dimension may read, a request of such a principal: an allowed
// time range whose reference answer grouped by the dimension has a non-NULL
// group, filtered on that group's value, once grouped by the dimension and
// once not; and filtered on a value no row holds (the group's value in a
// form the normalized text never takes). It fails the test when a dimension has no such request (the
// check would be vacuous).
func filterProbes(t *testing.T, env *evaltest.Env) []filterProbe {
	t.Helper()
	p := env.Domain.Policy
	var out []filterProbe
	for _, dim := range spec.SortedKeys(p.Dimensions) {
		found := map[string]bool{}
		for _, pr := range spec.SortedKeys(p.Principals) {
			role := p.Roles[p.Principals[pr].Role]
			if !slices.Contains(role.AllowedDimensions, dim) || !slices.Contains(p.Dimensions[dim].AllowedRoles, p.Principals[pr].Role) {
				continue
			}
		metrics:
			for _, m := range role.AllowedMetrics {
				if found[m] {
					continue
				}
				for _, tr := range role.AllowedTimeRanges {
					q := spec.SemanticQuery{Metric: m, Dimensions: []string{dim}, TimeRange: tr, Limit: role.MaxRows}.Normalized()
					dec := env.Oracle.Authorize(pr, q)
					if !dec.Allowed {
						continue
					}
					ans, err := env.Oracle.ReferenceFor(dec, q)
					if err != nil {
						continue
					}
					for _, row := range ans.Rows {
						if row[0] == "NULL" {
							continue
						}
						q.Filters = map[string]string{dim: row[0]}
						only := q
						only.Dimensions = nil
						absent := q
						absent.Filters = map[string]string{dim: row[0] + " 00:00:00"}
						if len(row[0]) != len("2006-01-02") {
							absent.Filters[dim] = row[0] + " (absent)"
						}
						out = append(out,
							filterProbe{name: dim + "/" + m + "/grouped", principal: pr, q: q.Normalized(), groups: 1},
							filterProbe{name: dim + "/" + m + "/filter_only", principal: pr, q: only.Normalized(), groups: 1},
							filterProbe{name: dim + "/" + m + "/absent", principal: pr, q: absent.Normalized(), groups: 0})
						found[m] = true
						continue metrics
					}
				}
			}
		}
		if len(found) == 0 {
			t.Fatalf("no principal, metric and time range give dimension %s a non-NULL group to filter on", dim)
		}
	}
	return out
}

// The correct stack filtered on any dimension (source columns of every
// type, month and day buckets of date and timestamp columns, time-zone-aware
// buckets), grouped by it or not, answers what the oracle answers on DuckDB
// and PostgreSQL, and comes out clean.
func TestCorrectStackFiltersOnEveryDimension(t *testing.T) {
	for _, domain := range builtinDomains {
		env := evaltest.Setup(t, domain)
		probes := filterProbes(t, env)
		for _, engine := range []string{"duckdb", "postgres"} {
			t.Run(domain+"/"+engine, func(t *testing.T) {
				sess := engineSession(t, env, engine)
				ev := &Evaluator{Domain: env.Domain, Oracle: env.Oracle}
				for _, pb := range probes {
					t.Run(pb.name, func(t *testing.T) {
						task := spec.Task{ID: "f", Domain: domain, Principal: pb.principal, Mutation: catalog.None, SemanticQuery: pb.q, ExpectedWitnessClass: detect.Clean}
						out, err := ev.Evaluate(context.Background(), sess, task)
						if err != nil {
							t.Fatal(err)
						}
						tr := out.Trace
						if tr.AccountingStatus != trace.CleanControl {
							t.Errorf("%s %s: status %s, class %s at %s: %v", pb.principal, describeQuery(pb.q), tr.AccountingStatus, tr.WitnessClass, tr.LocalizedSurface, tr.Reasons)
						}
						ref := out.Observation.Verdict.Reference
						if ref == nil || len(ref.Rows) != pb.groups || (pb.groups == 1 && len(pb.q.Dimensions) == 1 && ref.Rows[0][0] != pb.q.Filters[pb.q.Dimensions[0]]) {
							t.Fatalf("reference answer %v: want %d group(s)", ref, pb.groups)
						}
						d := out.Observation.Layers.Database
						if d == nil || d.Result.Blocked || !slices.EqualFunc(d.Result.Rows, ref.Rows, slices.Equal) {
							t.Errorf("%s %s: database answered %v, the reference is %v", pb.principal, describeQuery(pb.q), d, ref.Rows)
						}
					})
				}
			})
		}
	}
}

func describeQuery(q spec.SemanticQuery) string {
	return fmt.Sprintf("%s by %v filters %v over %s", q.Metric, q.Dimensions, q.Filters, q.TimeRange)
}

// A request naming a metric, dimension, filter or time range the policy
// does not define is denied by the correct stack, and the shadow compile
// refusing the unknown name is correct behaviour, not a lowering violation:
// on both engines it comes out a clean control.
func TestCorrectStackDeniesUnknownNamesCleanly(t *testing.T) {
	for _, domain := range builtinDomains {
		env := evaltest.Setup(t, domain)
		p := env.Domain.Policy
		pr := spec.SortedKeys(p.Principals)[0]
		role := p.Roles[p.Principals[pr].Role]
		base := spec.SemanticQuery{Metric: role.AllowedMetrics[0], TimeRange: role.AllowedTimeRanges[0], Limit: 10}
		with := func(f func(q *spec.SemanticQuery)) spec.SemanticQuery {
			q := base
			f(&q)
			return q.Normalized()
		}
		cases := map[string]spec.SemanticQuery{
			"unknown metric":     with(func(q *spec.SemanticQuery) { q.Metric = "no_such_metric" }),
			"unknown dimension":  with(func(q *spec.SemanticQuery) { q.Dimensions = []string{"no_such_dimension"} }),
			"unknown filter":     with(func(q *spec.SemanticQuery) { q.Filters = map[string]string{"no_such_filter": "x"} }),
			"unknown time range": with(func(q *spec.SemanticQuery) { q.TimeRange = "no_such_range" }),
			"all unknown": with(func(q *spec.SemanticQuery) {
				q.Metric, q.Dimensions, q.Filters, q.TimeRange = "no_such_metric", []string{"no_such_dimension"}, map[string]string{"no_such_filter": "x"}, "no_such_range"
			}),
		}
		for _, engine := range []string{"duckdb", "postgres"} {
			t.Run(domain+"/"+engine, func(t *testing.T) {
				sess := engineSession(t, env, engine)
				ev := &Evaluator{Domain: env.Domain, Oracle: env.Oracle}
				for _, name := range spec.SortedKeys(cases) {
					q := cases[name]
					t.Run(name, func(t *testing.T) {
						task := spec.Task{ID: "u", Domain: domain, Principal: pr, Mutation: catalog.None, SemanticQuery: q, ExpectedWitnessClass: detect.Clean}
						out, err := ev.Evaluate(context.Background(), sess, task)
						if err != nil {
							t.Fatal(err)
						}
						if tr := out.Trace; tr.AccountingStatus != trace.CleanControl {
							t.Errorf("%s: status %s, class %s at %s: %v", describeQuery(q), tr.AccountingStatus, tr.WitnessClass, tr.LocalizedSurface, tr.Reasons)
						}
						if out.Observation.Verdict.Decision.Allowed || out.Trace.ReleaseDecision.Allowed {
							t.Errorf("%s: canonical allowed %v, released %v: want denied and withheld", describeQuery(q), out.Observation.Verdict.Decision.Allowed, out.Trace.ReleaseDecision.Allowed)
						}
					})
				}
			})
		}
	}
}

// The clean and adversarial control generators, with the inputs that
// exposed the v7 defects (filters on every dimension, unknown names,
// boundary limits and costs), come out 0 false positives on every built-in
// domain: all of clean_controls, and eight turns of every adversarial
// archetype (a filter on each of up to eight dimensions, each unknown kind
// twice, each boundary limit and cost).
func TestControlSuitesHaveNoFalsePositives(t *testing.T) {
	for _, domain := range builtinDomains {
		for _, suite := range []struct {
			name  string
			count int
		}{{"clean_controls", 0}, {"adversarial_clean_controls", 88}} {
			t.Run(domain+"/"+suite.name, func(t *testing.T) {
				d, err := domains.Load(domain)
				if err != nil {
					t.Fatal(err)
				}
				s, err := suites.Open(d, suite.name, suite.count, 0)
				if err != nil {
					t.Fatal(err)
				}
				// each generated suite runs on its own state
				st, err := state.GenerateSeed(d, s.StateSeed())
				if err != nil {
					t.Fatal(err)
				}
				eng, err := db.OpenDuckDB(context.Background(), d, st, layers.Containments())
				if err != nil {
					t.Fatal(err)
				}
				defer eng.Close()
				sess, err := eng.Session(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				defer sess.Close()
				ev := &Evaluator{Domain: d, Oracle: oracle.New(d, st)}
				n := 0
				for task := range s.Tasks() {
					out, err := ev.Evaluate(context.Background(), sess, task)
					if err != nil {
						t.Fatal(err)
					}
					n++
					if tr := out.Trace; tr.AccountingStatus != trace.CleanControl {
						t.Errorf("%s (%s, %s): status %s, class %s at %s: %v", task.ID, task.Principal, task.Request, tr.AccountingStatus, tr.WitnessClass, tr.LocalizedSurface, tr.Reasons)
					}
				}
				if n == 0 {
					t.Fatal("no tasks")
				}
			})
		}
	}
}
