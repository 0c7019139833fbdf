package layers_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// analyticsDir is the analytics_clickhouse domain, read from disk.
const analyticsDir = "../../domains/analytics_clickhouse"

// clickHouseFaults are TestEveryFaultIsReal's cases for the ClickHouse
// operators, on the analytics_clickhouse domain and its seeded state.
func clickHouseFaults(t *testing.T) map[string]func(t *testing.T) {
	env := evaltest.SetupDir(t, analyticsDir)
	d := env.Domain
	ctx := context.Background()
	acme := []string{"project_acme_mobile"}
	const viewer, admin = "acme_product_viewer", "acme_growth_admin"
	week := func(metric string, dims ...string) spec.SemanticQuery { return q(metric, dims, "last_7_days") }
	// run drives query through the correct validator, compiler variant and
	// database containment for principal.
	run := func(t *testing.T, compiler, database, principal string, query spec.SemanticQuery) (observe.Validator, observe.Compiler, observe.Database) {
		t.Helper()
		v := layers.Validate(layers.Correct, d, principal, query)
		c := layers.Compile(compiler, d, layers.CompileInput{Query: query, Metric: v.Metric, Obligations: v.Obligations})
		pr := d.Policy.Principals[principal]
		out, err := layers.Execute(ctx, env.Session, d, database, pr.Role, pr.TenantIDs, c.SQL, false)
		if err != nil {
			t.Fatal(err)
		}
		return v, c, out
	}
	probe := func(t *testing.T, o observe.Database, table string) observe.Probe {
		t.Helper()
		for _, p := range o.Probes {
			if p.Table == table {
				return p
			}
		}
		t.Fatalf("no probe of %s in %v", table, o.Probes)
		return observe.Probe{}
	}
	allEvents := len(env.State.Table("events").Rows)
	return map[string]func(t *testing.T){
		"clickhouse_row_policy_missing_project_filter": func(t *testing.T) {
			_, _, good := run(t, layers.Correct, layers.Correct, viewer, week("events", "platform"))
			_, _, bad := run(t, layers.Correct, layers.DatabasePolicyWithoutTenant, viewer, week("events", "platform"))
			if got, want := probe(t, good, "events").Visible, env.Oracle.OwnedRows("events", acme); !slices.Equal(got, want) {
				t.Errorf("v1 row policy shows %d events, acme owns %d", len(got), len(want))
			}
			if n := len(probe(t, bad, "events").Visible); n != allEvents {
				t.Errorf("policy without the project filter shows %d of %d events", n, allEvents)
			}
			if got := probe(t, bad, "projects").Visible; !slices.Equal(got, acme) {
				t.Errorf("the projects policy lost its filter too: %v", got)
			}
		},
		"clickhouse_row_policy_readonly_assumption_violation": func(t *testing.T) {
			_, _, bad := run(t, layers.Correct, layers.DatabaseNonReadonlyRole, viewer, week("active_users", "country"))
			if n := len(probe(t, bad, "events").Visible); n != allEvents {
				t.Errorf("a read-write session sees %d of %d events", n, allEvents)
			}
			if p := probe(t, bad, "projects"); len(p.Visible) != 4 || !slices.Contains(p.Columns, "projects.name") {
				t.Errorf("a read-write session sees projects %v with columns %v, want all four with every column", p.Visible, p.Columns)
			}
		},
		"distributed_table_policy_gap": func(t *testing.T) {
			_, _, bad := run(t, layers.Correct, layers.DatabaseRemoteShards, viewer, week("events", "platform"))
			owned := env.Oracle.OwnedRows("events", acme)
			visible := probe(t, bad, "events").Visible
			var remote int
			for _, k := range visible {
				if slices.Contains(owned, k) {
					continue
				}
				if id, _ := strconv.Atoi(k); id%2 == 0 {
					t.Fatalf("event %s of another project on the local shard is visible", k)
				}
				remote++
			}
			if remote == 0 || len(visible)-remote != len(owned) {
				t.Errorf("%d visible events: %d of other projects from the remote shard, acme owns %d", len(visible), remote, len(owned))
			}
		},
		"aggregate_small_cohort_release": func(t *testing.T) {
			query := week("conversions", "event_name")
			query.Filters = map[string]string{"cohort_id": "cohort_small"}
			v, c, out := run(t, layers.Correct, layers.Correct, viewer, query)
			if v.Obligations.MinCohort != 3 || !strings.Contains(c.SQL, "count(DISTINCT events.user_id) AS cohort_size") || len(out.Result.Rows) == 0 {
				t.Fatalf("threshold %d, %d rows from\n%s", v.Obligations.MinCohort, len(out.Result.Rows), c.SQL)
			}
			good, bad := layers.Release(layers.Correct, &v, &c, &out), layers.Release(layers.ReleaseIgnoreCohort, &v, &c, &out)
			if good.Allowed || !bad.Allowed || bad.Rows != len(out.Result.Rows) {
				t.Errorf("v1 release %+v, faulty release %+v: want only the faulty one to let the small cohort out", good, bad)
			}
		},
		"materialized_view_lineage_drop": func(t *testing.T) {
			good := layers.Compile(layers.Correct, d, compileInput(d, viewer, week("active_users", "event_name"))).SQL
			bad := layers.Compile(layers.CompilerRollup, d, compileInput(d, viewer, week("active_users", "event_name"))).SQL
			if strings.Contains(good, "events_daily") || !strings.Contains(bad, "FROM events_daily") || !strings.Contains(bad, "sum(events_daily.users) AS value") {
				t.Errorf("v1:\n%s\nfaulty:\n%s", good, bad)
			}
			if _, _, out := run(t, layers.CompilerRollup, layers.Correct, viewer, week("active_users", "event_name")); !out.Result.Blocked {
				t.Errorf("the database answered from the ungranted view target: %v", out.Result.Rows)
			}
			// conversions count a condition the view does not hold
			if c := layers.Compile(layers.CompilerRollup, d, compileInput(d, viewer, week("conversions", "event_name"))).SQL; strings.Contains(c, "events_daily") {
				t.Errorf("conversions answered from the view:\n%s", c)
			}
		},
		"timezone_bucket_drift": func(t *testing.T) {
			good := layers.Compile(layers.Correct, d, compileInput(d, viewer, week("sessions", "day"))).SQL
			bad := layers.Compile(layers.CompilerUTCBuckets, d, compileInput(d, viewer, week("sessions", "day"))).SQL
			window := "toDateTime(events.event_time, projects.timezone) >= DATE '2026-06-14'"
			if !strings.Contains(good, "toDate(events.event_time, projects.timezone) AS d_day") || !strings.Contains(bad, "toDate(events.event_time, 'UTC') AS d_day") ||
				!strings.Contains(good, window) || !strings.Contains(bad, window) {
				t.Errorf("v1:\n%s\nfaulty:\n%s", good, bad)
			}
		},
		"uniq_to_count_drift": func(t *testing.T) {
			good := layers.Compile(layers.Correct, d, compileInput(d, viewer, week("active_users", "country"))).SQL
			bad := layers.Compile(layers.CompilerUniqAsCount, d, compileInput(d, viewer, week("active_users", "country"))).SQL
			if !strings.Contains(good, "uniqExact(events.user_id) AS value") || !strings.Contains(bad, "count(events.user_id) AS value") {
				t.Errorf("v1:\n%s\nfaulty:\n%s", good, bad)
			}
			if sql := layers.Compile(layers.CompilerUniqAsCount, d, compileInput(d, admin, week("retention"))).SQL; !strings.Contains(sql, "countIf(events.user_id, events.event_name = 'return')") {
				t.Errorf("faulty retention:\n%s", sql)
			}
		},
		"sample_clause_release_drift": func(t *testing.T) {
			v, c, out := run(t, layers.Correct, layers.Correct, admin, week("sampled_events", "day"))
			if c.Sample != 0.1 || !strings.Contains(c.SQL, "inSample(events.id, 0.1)") || !strings.Contains(c.SQL, "(count(*)) * 10 AS value") {
				t.Fatalf("sample lineage %v of\n%s", c.Sample, c.SQL)
			}
			good, bad := layers.Release(layers.Correct, &v, &c, &out), layers.Release(layers.ReleaseDropDisclosure, &v, &c, &out)
			if !good.Allowed || !bad.Allowed || good.Disclosure == "" || bad.Disclosure != "" {
				t.Errorf("v1 release %+v, faulty release %+v: want the estimate disclosed by v1 only", good, bad)
			}
		},
	}
}

// compileInput is the correct validator's input to the compiler for query.
func compileInput(d *spec.Domain, principal string, query spec.SemanticQuery) layers.CompileInput {
	v := layers.Validate(layers.Correct, d, principal, query)
	return layers.CompileInput{Query: query, Metric: v.Metric, Obligations: v.Obligations}
}
