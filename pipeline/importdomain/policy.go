package importdomain

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// refPolicy is the reference's policy.yaml: this project's policy without
// tenancy, calendar and metric semantics, plus the surface versions and
// contracts that this project keeps in surfaces.yaml only.
type refPolicy struct {
	Version               string                     `yaml:"version"`
	Principals            map[string]*spec.Principal `yaml:"principals"`
	Roles                 map[string]*spec.Role      `yaml:"roles"`
	Metrics               map[string]*refMetric      `yaml:"metrics"`
	Dimensions            map[string]*refDimension   `yaml:"dimensions"`
	Versions              map[string]string          `yaml:"versions"`
	Contracts             map[string]any             `yaml:"contracts"`
	TransitionObligations []string                   `yaml:"transition_obligations"`
	path                  string
}

// refMetric is a reference metric.
type refMetric struct {
	Expression   string   `yaml:"expression"`
	Table        string   `yaml:"table"`
	Columns      []string `yaml:"columns"`
	AllowedRoles []string `yaml:"allowed_roles"`
	Aliases      []string `yaml:"aliases"`
	Grain        string   `yaml:"grain"`
	Cost         int      `yaml:"cost"`
	Line         int      `yaml:"-"`
}

// refDimension is a reference dimension.
type refDimension struct {
	Column       string   `yaml:"column"`
	AllowedRoles []string `yaml:"allowed_roles"`
	Sensitive    bool     `yaml:"sensitive"`
	Cost         int      `yaml:"cost"`
	Line         int      `yaml:"-"`
}

func decodePolicy(p string, data []byte) (*refPolicy, error) {
	rp := &refPolicy{path: p}
	if err := strictyaml.Decode(p, data, rp); err != nil {
		return nil, err
	}
	if rp.Version == "" {
		return nil, strictyaml.Errorf(p, 0, "version is required")
	}
	if len(rp.Principals) == 0 || len(rp.Roles) == 0 || len(rp.Metrics) == 0 {
		return nil, strictyaml.Errorf(p, 0, "principals, roles and metrics are required")
	}
	for _, name := range spec.SortedKeys(rp.Principals) {
		pr := rp.Principals[name]
		if pr == nil {
			return nil, strictyaml.Errorf(p, 0, "principal %s is empty", name)
		}
		if rp.Roles[pr.Role] == nil {
			return nil, strictyaml.Errorf(p, pr.Line, "principal %s: unknown role %q", name, pr.Role)
		}
	}
	for _, name := range spec.SortedKeys(rp.Roles) {
		if rp.Roles[name] == nil {
			return nil, strictyaml.Errorf(p, 0, "role %s is empty", name)
		}
	}
	for _, name := range spec.SortedKeys(rp.Metrics) {
		if rp.Metrics[name] == nil {
			return nil, strictyaml.Errorf(p, 0, "metric %s is empty", name)
		}
	}
	for _, name := range spec.SortedKeys(rp.Dimensions) {
		if rp.Dimensions[name] == nil {
			return nil, strictyaml.Errorf(p, 0, "dimension %s is empty", name)
		}
	}
	return rp, nil
}

var (
	qcol           = `([a-z_][\w]*\.[a-z_][\w]*)`
	reCountDist    = regexp.MustCompile(`(?i)^count\(\s*distinct\s+` + qcol + `\s*\)$`)
	reAgg          = regexp.MustCompile(`(?i)^(sum|avg|count)\(\s*` + qcol + `\s*\)$`)
	reCountStar    = regexp.MustCompile(`(?i)^count\(\s*\*?\s*\)$`)
	reFilter       = regexp.MustCompile(`(?i)^(.*?)\s+filter\s*\(\s*where\s+` + qcol + `\s*\)$`)
	reCountIf      = regexp.MustCompile(`(?i)^countIf\(\s*` + qcol + `\s*=\s*'([^']*)'\s*\)$`)
	reUniq         = regexp.MustCompile(`(?i)^uniq(?:Exact)?\(\s*` + qcol + `\s*\)$`)
	reUniqIf       = regexp.MustCompile(`(?i)^uniq(?:Exact)?If\(\s*` + qcol + `\s*,\s*` + qcol + `\s*=\s*'([^']*)'\s*\)$`)
	reDateTrunc    = regexp.MustCompile(`(?i)^date_trunc\(\s*'(month|day)'\s*,\s*` + qcol + `\s*\)$`)
	reToDate       = regexp.MustCompile(`(?i)^toDate\(\s*` + qcol + `\s*(?:,\s*` + qcol + `\s*)?\)$`)
	reQualifiedCol = regexp.MustCompile(`(?i)^` + qcol + `$`)
)

// semantics reads a metric expression's aggregate, measure and filter.
func (c *conv) semantics(m *refMetric, out *spec.Metric) bool {
	e := strings.TrimSpace(m.Expression)
	if f := reFilter.FindStringSubmatch(e); f != nil {
		e, out.Where = strings.TrimSpace(f[1]), strings.ToLower(f[2])
	}
	pk := m.Table + "." + c.pk[m.Table]
	switch {
	case reCountDist.MatchString(e):
		out.Aggregate, out.Measure = "count_distinct", strings.ToLower(reCountDist.FindStringSubmatch(e)[1])
	case reAgg.MatchString(e):
		g := reAgg.FindStringSubmatch(e)
		out.Aggregate, out.Measure = strings.ToLower(g[1]), strings.ToLower(g[2])
	case reCountStar.MatchString(e):
		out.Aggregate, out.Measure = "count", pk
	case reCountIf.MatchString(e):
		g := reCountIf.FindStringSubmatch(e)
		out.Aggregate, out.Measure, out.Where, out.WhereEquals = "count", pk, strings.ToLower(g[1]), g[2]
	case reUniq.MatchString(e):
		out.Aggregate, out.Measure = "count_distinct", strings.ToLower(reUniq.FindStringSubmatch(e)[1])
	case reUniqIf.MatchString(e):
		g := reUniqIf.FindStringSubmatch(e)
		out.Aggregate, out.Measure, out.Where, out.WhereEquals = "count_distinct", strings.ToLower(g[1]), strings.ToLower(g[2]), g[3]
	default:
		return false
	}
	return true
}

// hasColumn reports whether q (table.column) names a converted column.
func (c *conv) hasColumn(q string) bool {
	t, col, err := spec.SplitQualified(q)
	if err != nil {
		return false
	}
	tt := c.table(t)
	return tt != nil && tt.col(col) >= 0
}

// convertPolicy builds this project's policy from the reference's.
func (c *conv) convertPolicy() error {
	rp := c.ref
	p := &spec.Policy{Version: rp.Version, Tenancy: c.tenancy, Principals: rp.Principals, Roles: rp.Roles,
		Metrics: map[string]*spec.Metric{}, Dimensions: map[string]*spec.Dimension{}}
	if c.facts.ClickHouse {
		p.Dialect = spec.DialectClickHouse
		c.rep.infer("dialect clickhouse (the tables are created with ClickHouse engines); the engines run it on DuckDB with ClickHouse-compatible macros")
	}
	if len(rp.Versions) > 0 || len(rp.Contracts) > 0 || len(rp.TransitionObligations) > 0 {
		c.rep.skip("%s: versions, contracts and transition_obligations dropped from policy.yaml (surfaces.yaml carries them)", rp.path)
	}
	c.policy = p
	bucketSource := map[string]string{}
	for _, name := range spec.SortedKeys(rp.Dimensions) {
		rd := rp.Dimensions[name]
		d := &spec.Dimension{Column: rd.Column, AllowedRoles: rd.AllowedRoles, Sensitive: rd.Sensitive, Cost: rd.Cost}
		col := strings.TrimSpace(rd.Column)
		switch {
		case reQualifiedCol.MatchString(col) && c.hasColumn(strings.ToLower(col)):
			d.Column, d.Source = strings.ToLower(col), strings.ToLower(col)
		case reDateTrunc.MatchString(col):
			g := reDateTrunc.FindStringSubmatch(col)
			d.Bucket, d.Column = strings.ToLower(g[1]), fmt.Sprintf("date_trunc('%s', {time_column})", strings.ToLower(g[1]))
			bucketSource[name] = strings.ToLower(g[2])
			c.rep.infer("dimension %s: a %s bucket of each metric's time column (the reference truncates %s)", name, d.Bucket, g[2])
		case reToDate.MatchString(col) && p.Tenancy.Timezone != "":
			g := reToDate.FindStringSubmatch(col)
			d.Bucket, d.Column = "day", "toDate({time_column}, {timezone})"
			bucketSource[name] = strings.ToLower(g[1])
			c.rep.infer("dimension %s: a day bucket of each metric's time column in the tenant's time zone (the reference uses %s)", name, col)
		default:
			c.rep.person("%s:%d: dimension %s: column %q is neither a known table.column nor a date_trunc/toDate bucket: dimension dropped", rp.path, rd.Line, name, rd.Column)
			continue
		}
		p.Dimensions[name] = d
	}
	for _, name := range spec.SortedKeys(rp.Metrics) {
		rm := rp.Metrics[name]
		m := &spec.Metric{Expression: rm.Expression, Table: strings.ToLower(rm.Table), Columns: rm.Columns, AllowedRoles: rm.AllowedRoles, Aliases: rm.Aliases, Grain: rm.Grain, Cost: rm.Cost}
		rm.Table = m.Table
		if base := sampledTable(m.Table); c.table(m.Table) == nil && c.table(base) != nil && c.facts.ClickHouse {
			key := c.sampleKey(base)
			c.rep.person("%s:%d: metric %s reads table %q, which the SQL does not create: converted as a SAMPLE %v of %s (sample_by %s; the fraction is the reference's SAMPLE clause, not stated in its files): confirm it, or set the metric's sample in policy.yaml",
				rp.path, rm.Line, name, m.Table, DefaultSample, base, key)
			m.Table, rm.Table, m.Sample = base, base, DefaultSample
		}
		if c.table(m.Table) == nil {
			c.rep.person("%s:%d: metric %s reads table %q, which the converted schema lacks: metric dropped", rp.path, rm.Line, name, rm.Table)
			continue
		}
		if !c.semantics(rm, m) {
			c.rep.person("%s:%d: metric %s: expression %q is not one of count(distinct c), sum/avg/count(c), count(), countIf(c = 'v'), uniqExact(c), uniqExactIf(c, d = 'v') [filter (where c)]: metric dropped", rp.path, rm.Line, name, rm.Expression)
			continue
		}
		bad := ""
		for _, q := range append([]string{m.Measure, m.Where}, m.Columns...) {
			if q != "" && !c.hasColumn(q) {
				bad = q
			}
		}
		if bad != "" {
			c.rep.person("%s:%d: metric %s names column %s, which the converted schema lacks: metric dropped", rp.path, rm.Line, name, bad)
			continue
		}
		if err := c.timeColumn(name, m, bucketSource); err != nil {
			c.rep.person("%s:%d: metric %s: %v: metric dropped", rp.path, rm.Line, name, err)
			continue
		}
		p.Metrics[name] = m
	}
	for _, name := range spec.SortedKeys(p.Roles) {
		r := p.Roles[name]
		r.AllowedMetrics = keep(r.AllowedMetrics, func(m string) bool { return p.Metrics[m] != nil })
		r.AllowedDimensions = keep(r.AllowedDimensions, func(d string) bool { return p.Dimensions[d] != nil })
	}
	return nil
}

func keep(xs []string, ok func(string) bool) []string {
	out := []string{}
	for _, x := range xs {
		if ok(x) {
			out = append(out, x)
		}
	}
	return out
}

// timeColumn picks the date column time ranges apply to: the column a
// bucket dimension truncates when it is on the metric's table, else the
// table's first date or timestamp column, else one derived from a child
// table's dates (the earliest per row).
func (c *conv) timeColumn(name string, m *spec.Metric, bucketSource map[string]string) error {
	t := c.table(m.Table)
	for _, src := range bucketSource {
		if tab, _, _ := spec.SplitQualified(src); tab == m.Table && c.hasColumn(src) {
			m.TimeColumn = src
			return nil
		}
	}
	for _, col := range t.Columns {
		if ty := t.typ(col.Name); ty == "date" || ty == "timestamp" {
			m.TimeColumn = m.Table + "." + col.Name
			c.rep.infer("metric %s: time column %s (the first date column of %s)", name, m.TimeColumn, m.Table)
			return nil
		}
	}
	derived, err := c.deriveDate(t)
	if err != nil {
		return err
	}
	m.TimeColumn = derived
	return nil
}

// deriveDate adds to t a column holding, per row, the earliest date of a
// child table that references it, and returns its qualified name.
func (c *conv) deriveDate(t *dbTable) (string, error) {
	for _, ch := range c.tables {
		fk := (*dbForeignKey)(nil)
		for i := range ch.ForeignKeys {
			if ch.ForeignKeys[i].RefTable == t.Name && ch.ForeignKeys[i].RefColumn == c.pk[t.Name] {
				fk = &ch.ForeignKeys[i]
			}
		}
		if fk == nil {
			continue
		}
		for _, col := range ch.Columns {
			ty := ch.typ(col.Name)
			if ty != "date" && ty != "timestamp" {
				continue
			}
			name := col.Name
			if t.col(name) >= 0 {
				name = "first_" + ch.Name + "_" + col.Name
			}
			if q := t.Name + "." + name; t.col(name) >= 0 {
				return q, nil
			}
			ci, fi, pi := ch.col(col.Name), ch.col(fk.Column), t.col(c.pk[t.Name])
			t.Columns = append(t.Columns, dbColumn{Name: name, DuckType: col.DuckType})
			for i, r := range t.Rows {
				var first any
				for _, cr := range ch.Rows {
					if fmt.Sprint(cr[fi]) != fmt.Sprint(r[pi]) || cr[ci] == nil {
						continue
					}
					if first == nil || less(cr[ci], first) {
						first = cr[ci]
					}
				}
				t.Rows[i] = append(r, first)
			}
			c.rep.person("table %s has no date column for time ranges: added %s.%s, each row's earliest %s.%s (NULL when it has none); replace it with the real date if the source has one", t.Name, t.Name, name, ch.Name, col.Name)
			return t.Name + "." + name, nil
		}
	}
	return "", fmt.Errorf("table %s has no date or timestamp column and no child table with one", t.Name)
}
