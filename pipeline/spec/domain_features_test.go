package spec_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// analyticsDir is the ClickHouse-dialect domain, read from disk.
const analyticsDir = "../../domains/analytics_clickhouse"

// analyticsFiles returns a fresh in-memory copy of the analytics_clickhouse
// files.
func analyticsFiles(t testing.TB) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, f := range spec.DomainFiles {
		data, err := os.ReadFile(filepath.Join(analyticsDir, f))
		if err != nil {
			t.Fatalf("read fixture: %v", err)
		}
		fsys[f] = &fstest.MapFile{Data: data}
	}
	return fsys
}

func TestLoadDomainAnalytics(t *testing.T) {
	d, err := spec.LoadDomain(analyticsFiles(t), "analytics_clickhouse", "dom")
	if err != nil {
		t.Fatal(err)
	}
	p := d.Policy
	if p.SQLDialect() != spec.DialectClickHouse || p.Tenancy.Timezone != "projects.timezone" || p.CohortKey != "events.user_id" {
		t.Errorf("dialect %q, timezone %q, cohort key %q", p.SQLDialect(), p.Tenancy.Timezone, p.CohortKey)
	}
	if m := p.Metrics["sampled_events"]; m.Sample != 0.1 {
		t.Errorf("sampled_events: sample %v", m.Sample)
	}
	if v := d.Schema.Table("events_daily").MaterializedView; v == nil || v.From != "events" || len(v.GroupBy) == 0 || len(v.Aggregates) == 0 {
		t.Errorf("materialized view %+v", v)
	}
}

// Every named time range is known; others are not.
func TestKnownTimeRange(t *testing.T) {
	for _, r := range append(append([]string{}, spec.TimeRanges...), spec.RollingTimeRanges...) {
		if !spec.KnownTimeRange(r) {
			t.Errorf("%s is unknown", r)
		}
	}
	if spec.KnownTimeRange("last_8_days") {
		t.Error("last_8_days is known")
	}
}

// Every feature's misuse is a path:line input error.
func TestLoadDomainFeatureErrors(t *testing.T) {
	type change struct{ file, old, new string }
	tests := []struct {
		name    string
		changes []change
		// the expected line is that of at (after after) in the changed
		// file, which want holds as %d
		after, at string
		want      string
	}{
		{name: "unknown dialect", changes: []change{{"policy.yaml", "dialect: clickhouse", "dialect: mysql"}},
			at: "dialect: mysql", want: `dom/policy.yaml:%d: dialect must be duckdb or clickhouse, got "mysql"`},
		{name: "time zone column off the tenancy table", changes: []change{{"policy.yaml", "timezone: projects.timezone", "timezone: events.country"}},
			at: "timezone: events.country", want: `dom/policy.yaml:%d: tenancy.timezone must be a text column of the tenancy table projects`},
		{name: "time zone of an unknown column", changes: []change{{"policy.yaml", "timezone: projects.timezone", "timezone: projects.tz"}},
			at: "timezone: projects.tz", want: `dom/policy.yaml:%d: tenancy.timezone: unknown column "tz" in projects.tz`},
		{name: "negative minimum cohort", changes: []change{{"policy.yaml", "min_cohort_size: 3", "min_cohort_size: -1"}},
			after: "  product_viewer:\n", at: "allowed_metrics", want: `dom/policy.yaml:%d: role product_viewer: min_cohort_size must not be negative`},
		{name: "minimum cohort without a cohort key", changes: []change{{"policy.yaml", "cohort_key: events.user_id\n", ""}},
			want: `dom/policy.yaml: cohort_key (needed by min_cohort_size): "" is not a qualified table.column`},
		{name: "cohort key of an unknown column", changes: []change{{"policy.yaml", "cohort_key: events.user_id", "cohort_key: events.uid"}},
			at: "cohort_key: events.uid", want: `dom/policy.yaml:%d: cohort_key (needed by min_cohort_size): unknown column "uid" in events.uid`},
		{name: "cohort key off a metric's table", changes: []change{{"policy.yaml", "cohort_key: events.user_id", "cohort_key: sessions.user_id"}},
			at: "expression: uniqExact(events.user_id)", want: `dom/policy.yaml:%d: metric active_users: cohort_key sessions.user_id is not on table events`},
		{name: "where_equals without where", changes: []change{{"policy.yaml", "    where: events.event_name\n    where_equals: purchase\n", "    where_equals: purchase\n"}},
			at: "expression: countIf", want: `dom/policy.yaml:%d: metric conversions: where_equals needs where`},
		{name: "sample that is not 1/n", changes: []change{{"policy.yaml", "sample: 0.1", "sample: 0.3"}},
			after: "  sampled_events:\n", at: "expression", want: `dom/policy.yaml:%d: metric sampled_events: sample must be 1/n for an integer n >= 2, got 0.3`},
		{name: "sample without a SAMPLE BY key", changes: []change{{"schema.yaml", "    sample_by: id\n", ""}},
			after: "  sampled_events:\n", at: "expression", want: `dom/policy.yaml:%d: metric sampled_events: sample needs a sample_by key on table events`},
		{name: "sample outside the ClickHouse dialect", changes: []change{{"policy.yaml", "dialect: clickhouse", "dialect: duckdb"}},
			after: "  sampled_events:\n", at: "expression", want: `dom/policy.yaml:%d: metric sampled_events: sample needs dialect clickhouse (its SAMPLE clause)`},
		{name: "{timezone} without tenant time zones", changes: []change{{"policy.yaml", "  timezone: projects.timezone\n", ""}},
			at: "column: toDate", want: `dom/policy.yaml:%d: dimension day: column uses {timezone} but tenancy.timezone is not set`},
		{name: "text SAMPLE BY key", changes: []change{{"schema.yaml", "sample_by: id", "sample_by: user_id"}},
			at: "- name: events\n", want: `dom/schema.yaml:%d: table events: sample_by "user_id" is not an integer column`},
		{name: "one shard", changes: []change{{"schema.yaml", "shards: 2", "shards: 1"}},
			at: "- name: events\n", want: `dom/schema.yaml:%d: table events: distributed needs shards >= 2 and an integer sharding_key`},
		{name: "view column neither key nor aggregate", changes: []change{{"schema.yaml", "        - {column: sessions, aggregate: count_distinct, source: events.session_id}\n", ""}},
			at: "- name: events_daily", want: `dom/schema.yaml:%d: table events_daily: materialized_view: column sessions is neither a key nor an aggregate`},
		{name: "view bucket by the hour", changes: []change{{"schema.yaml", "source: events.event_time, bucket: day}", "source: events.event_time, bucket: hour}"}},
			at: "- name: events_daily", want: `dom/schema.yaml:%d: table events_daily: materialized_view: group_by day: bucket must be day or month`},
		{name: "view of an unknown table", changes: []change{{"schema.yaml", "      from: events\n", "      from: clicks\n"}},
			at: "- name: events_daily", want: `dom/schema.yaml:%d: table events_daily: materialized_view: from "clicks" is not a base table`},
		{name: "view key from another table", changes: []change{{"schema.yaml", "{column: event_name, source: events.event_name}", "{column: event_name, source: sessions.country}"}},
			at: "- name: events_daily", want: `dom/schema.yaml:%d: table events_daily: materialized_view: group_by event_name: sessions.country is not a column of events`},
		{name: "view created at a bad instant", changes: []change{{"schema.yaml", `created_at: "2026-06-17"`, `created_at: "June 17"`}},
			at: "- name: events_daily", want: `dom/schema.yaml:%d: table events_daily: materialized_view: created_at: invalid date "June 17" (want YYYY-MM-DD)`},
		{name: "generated rows for a view", changes: []change{{"state.yaml", "  - table: events\n", "  - table: events_daily\n    rows: []\n  - table: events\n"}},
			at: "- table: events_daily", want: `dom/state.yaml:%d: table events_daily is a materialized view: its rows are derived from events, not generated`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := analyticsFiles(t)
			file := ""
			for _, c := range tt.changes {
				edit(t, fsys, c.file, c.old, c.new)
				file = c.file
			}
			want := tt.want
			if tt.at != "" {
				target := file
				if strings.HasPrefix(want, "dom/") {
					target = strings.SplitN(strings.TrimPrefix(want, "dom/"), ":", 2)[0]
				}
				want = fmt.Sprintf(tt.want, lineOf(t, fsys[target].Data, tt.after, tt.at))
			}
			_, err := spec.LoadDomain(fsys, "analytics_clickhouse", "dom")
			var e *strictyaml.Error
			if err == nil || !errors.As(err, &e) {
				t.Fatalf("LoadDomain: %v, want an input error", err)
			}
			if got := err.Error(); got != want {
				t.Errorf("error:\n got %s\nwant %s", got, want)
			}
		})
	}
}
