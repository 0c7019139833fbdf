package importdomain

import (
	"strings"

	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// cohorts gives every aggregate-only role the --min-cohort-size and sets
// the policy's cohort key (--cohort-key, else the user_id column of the
// metrics' table), which must be a column of every metric's table.
func (c *conv) cohorts() error {
	n := c.opts.MinCohortSize
	if n == 0 {
		return nil
	}
	p := c.policy
	key := strings.ToLower(c.opts.CohortKey)
	if key == "" {
		tables := map[string]bool{}
		for _, m := range p.Metrics {
			tables[m.Table] = true
		}
		if len(tables) == 1 {
			for t := range tables {
				if c.hasColumn(t + ".user_id") {
					key = t + ".user_id"
				}
			}
		}
		if key == "" {
			return strictyaml.Errorf("--cohort-key", 0, "is needed with --min-cohort-size: no user_id column common to the metrics' table(s) %s", strings.Join(spec.SortedKeys(tables), ", "))
		}
		c.rep.infer("cohort_key %s (the user_id column of the metrics' table; pass --cohort-key to change)", key)
	}
	if !c.hasColumn(key) {
		return strictyaml.Errorf("--cohort-key", 0, "%q is not a column of the converted schema", key)
	}
	tab, _, _ := spec.SplitQualified(key)
	for _, name := range spec.SortedKeys(p.Metrics) {
		if p.Metrics[name].Table != tab {
			return strictyaml.Errorf("--cohort-key", 0, "%s is not on table %s of metric %s (the cohort key must be a column of every metric's table)", key, p.Metrics[name].Table, name)
		}
	}
	p.CohortKey = key
	var given []string
	for _, name := range spec.SortedKeys(p.Roles) {
		if r := p.Roles[name]; r.AggregateOnly {
			r.MinCohortSize = n
			given = append(given, name)
		}
	}
	if len(given) == 0 {
		c.rep.person("--min-cohort-size %d: no role is aggregate_only, so none was given it; set min_cohort_size on the roles whose small groups must be withheld", n)
		return nil
	}
	c.rep.infer("min_cohort_size %d (--min-cohort-size) for the aggregate-only roles %s", n, strings.Join(given, ", "))
	return nil
}
