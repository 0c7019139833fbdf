package suites_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
	"github.com/policystrata/policystrata/suites"
)

// costLabel is how a clean control names its cost scenario.
var costLabel = regexp.MustCompile(`cost (at the budget|just over the budget): (\d+) of (\d+)`)

// The control generators hold, at their default counts and on every
// built-in domain, the inputs that exposed the v7 defects: a filter on
// every dimension (time buckets with dates in the normalized form, and
// values no row holds), each kind of unknown name, limits of 1, max_rows
// and max_rows+1, and requests priced at the role's budget (exactly, where
// some request costs that) and just over it, by the canonical cost.
func TestControlGeneratorsCoverTheBoundaries(t *testing.T) {
	for _, domain := range []string{"support_saas", "finance_saas", "analytics_clickhouse"} {
		d, err := domains.Load(domain)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"clean_controls", "adversarial_clean_controls"} {
			t.Run(domain+"/"+name, func(t *testing.T) {
				s, err := suites.Open(d, name, 0, 0)
				if err != nil {
					t.Fatal(err)
				}
				st, err := state.GenerateSeed(d, s.StateSeed())
				if err != nil {
					t.Fatal(err)
				}
				o := oracle.New(d, st)
				p := d.Policy
				seen := map[string]bool{}
				for task := range s.Tasks() {
					q := task.SemanticQuery
					role := p.Roles[p.Principals[task.Principal].Role]
					for f, v := range q.Filters {
						dd := p.Dimensions[f]
						if dd == nil {
							seen["unknown filter"] = true
							continue
						}
						seen["filter "+f] = true
						if _, err := time.Parse(time.DateOnly, v); dd.Bucket != "" && err == nil {
							seen["bucket value "+f] = true
						}
						if strings.HasSuffix(v, " 00:00:00") || strings.HasSuffix(v, " (absent)") {
							seen["absent value"] = true
						}
					}
					if _, _, ok := resolve.MetricByName(p, q.Metric); !ok {
						seen["unknown metric"] = true
					}
					for _, dim := range q.Dimensions {
						if p.Dimensions[dim] == nil {
							seen["unknown dimension"] = true
						}
					}
					if !slices.Contains(resolve.TimeRangeNames(p), q.TimeRange) {
						seen["unknown time_range"] = true
					}
					switch q.Limit {
					case 1:
						seen["limit 1"] = true
					case role.MaxRows:
						seen["limit max_rows"] = true
					case role.MaxRows + 1:
						seen["limit max_rows+1"] = true
					}
					dec := o.Authorize(task.Principal, q)
					if dec.Metric == "" {
						continue
					}
					if m := costLabel.FindStringSubmatch(task.Request); m != nil {
						cost, _ := strconv.Atoi(m[2])
						if cost != dec.Cost || (m[1] == "at the budget") != (cost <= role.MaxCost) || m[3] != strconv.Itoa(role.MaxCost) {
							t.Errorf("%s: %q, but the canonical cost is %d of %d", task.ID, m[0], dec.Cost, role.MaxCost)
						}
					}
					onlyCost := len(dec.Reasons) > 0
					for _, r := range dec.Reasons {
						onlyCost = onlyCost && strings.HasPrefix(r, oracle.ReasonCost+":")
					}
					switch {
					case dec.Allowed && dec.Cost == role.MaxCost:
						seen["cost exactly max_cost"] = true
					case onlyCost:
						seen["cost over max_cost only"] = true
					}
				}
				want := []string{"unknown metric", "unknown dimension", "unknown filter", "unknown time_range",
					"limit 1", "limit max_rows", "limit max_rows+1", "absent value"}
				for _, dim := range spec.SortedKeys(p.Dimensions) {
					want = append(want, "filter "+dim)
					if p.Dimensions[dim].Bucket != "" {
						want = append(want, "bucket value "+dim)
					}
				}
				// exact budgets some request reaches (analytics roles' budgets exceed every request)
				if domain != "analytics_clickhouse" {
					want = append(want, "cost exactly max_cost", "cost over max_cost only")
				}
				for _, w := range want {
					if !seen[w] {
						t.Errorf("no task with %s", w)
					}
				}
			})
		}
	}
}

// The control generators are lazy pure functions of (seed, index): the
// first tasks of a long suite are a short suite.
func TestControlGeneratorsArePrefixStable(t *testing.T) {
	d, err := domains.Load("finance_saas")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"clean_controls", "adversarial_clean_controls"} {
		t.Run(name, func(t *testing.T) {
			tasks := func(count int) []spec.Task {
				s, err := suites.Open(d, name, count, 7)
				if err != nil {
					t.Fatal(err)
				}
				return collectSource(t, s)
			}
			short, long := tasks(60), tasks(600)
			for i := range short {
				a, b := short[i], long[i]
				a.ID, b.ID, a.Source, b.Source = "", "", "", ""
				ja, _ := json.Marshal(a)
				jb, _ := json.Marshal(b)
				if string(ja) != string(jb) {
					t.Fatalf("task %d depends on the suite length:\n%s\n%s", i, ja, jb)
				}
			}
			if again := tasks(60); fmt.Sprint(again) != fmt.Sprint(short) {
				t.Fatal("same seed gave different tasks")
			}
		})
	}
}
