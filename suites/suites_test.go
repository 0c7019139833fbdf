package suites_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
	"github.com/policystrata/policystrata/suites"
)

func support(t testing.TB) *spec.Domain {
	t.Helper()
	d, err := domains.Load("support_saas")
	if err != nil {
		t.Fatalf("load domain: %v", err)
	}
	return d
}

// lineOf is the 1-based line of the single occurrence of needle in data.
func lineOf(t *testing.T, data []byte, needle string) int {
	t.Helper()
	if n := strings.Count(string(data), needle); n != 1 {
		t.Fatalf("%q occurs %d times", needle, n)
	}
	return strings.Count(string(data[:strings.Index(string(data), needle)]), "\n") + 1
}

func collect(s *suites.Suite) []spec.Task {
	var out []spec.Task
	for task := range s.Tasks() {
		out = append(out, task)
	}
	return out
}

// versions returns the support_saas default versions (all v7) with overrides.
func versions(kv ...string) map[string]string {
	out := map[string]string{}
	for _, s := range spec.SurfaceOrder {
		out[s] = "v7"
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestSeededSuite(t *testing.T) {
	d := support(t)
	s, err := suites.Load(d, "seeded")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	data, err := os.ReadFile("../domains/support_saas/tasks/seeded.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "seeded" || s.Path != "builtin:support_saas/tasks/seeded.yaml" || s.FileHash != spec.SHA256Hex(data) {
		t.Errorf("Name/Path/Hash = %q/%q/%q", s.Name, s.Path, s.FileHash)
	}
	if s.Count() != 50 {
		t.Errorf("Count() = %d, want 50", s.Count())
	}
	tasks := collect(s)
	if len(tasks) != 50 {
		t.Fatalf("Tasks yielded %d tasks, want 50", len(tasks))
	}
	// matrix rows in file order, <mutation>_<NN>
	rows := []struct {
		mutation string
		count    int
	}{
		{"stale_metric_alias_manifest", 5},
		{"grammar_permits_forbidden_dimension", 5},
		{"validator_omits_sensitive_column", 5},
		{"compiler_drops_tenant_predicate", 5},
		{"compiler_uses_old_tenant_key", 5},
		{"db_rls_old_ownership_field", 5},
		{"gross_net_metric_drift", 5},
		{"fanout_join_drift", 5},
		{"fiscal_calendar_mismatch", 4},
		{"cost_estimate_ignores_expansion", 3},
		{"app_deny_missing_db_policy", 3},
	}
	i := 0
	ops := map[string]bool{}
	for _, r := range rows {
		op, ok := catalog.Get(r.mutation)
		if !ok {
			t.Fatalf("%s is not in the catalog", r.mutation)
		}
		ops[r.mutation] = true
		for n := 1; n <= r.count; n++ {
			task := tasks[i]
			i++
			if want := fmt.Sprintf("%s_%02d", r.mutation, n); task.ID != want {
				t.Errorf("task %d id = %s, want %s", i, task.ID, want)
			}
			if task.Mutation != r.mutation || task.Domain != "support_saas" || task.Suite != "seeded" {
				t.Errorf("%s: mutation/domain/suite = %s/%s/%s", task.ID, task.Mutation, task.Domain, task.Suite)
			}
			if want := fmt.Sprintf("builtin:support_saas/tasks/seeded.yaml:%d", lineOf(t, data, "- mutation: "+r.mutation+"\n")); task.Source != want {
				t.Errorf("%s: Source = %s, want %s", task.ID, task.Source, want)
			}
			if !strings.HasSuffix(task.Request, fmt.Sprintf("variant %d.", n)) || strings.Contains(task.Request, "{index}") {
				t.Errorf("%s: request %q does not substitute {index}", task.ID, task.Request)
			}
			if task.ExpectedWitnessClass != op.ExpectedClass || task.ExpectedLocalizedSurface != op.ExpectedSurface || task.ExpectedContainmentLayer != op.ExpectedContainment {
				t.Errorf("%s: expectations %s/%s/%s, catalog %s/%s/%s", task.ID, task.ExpectedWitnessClass, task.ExpectedLocalizedSurface,
					task.ExpectedContainmentLayer, op.ExpectedClass, op.ExpectedSurface, op.ExpectedContainment)
			}
			// the row overrides exactly the operator's surface with its version
			if want := versions(op.Surface, op.Version); !reflect.DeepEqual(task.SurfaceVersions, want) {
				t.Errorf("%s: surface versions %v, want %v", task.ID, task.SurfaceVersions, want)
			}
			if !reflect.DeepEqual(task.SemanticQuery, task.SemanticQuery.Normalized()) {
				t.Errorf("%s: semantic query is not normalized: %+v", task.ID, task.SemanticQuery)
			}
			if d.Policy.Principals[task.Principal] == nil {
				t.Errorf("%s: unknown principal %s", task.ID, task.Principal)
			}
		}
	}
	// the reference's support_saas matrix: eleven operators
	if len(ops) != 11 {
		t.Errorf("seeded suite covers %d operators, want the reference's 11", len(ops))
	}
	first := tasks[0]
	want := spec.Task{
		ID: "stale_metric_alias_manifest_01", Domain: "support_saas", Suite: "seeded", Principal: "acme_analyst",
		Request: "Show bookings by region for last month, variant 1.", Mutation: "stale_metric_alias_manifest",
		SemanticQuery: spec.SemanticQuery{Metric: "bookings", Dimensions: []string{"region"}, Filters: map[string]string{},
			TimeRange: "last_month", Grain: "month", Limit: 100},
		SurfaceVersions:      versions("manifest", "v6"),
		ExpectedWitnessClass: "over_permissive", ExpectedLocalizedSurface: "manifest", ExpectedContainmentLayer: "validator",
		Source: fmt.Sprintf("builtin:support_saas/tasks/seeded.yaml:%d", lineOf(t, data, "- mutation: stale_metric_alias_manifest\n")),
	}
	if !reflect.DeepEqual(first, want) {
		t.Errorf("first task:\n got %+v\nwant %+v", first, want)
	}
	// the fan-out cost case keeps its large limit and three dimensions
	for _, task := range tasks {
		if task.ID == "cost_estimate_ignores_expansion_03" {
			if task.SemanticQuery.Limit != 5000 || !reflect.DeepEqual(task.SemanticQuery.Dimensions, []string{"region", "plan", "severity"}) {
				t.Errorf("%s: %+v", task.ID, task.SemanticQuery)
			}
		}
	}
	if again := collect(s); !reflect.DeepEqual(again, tasks) {
		t.Errorf("a second iteration gives different tasks")
	}
}

const customSuite = `suite: custom
surface_versions:
  compiler: s1
  database: s1
matrix:
  - mutation: fanout_join_drift
    count: 3
    principal: acme_analyst
    request: "r{index}/{index}"
    semantic_query: {metric: net_revenue, dimensions: [region]}
    surface_versions: {compiler: r1}
    expected_witness_class: clean
    variants:
      - {metric: ticket_count}
      - {dimensions: [plan, severity], limit: 7, time_range: last_fiscal_month, filters: {region: west}}
tasks:
  - id: explicit-1
    principal: beta_analyst
    request: "explicit {index}"
    mutation: none
    semantic_query: {metric: tickets, limit: 3}
  - id: explicit.2
    principal: acme_finance_admin
    mutation: compiler_drops_tenant_predicate
    semantic_query:
      metric: ticket_count
      filters: {tenant_id: acme}
    expected_containment_layer: release
`

func TestParseCustomSuite(t *testing.T) {
	d := support(t)
	s, err := suites.Parse(d, "custom", "x/custom.yaml", []byte(customSuite))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if s.Count() != 5 || s.FileHash != spec.SHA256Hex([]byte(customSuite)) {
		t.Errorf("Count() = %d, Hash = %s", s.Count(), s.FileHash)
	}
	fanout, _ := catalog.Get("fanout_join_drift")
	drop, _ := catalog.Get("compiler_drops_tenant_predicate")
	// domain defaults (v7) < suite (s1) < row (r1)
	rowVersions := versions("compiler", "r1", "database", "s1")
	suiteVersions := versions("compiler", "s1", "database", "s1")
	variant0 := spec.SemanticQuery{Metric: "ticket_count", Dimensions: []string{"region"}, Filters: map[string]string{}, TimeRange: "last_month", Grain: "month", Limit: 100}
	want := []spec.Task{
		{
			ID: "fanout_join_drift_01", Domain: "support_saas", Suite: "custom", Principal: "acme_analyst", Request: "r1/1",
			Mutation: "fanout_join_drift", SemanticQuery: variant0, SurfaceVersions: rowVersions,
			// the suite overrides the class; the rest comes from the catalog
			ExpectedWitnessClass: "clean", ExpectedLocalizedSurface: fanout.ExpectedSurface, ExpectedContainmentLayer: fanout.ExpectedContainment,
			Source: "x/custom.yaml:6",
		},
		{
			ID: "fanout_join_drift_02", Domain: "support_saas", Suite: "custom", Principal: "acme_analyst", Request: "r2/2",
			Mutation: "fanout_join_drift",
			SemanticQuery: spec.SemanticQuery{Metric: "net_revenue", Dimensions: []string{"plan", "severity"}, Filters: map[string]string{"region": "west"},
				TimeRange: "last_fiscal_month", Grain: "month", Limit: 7},
			SurfaceVersions:      rowVersions,
			ExpectedWitnessClass: "clean", ExpectedLocalizedSurface: fanout.ExpectedSurface, ExpectedContainmentLayer: fanout.ExpectedContainment,
			Source: "x/custom.yaml:6",
		},
		{
			ID: "fanout_join_drift_03", Domain: "support_saas", Suite: "custom", Principal: "acme_analyst", Request: "r3/3",
			Mutation: "fanout_join_drift", SemanticQuery: variant0, SurfaceVersions: rowVersions,
			ExpectedWitnessClass: "clean", ExpectedLocalizedSurface: fanout.ExpectedSurface, ExpectedContainmentLayer: fanout.ExpectedContainment,
			Source: "x/custom.yaml:6",
		},
		{
			ID: "explicit-1", Domain: "support_saas", Suite: "custom", Principal: "beta_analyst", Request: "explicit {index}",
			Mutation: "none",
			SemanticQuery: spec.SemanticQuery{Metric: "tickets", Dimensions: []string{}, Filters: map[string]string{},
				TimeRange: "last_month", Grain: "month", Limit: 3},
			SurfaceVersions: suiteVersions, ExpectedWitnessClass: "clean",
			Source: "x/custom.yaml:17",
		},
		{
			ID: "explicit.2", Domain: "support_saas", Suite: "custom", Principal: "acme_finance_admin",
			Mutation: "compiler_drops_tenant_predicate",
			SemanticQuery: spec.SemanticQuery{Metric: "ticket_count", Dimensions: []string{}, Filters: map[string]string{"tenant_id": "acme"},
				TimeRange: "last_month", Grain: "month", Limit: 100},
			SurfaceVersions:      suiteVersions,
			ExpectedWitnessClass: drop.ExpectedClass, ExpectedLocalizedSurface: drop.ExpectedSurface, ExpectedContainmentLayer: "release",
			Source: "x/custom.yaml:22",
		},
	}
	got := collect(s)
	if len(got) != len(want) {
		t.Fatalf("got %d tasks, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("task %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}

	t.Run("tasks do not share state", func(t *testing.T) {
		a := collect(s)
		a[0].SemanticQuery.Dimensions[0] = "changed"
		a[1].SemanticQuery.Filters["region"] = "changed"
		a[1].SurfaceVersions["compiler"] = "changed"
		if b := collect(s); !reflect.DeepEqual(b, got) {
			t.Errorf("mutating yielded tasks changed the suite")
		}
	})
	t.Run("early stop", func(t *testing.T) {
		n := 0
		for range s.Tasks() {
			n++
			if n == 2 {
				break
			}
		}
		n = 0
		for range s.Tasks() {
			n++
			if n == 4 {
				break
			}
		}
		if n != 4 {
			t.Errorf("stopping inside the explicit tasks: n = %d", n)
		}
	})
}

func TestParseIDWidth(t *testing.T) {
	d := support(t)
	tests := []struct {
		count       int
		first, last string
	}{
		{1, "gross_net_metric_drift_01", "gross_net_metric_drift_01"},
		{9, "gross_net_metric_drift_01", "gross_net_metric_drift_09"},
		{99, "gross_net_metric_drift_01", "gross_net_metric_drift_99"},
		{100, "gross_net_metric_drift_001", "gross_net_metric_drift_100"},
		{999, "gross_net_metric_drift_001", "gross_net_metric_drift_999"},
		{1000, "gross_net_metric_drift_0001", "gross_net_metric_drift_1000"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.count), func(t *testing.T) {
			src := fmt.Sprintf("matrix:\n  - mutation: gross_net_metric_drift\n    count: %d\n    principal: acme_analyst\n    semantic_query: {metric: net_revenue}\n", tt.count)
			s, err := suites.Parse(d, "w", "w.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			tasks := collect(s)
			if len(tasks) != tt.count || s.Count() != tt.count {
				t.Fatalf("%d tasks, Count() = %d", len(tasks), s.Count())
			}
			if tasks[0].ID != tt.first || tasks[len(tasks)-1].ID != tt.last {
				t.Errorf("ids %s .. %s, want %s .. %s", tasks[0].ID, tasks[len(tasks)-1].ID, tt.first, tt.last)
			}
			seen := map[string]bool{}
			for _, task := range tasks {
				if seen[task.ID] || !spec.ValidID(task.ID) {
					t.Fatalf("duplicate or unsafe id %s", task.ID)
				}
				seen[task.ID] = true
			}
		})
	}
	t.Run("MaxRowCount is allowed", func(t *testing.T) {
		src := fmt.Sprintf("matrix:\n  - mutation: none\n    count: %d\n    principal: acme_analyst\n    semantic_query: {metric: net_revenue}\n", suites.MaxRowCount)
		s, err := suites.Parse(d, "w", "w.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if s.Count() != suites.MaxRowCount {
			t.Errorf("Count() = %d", s.Count())
		}
		for task := range s.Tasks() {
			if task.ID != "none_000001" || task.ExpectedWitnessClass != "clean" {
				t.Errorf("first task %s, class %s", task.ID, task.ExpectedWitnessClass)
			}
			break
		}
	})
}

func TestParseErrors(t *testing.T) {
	d := support(t)
	row := func(extra string) string {
		return "matrix:\n  - mutation: fanout_join_drift\n    count: 2\n    principal: acme_analyst\n    semantic_query: {metric: net_revenue}\n" + extra
	}
	task := func(id, extra string) string {
		return "tasks:\n  - id: " + id + "\n    principal: acme_analyst\n    mutation: none\n    semantic_query: {metric: net_revenue}\n" + extra
	}
	tests := []struct {
		name, name2, src, want string
	}{
		{
			name: "unknown mutation",
			src:  "matrix:\n  - mutation: bogus_op\n    count: 1\n    principal: acme_analyst\n    semantic_query: {metric: net_revenue}\n",
			want: `s.yaml:2: unknown mutation operator "bogus_op" (known: ` + strings.Join(catalog.IDs(), ", ") + ")",
		},
		{
			name: "missing mutation",
			src:  "tasks:\n  - id: a\n    principal: acme_analyst\n    semantic_query: {metric: net_revenue}\n",
			want: `s.yaml:2: missing mutation (use "none" for a clean control)`,
		},
		{
			name: "unknown principal",
			src:  "suite: s\nmatrix:\n  - mutation: none\n    count: 1\n    principal: gamma_analyst\n    semantic_query: {metric: net_revenue}\n",
			want: `s.yaml:3: unknown principal "gamma_analyst" (known: acme_analyst, acme_finance_admin, beta_analyst)`,
		},
		{
			name: "unsafe task id with a path escape",
			src:  task("../x", ""),
			want: `s.yaml:2: task id "../x" is not safe (want ^[A-Za-z0-9][A-Za-z0-9_.-]*$, at most 128 characters)`,
		},
		{
			name: "unsafe task id with a slash",
			src:  task("a/b", ""),
			want: `s.yaml:2: task id "a/b" is not safe (want ^[A-Za-z0-9][A-Za-z0-9_.-]*$, at most 128 characters)`,
		},
		{
			name: "empty task id",
			src:  task(`""`, ""),
			want: `s.yaml:2: task id "" is not safe (want ^[A-Za-z0-9][A-Za-z0-9_.-]*$, at most 128 characters)`,
		},
		{
			name: "task id of 129 characters",
			src:  task(strings.Repeat("x", 129), ""),
			want: `s.yaml:2: task id "` + strings.Repeat("x", 129) + `" is not safe (want ^[A-Za-z0-9][A-Za-z0-9_.-]*$, at most 128 characters)`,
		},
		{
			name: "explicit id colliding with a matrix id",
			src:  row("tasks:\n  - id: fanout_join_drift_02\n    principal: acme_analyst\n    mutation: none\n    semantic_query: {metric: net_revenue}\n"),
			want: `s.yaml:7: duplicate task id "fanout_join_drift_02" (first at line 2)`,
		},
		{
			name: "duplicate explicit ids",
			src: "tasks:\n  - {id: a, principal: acme_analyst, mutation: none, semantic_query: {metric: ticket_count}}\n" +
				"  - {id: a, principal: acme_analyst, mutation: none, semantic_query: {metric: ticket_count}}\n",
			want: `s.yaml:3: duplicate task id "a" (first at line 2)`,
		},
		{
			name: "two matrix rows for one mutation",
			src:  row("  - mutation: fanout_join_drift\n    count: 1\n    principal: beta_analyst\n    semantic_query: {metric: net_revenue}\n"),
			want: `s.yaml:6: duplicate task id "fanout_join_drift_01" (first at line 2)`,
		},
		{
			name: "count 0",
			src:  "matrix:\n  - mutation: none\n    count: 0\n    principal: acme_analyst\n    semantic_query: {metric: m}\n",
			want: `s.yaml:2: count must be 1..100000, got 0`,
		},
		{
			name: "count missing",
			src:  "matrix:\n  - mutation: none\n    principal: acme_analyst\n    semantic_query: {metric: m}\n",
			want: `s.yaml:2: count must be 1..100000, got 0`,
		},
		{
			name: "count above MaxRowCount",
			src:  "matrix:\n  - mutation: none\n    count: 100001\n    principal: acme_analyst\n    semantic_query: {metric: m}\n",
			want: `s.yaml:2: count must be 1..100000, got 100001`,
		},
		{
			name: "negative count",
			src:  "matrix:\n  - mutation: none\n    count: -3\n    principal: acme_analyst\n    semantic_query: {metric: m}\n",
			want: `s.yaml:2: count must be 1..100000, got -3`,
		},
		{
			name: "count of the wrong type",
			src:  "matrix:\n  - mutation: none\n    count: many\n    principal: acme_analyst\n    semantic_query: {metric: m}\n",
			want: "s.yaml:3: cannot unmarshal !!str `many` into int",
		},
		{
			name: "unknown row field",
			src:  row("    cnt: 3\n"),
			want: `s.yaml:6: unknown field "cnt" (known: count, expected_containment_layer, expected_localized_surface, expected_witness_class, mutation, principal, request, semantic_query, surface_versions, variants)`,
		},
		{
			name: "unknown top-level field",
			src:  "suite: s\nowner: me\n",
			want: `s.yaml:2: unknown field "owner" (known: matrix, metadata, policy_version, suite, suite_metadata, surface_versions, tasks)`,
		},
		{
			name: "unknown semantic_query field",
			src:  "tasks:\n  - id: a\n    principal: acme_analyst\n    mutation: none\n    semantic_query:\n      metric: m\n      order_by: x\n",
			want: `s.yaml:7: unknown field "order_by" (known: dimensions, filters, grain, limit, metric, time_range)`,
		},
		{
			name: "unknown variant field",
			src:  row("    variants:\n      - {metrc: ticket_count}\n"),
			want: `s.yaml:7: unknown field "metrc" (known: dimensions, filters, limit, metric, time_range)`,
		},
		{
			name: "suite name does not match",
			src:  "suite: seeded\n" + row(""),
			want: `s.yaml: suite field "seeded" does not match the file name "s"`,
		},
		{
			name: "unknown expected witness class",
			src:  row("    expected_witness_class: leaky\n"),
			want: `s.yaml:2: unknown expected_witness_class "leaky"`,
		},
		{
			name: "unknown expected localized surface",
			src:  task("a", "    expected_localized_surface: cache\n"),
			want: `s.yaml:2: unknown expected_localized_surface "cache"`,
		},
		{
			name: "unknown expected containment layer",
			src:  row("    expected_containment_layer: firewall\n"),
			want: `s.yaml:2: unknown expected_containment_layer "firewall"`,
		},
		{
			name: "unknown surface in the suite's versions",
			src:  "surface_versions: {cache: v1}\n" + row(""),
			want: `s.yaml: surface_versions: unknown surface "cache"`,
		},
		{
			name: "empty version in a row",
			src:  row("    surface_versions: {compiler: \"\"}\n"),
			want: `s.yaml:2: surface_versions: empty version for compiler`,
		},
		{
			name: "unknown surface in a task",
			src:  task("a", "    surface_versions: {cache: v1}\n"),
			want: `s.yaml:2: surface_versions: unknown surface "cache"`,
		},
		{
			name: "missing metric",
			src:  "tasks:\n  - id: a\n    principal: acme_analyst\n    mutation: none\n",
			want: `s.yaml:2: semantic_query.metric is required`,
		},
		{
			name: "negative limit",
			src:  "tasks:\n  - id: a\n    principal: acme_analyst\n    mutation: none\n    semantic_query: {metric: m, limit: -1}\n",
			want: `s.yaml:2: semantic_query.limit must not be negative`,
		},
		{
			name: "no rows and no tasks",
			src:  "suite: s\nmatrix: []\ntasks: []\n",
			want: `s.yaml: suite has no matrix rows and no tasks`,
		},
		{
			name: "empty file",
			src:  "",
			want: `s.yaml: empty document`,
		},
		{
			name: "aliases",
			src:  "matrix:\n  - &r {mutation: none, count: 1, principal: acme_analyst, semantic_query: {metric: m}}\ntasks:\n  - *r\n",
			want: `s.yaml:4: YAML aliases are not supported`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := suites.Parse(d, "s", "s.yaml", []byte(tt.src))
			if err == nil {
				t.Fatalf("Parse succeeded with %d tasks, want error %s", s.Count(), tt.want)
			}
			var e *strictyaml.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not a *strictyaml.Error", err, err)
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

// TestParseNullEntries: a null matrix row or task must be an input error.
func TestParseNullEntries(t *testing.T) {
	d := support(t)
	for _, src := range []string{"matrix: [~]\n", "tasks:\n  - null\n"} {
		t.Run(src, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("Parse panicked: %v", r)
					}
				}()
				_, err = suites.Parse(d, "s", "s.yaml", []byte(src))
			}()
			if err == nil || !strings.HasPrefix(err.Error(), "s.yaml:") {
				t.Errorf("got %v, want an s.yaml:line error", err)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	d := support(t)
	t.Run("missing suite", func(t *testing.T) {
		_, err := suites.Load(d, "heldout")
		if err == nil || !strictyaml.IsInputError(err) ||
			err.Error() != `builtin:support_saas/tasks/heldout.yaml: suite "heldout" not found in domain support_saas` {
			t.Errorf("got %v", err)
		}
	})
	for _, name := range []string{"../seeded", "tasks/seeded", "", ".", "..", "seeded.yaml/.."} {
		t.Run("unsafe name "+name, func(t *testing.T) {
			if s, err := suites.Load(d, name); err == nil {
				t.Errorf("Load(%q) succeeded: %s", name, s.Path)
			} else if !strings.Contains(err.Error(), "is not a safe suite name") {
				t.Errorf("Load(%q) error = %v", name, err)
			}
		})
	}
}

// TestBuiltinSuitesLoad: every suite file shipped in a built-in domain's
// tasks/ directory loads, and every task in it is well formed.
func TestBuiltinSuitesLoad(t *testing.T) {
	for _, name := range domains.Names() {
		d, err := domains.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		entries, err := fs.ReadDir(d.FS, "tasks")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			suite, ok := strings.CutSuffix(e.Name(), ".yaml")
			if !ok {
				continue
			}
			t.Run(name+"/"+suite, func(t *testing.T) {
				s, err := suites.Load(d, suite)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for task := range s.Tasks() {
					n++
					if !spec.ValidID(task.ID) || task.Suite != suite || task.Domain != name || d.Policy.Principals[task.Principal] == nil {
						t.Errorf("bad task %+v", task)
					}
					if task.Mutation == catalog.None && task.ExpectedWitnessClass != "clean" {
						t.Errorf("%s: clean control expects %s", task.ID, task.ExpectedWitnessClass)
					}
				}
				if n != s.Count() || n == 0 {
					t.Errorf("yielded %d tasks, Count() = %d", n, s.Count())
				}
			})
		}
	}
}

func TestMetadata(t *testing.T) {
	d := support(t)
	s, err := suites.Parse(d, "m", "m.yaml", []byte("metadata:\n  provenance: hand_written\n  reviewer: ops\n"+
		"tasks: [{id: a, principal: acme_analyst, mutation: none, semantic_query: {metric: tickets}}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"provenance":                     "hand_written",
		"reviewer":                       "ops",
		"evidence_level":                 "deterministic_fixture",
		"detector_frozen":                false,
		"detector_freeze_id":             nil,
		"authored_after_detector_freeze": false,
		"notes":                          "seeded suite authored with the domain fixtures",
	}
	if got := s.Metadata(); !reflect.DeepEqual(got, want) {
		t.Errorf("Metadata() = %v, want %v", got, want)
	}
	got := s.Metadata()
	got["provenance"] = "changed"
	if s.Metadata()["provenance"] != "hand_written" {
		t.Errorf("Metadata() returns shared state")
	}
}

// nullEntries reports whether data decodes to a suite file with a null
// matrix row or task (the known Parse panic).
func nullEntries(data []byte) bool {
	var f suites.File
	if strictyaml.Decode("f", data, &f) != nil {
		return false
	}
	for _, r := range f.Matrix {
		if r == nil {
			return true
		}
	}
	for _, t := range f.Tasks {
		if t == nil {
			return true
		}
	}
	return false
}

func FuzzParseSuite(f *testing.F) {
	d := support(f)
	seeded, err := os.ReadFile("../domains/support_saas/tasks/seeded.yaml")
	if err != nil {
		f.Fatal(err)
	}
	// Seeds must parse fast: the fuzzer minimizes every new input by
	// re-running it, so one slow seed (a matrix of 100000 tasks took
	// 650 ms a parse) spends the whole budget minimizing. The suite
	// fields are renamed to the name Parse is given, or the seeds are
	// rejected at the first line.
	for _, s := range []string{
		strings.Replace(string(seeded), "suite: seeded", "suite: fuzz", 1),
		strings.Replace(customSuite, "suite: custom", "suite: fuzz", 1),
		"",
		"suite: fuzz\n",
		"matrix:\n  - mutation: none\n    count: 1\n    principal: acme_analyst\n    semantic_query: {metric: m}\n",
		"matrix:\n  - mutation: none\n    count: 3\n    principal: acme_analyst\n    semantic_query: {metric: m}\n    variants: [{limit: 1}, {metric: x, dimensions: []}]\n",
		"tasks:\n  - {id: a, principal: beta_analyst, mutation: fanout_join_drift, semantic_query: {metric: m}, expected_witness_class: clean}\n",
		"surface_versions: {compiler: v5}\nmetadata: {a: [1, {b: 2}]}\ntasks: [{id: a.b-c, principal: acme_analyst, mutation: none, semantic_query: {metric: m}}]\n",
		"matrix:\n  - mutation: none\n    count: 2001\n    principal: acme_analyst\n    semantic_query: {metric: m}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if nullEntries(data) {
			t.Skip("known bug: null entries panic (TestParseNullEntries)")
		}
		s, err := suites.Parse(d, "fuzz", "fuzz.yaml", data)
		if err != nil {
			var e *strictyaml.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not a *strictyaml.Error", err, err)
			}
			if !strings.HasPrefix(err.Error(), "fuzz.yaml:") && !strings.HasPrefix(err.Error(), "fuzz.yaml ") {
				t.Fatalf("error %q does not start with the path", err)
			}
			return
		}
		if s.Count() < 1 {
			t.Fatalf("Count() = %d for a valid suite", s.Count())
		}
		if s.Count() > 2000 {
			return
		}
		seen := map[string]bool{}
		n := 0
		for task := range s.Tasks() {
			n++
			if !spec.ValidID(task.ID) || seen[task.ID] {
				t.Fatalf("unsafe or duplicate task id %q", task.ID)
			}
			seen[task.ID] = true
			if d.Policy.Principals[task.Principal] == nil {
				t.Fatalf("task %s has unknown principal %q", task.ID, task.Principal)
			}
			if len(task.SurfaceVersions) != len(spec.SurfaceOrder) {
				t.Fatalf("task %s surface versions %v", task.ID, task.SurfaceVersions)
			}
			if task.SemanticQuery.Limit < 0 || task.SemanticQuery.Metric == "" {
				t.Fatalf("task %s query %+v", task.ID, task.SemanticQuery)
			}
		}
		if n != s.Count() {
			t.Fatalf("Tasks yielded %d, Count() = %d", n, s.Count())
		}
	})
}
