package spec

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// validateFeatures checks the optional features a domain may use: its SQL
// dialect, tenant time zones, minimum cohort sizes, metric filters and
// samples, and the schema's sampling keys, sharding and materialized views.
func (d *Domain) validateFeatures() error {
	if err := d.validatePolicyFeatures(); err != nil {
		return err
	}
	return d.validateSchemaFeatures()
}

func (d *Domain) validatePolicyFeatures() error {
	pf := d.file("policy.yaml")
	p, sch := d.Policy, d.Schema
	switch p.Dialect {
	case "", DialectDuckDB, DialectClickHouse:
	default:
		return strictyaml.Errorf(pf, p.Lines["dialect"], "dialect must be %s or %s, got %q", DialectDuckDB, DialectClickHouse, p.Dialect)
	}
	if tz := p.Tenancy.Timezone; tz != "" {
		if err := d.checkColumn(tz); err != nil {
			return strictyaml.Errorf(pf, p.Tenancy.Lines["timezone"], "tenancy.timezone: %v", err)
		}
		if t, c, _ := SplitQualified(tz); t != p.Tenancy.Table || sch.Table(t).Column(c).Type != "text" {
			return strictyaml.Errorf(pf, p.Tenancy.Lines["timezone"], "tenancy.timezone must be a text column of the tenancy table %s", p.Tenancy.Table)
		}
	}
	cohorts := false
	for _, name := range SortedKeys(p.Roles) {
		r := p.Roles[name]
		if r.MinCohortSize < 0 {
			return strictyaml.Errorf(pf, r.Line, "role %s: min_cohort_size must not be negative", name)
		}
		cohorts = cohorts || r.MinCohortSize > 0
	}
	if p.CohortKey != "" || cohorts {
		if err := d.checkColumn(p.CohortKey); err != nil {
			return strictyaml.Errorf(pf, p.Lines["cohort_key"], "cohort_key (needed by min_cohort_size): %v", err)
		}
	}
	for _, name := range SortedKeys(p.Metrics) {
		m := p.Metrics[name]
		if t, _, _ := SplitQualified(p.CohortKey); p.CohortKey != "" && t != m.Table {
			return strictyaml.Errorf(pf, m.Line, "metric %s: cohort_key %s is not on table %s", name, p.CohortKey, m.Table)
		}
		if m.WhereEquals != "" && m.Where == "" {
			return strictyaml.Errorf(pf, m.Line, "metric %s: where_equals needs where", name)
		}
		if err := d.checkSample(m); err != nil {
			return strictyaml.Errorf(pf, m.Line, "metric %s: %v", name, err)
		}
	}
	for _, name := range SortedKeys(p.Dimensions) {
		dm := p.Dimensions[name]
		if strings.Contains(dm.Column, "{timezone}") && p.Tenancy.Timezone == "" {
			return strictyaml.Errorf(pf, dm.Line, "dimension %s: column uses {timezone} but tenancy.timezone is not set", name)
		}
	}
	return nil
}

// checkSample validates a metric's sample fraction.
func (d *Domain) checkSample(m *Metric) error {
	if m.Sample == 0 {
		return nil
	}
	n := 1 / m.Sample
	if m.Sample < 0 || m.Sample >= 1 || math.Abs(n-math.Round(n)) > 1e-9 {
		return fmt.Errorf("sample must be 1/n for an integer n >= 2, got %v", m.Sample)
	}
	if d.Policy.SQLDialect() != DialectClickHouse {
		return fmt.Errorf("sample needs dialect %s (its SAMPLE clause)", DialectClickHouse)
	}
	if d.Schema.Table(m.Table).SampleBy == "" {
		return fmt.Errorf("sample needs a sample_by key on table %s", m.Table)
	}
	switch m.Aggregate {
	case "count", "count_distinct", "sum":
	default:
		return fmt.Errorf("a sampled metric's aggregate must be count, count_distinct or sum")
	}
	return nil
}

func (d *Domain) validateSchemaFeatures() error {
	schf, stf := d.file("schema.yaml"), d.file("state.yaml")
	sch := d.Schema
	integer := func(t *Table, col string) bool { c := t.Column(col); return c != nil && c.Type == "integer" }
	for _, t := range sch.Tables {
		if t.SampleBy != "" && !integer(t, t.SampleBy) {
			return strictyaml.Errorf(schf, t.Line, "table %s: sample_by %q is not an integer column", t.Name, t.SampleBy)
		}
		if ds := t.Distributed; ds != nil && (ds.Shards < 2 || !integer(t, ds.ShardingKey)) {
			return strictyaml.Errorf(schf, t.Line, "table %s: distributed needs shards >= 2 and an integer sharding_key", t.Name)
		}
		if t.MaterializedView != nil {
			if err := d.checkView(t); err != nil {
				return strictyaml.Errorf(schf, t.Line, "table %s: materialized_view: %v", t.Name, err)
			}
		}
	}
	for _, ts := range d.State.Tables {
		if t := sch.Table(ts.Table); t != nil && t.MaterializedView != nil {
			return strictyaml.Errorf(stf, ts.Line, "table %s is a materialized view: its rows are derived from %s, not generated", t.Name, t.MaterializedView.From)
		}
	}
	return nil
}

// checkView validates materialized-view table t: every column is its
// integer primary key, a key or an integer aggregate over the source.
func (d *Domain) checkView(t *Table) error {
	v := t.MaterializedView
	src := d.Schema.Table(v.From)
	if src == nil || src.MaterializedView != nil {
		return fmt.Errorf("from %q is not a base table", v.From)
	}
	if pk := t.Column(t.PrimaryKey); pk.Type != "integer" {
		return fmt.Errorf("the primary key %s must be an integer", t.PrimaryKey)
	}
	fromSource := func(q string) error {
		if err := d.checkColumn(q); err != nil {
			return err
		}
		if tab, _, _ := SplitQualified(q); tab != v.From {
			return fmt.Errorf("%s is not a column of %s", q, v.From)
		}
		return nil
	}
	if v.CreatedAt != "" {
		if err := fromSource(v.TimeColumn); err != nil {
			return fmt.Errorf("time_column: %v", err)
		}
		if _, err := ParseInstant(v.CreatedAt); err != nil {
			return fmt.Errorf("created_at: %v", err)
		}
	}
	covered := map[string]bool{t.PrimaryKey: true}
	for _, k := range v.GroupBy {
		if err := fromSource(k.Source); err != nil {
			return fmt.Errorf("group_by %s: %v", k.Column, err)
		}
		switch k.Bucket {
		case "", "day", "month":
		default:
			return fmt.Errorf("group_by %s: bucket must be day or month", k.Column)
		}
		if t.Column(k.Column) == nil || covered[k.Column] {
			return fmt.Errorf("group_by column %q is not a column or is used twice", k.Column)
		}
		covered[k.Column] = true
	}
	for _, a := range v.Aggregates {
		if err := fromSource(a.Source); err != nil {
			return fmt.Errorf("aggregate %s: %v", a.Column, err)
		}
		switch a.Aggregate {
		case "count", "count_distinct", "sum":
		default:
			return fmt.Errorf("aggregate %s: must be count, count_distinct or sum", a.Column)
		}
		if c := t.Column(a.Column); c == nil || c.Type != "integer" || covered[a.Column] {
			return fmt.Errorf("aggregate column %q is not an integer column or is used twice", a.Column)
		}
		covered[a.Column] = true
	}
	for _, c := range t.Columns {
		if !covered[c.Name] {
			return fmt.Errorf("column %s is neither a key nor an aggregate", c.Name)
		}
	}
	return nil
}

// ParseInstant parses YYYY-MM-DD (midnight UTC) or an RFC 3339 timestamp.
func ParseInstant(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return ParseDate(s)
}
