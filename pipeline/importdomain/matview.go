package importdomain

import (
	"fmt"
	"hash/fnv"
	"regexp"
	"strings"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// matView is a CREATE MATERIALIZED VIEW read from the SQL: its select list
// over one source table, kept as text for conversion.
type matView struct {
	Name, From string
	// Items are the select list's expressions with their aliases.
	Items []viewItem
	// Rest is what follows the FROM table (GROUP BY, WHERE, ...).
	Rest string
	// Target is the TO table of a ClickHouse view that writes elsewhere.
	Target string
	// At is "path:line" of the statement.
	At string
}

type viewItem struct{ Expr, Alias string }

var (
	reMatViewFull = regexp.MustCompile(`(?is)^create\s+materialized\s+view\s+(?:if\s+not\s+exists\s+)?([\w.]+)(.*?)\bas\s+select\s+(.*?)\s+from\s+([\w.]+)\s*(.*)$`)
	reViewTo      = regexp.MustCompile(`(?is)^\s*to\s+([\w.]+)`)
	reViewWhere   = regexp.MustCompile(`(?is)^where\s`)
	reViewGroupBy = regexp.MustCompile(`(?is)^group\s+by\s[^;]*$`)
	reViewHaving  = regexp.MustCompile(`(?i)\bhaving\b`)
	reAlias       = regexp.MustCompile(`(?is)^(.*?)\s+as\s+(\w+)$`)
	reBareCol     = regexp.MustCompile(`(?i)^(?:\w+\.)?(\w+)$`)
	vcol          = `(?:\w+\.)?(\w+)`
	reViewDay     = regexp.MustCompile(`(?i)^(?:toDate\(\s*` + vcol + `\s*\)|date_trunc\(\s*'day'\s*,\s*` + vcol + `\s*\))$`)
	reViewMonth   = regexp.MustCompile(`(?i)^(?:toStartOfMonth\(\s*` + vcol + `\s*\)|date_trunc\(\s*'month'\s*,\s*` + vcol + `\s*\))$`)
	reViewCount   = regexp.MustCompile(`(?i)^count(?:State)?\(\s*\*?\s*\)$`)
	reViewDist    = regexp.MustCompile(`(?i)^(?:uniqExact(?:State)?\(\s*` + vcol + `\s*\)|count\(\s*distinct\s+` + vcol + `\s*\))$`)
	reViewSum     = regexp.MustCompile(`(?i)^sum(?:State)?\(\s*` + vcol + `\s*\)$`)
)

// parseMatView reads a CREATE MATERIALIZED VIEW statement; nil when its
// shape is not SELECT ... FROM one table.
func parseMatView(text, at string) *matView {
	m := reMatViewFull.FindStringSubmatch(strings.TrimSpace(text))
	if m == nil {
		return nil
	}
	v := &matView{Name: bare(m[1]), From: bare(m[4]), Rest: strings.TrimSpace(m[5]), At: at}
	if t := reViewTo.FindStringSubmatch(m[2]); t != nil {
		v.Target = bare(t[1])
	}
	for _, item := range splitTopLevel(m[3]) {
		it := viewItem{Expr: strings.TrimSpace(item)}
		if a := reAlias.FindStringSubmatch(it.Expr); a != nil {
			it.Expr, it.Alias = strings.TrimSpace(a[1]), strings.ToLower(a[2])
		} else if b := reBareCol.FindStringSubmatch(it.Expr); b != nil {
			it.Alias = strings.ToLower(b[1])
		}
		v.Items = append(v.Items, it)
	}
	return v
}

// splitTopLevel splits s at the commas outside parentheses and quotes.
func splitTopLevel(s string) []string {
	var out []string
	depth, start, quote := 0, 0, false
	for i, r := range s {
		switch {
		case r == '\'':
			quote = !quote
		case quote:
		case r == '(':
			depth++
		case r == ')':
			depth--
		case r == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// firstGroup is the first non-empty submatch.
func firstGroup(m []string) string {
	for _, g := range m[1:] {
		if g != "" {
			return strings.ToLower(g)
		}
	}
	return ""
}

// materializedViews converts each materialized view of the SQL into a
// table with materialized_view: its keys (source columns, or their UTC day
// or month), its integer aggregates (count, count of distinct values, sum)
// and an integer row id; it is owned through its key on the source
// table's owner column. A view the format cannot express is reported.
func (c *conv) materializedViews() error {
	for _, v := range c.facts.Views {
		t, why := c.convertView(v)
		if t == nil {
			c.rep.person("%s: materialized view %s not converted: %s; declare it as a table with materialized_view in schema.yaml by hand", v.At, v.Name, why)
			continue
		}
		c.views = append(c.views, t)
		mv := t.MaterializedView
		var keys, aggs []string
		for _, k := range mv.GroupBy {
			s := k.Column
			if k.Bucket != "" {
				s += fmt.Sprintf(" (UTC %s of %s)", k.Bucket, k.Source)
			}
			keys = append(keys, s)
		}
		for _, a := range mv.Aggregates {
			aggs = append(aggs, fmt.Sprintf("%s (%s of %s)", a.Column, a.Aggregate, a.Source))
		}
		c.rep.infer("materialized view %s: table %s over %s, keys %s, aggregates %s, row id %s, owned through %s; it holds every seed row (the SQL creates it before the seed is inserted)",
			v.Name, t.Name, mv.From, strings.Join(keys, ", "), strings.Join(aggs, ", "), t.PrimaryKey, t.OwnerVia)
	}
	return nil
}

// convertView builds view v's table, or says why it cannot.
func (c *conv) convertView(v *matView) (*spec.Table, string) {
	src := c.table(v.From)
	switch {
	case v.Target != "":
		return nil, fmt.Sprintf("it writes to table %s (TO ...); only a view that is its own target is converted", v.Target)
	case src == nil:
		return nil, fmt.Sprintf("its source %s is not a converted table", v.From)
	case c.table(v.Name) != nil:
		return nil, "a table has the same name"
	case reViewWhere.MatchString(v.Rest):
		return nil, "it filters its source (WHERE), which materialized_view cannot express"
	case v.Rest != "" && (!reViewGroupBy.MatchString(v.Rest) || reViewHaving.MatchString(v.Rest)):
		return nil, fmt.Sprintf("it reads more than its source (%s), which materialized_view cannot express", firstWords(v.Rest))
	case c.owner[src.Name] == "":
		return nil, fmt.Sprintf("its source %s has no owner column", src.Name)
	}
	t := &spec.Table{Name: v.Name, MaterializedView: &spec.MaterializedView{From: src.Name}}
	used := map[string]bool{}
	srcCol := func(name string) (string, string) {
		if src.col(name) < 0 {
			return "", ""
		}
		return src.Name + "." + name, src.typ(name)
	}
	for _, it := range v.Items {
		if it.Alias == "" || used[it.Alias] {
			return nil, fmt.Sprintf("select item %q has no alias or repeats one", it.Expr)
		}
		used[it.Alias] = true
		mv := t.MaterializedView
		switch {
		case reBareCol.MatchString(it.Expr):
			q, ty := srcCol(strings.ToLower(reBareCol.FindStringSubmatch(it.Expr)[1]))
			if q == "" {
				return nil, fmt.Sprintf("%s is not a column of %s", it.Expr, src.Name)
			}
			mv.GroupBy = append(mv.GroupBy, &spec.ViewKey{Column: it.Alias, Source: q})
			t.Columns = append(t.Columns, &spec.Column{Name: it.Alias, Type: ty})
		case reViewDay.MatchString(it.Expr), reViewMonth.MatchString(it.Expr):
			bucket, m := "day", reViewDay.FindStringSubmatch(it.Expr)
			if m == nil {
				bucket, m = "month", reViewMonth.FindStringSubmatch(it.Expr)
			}
			q, ty := srcCol(firstGroup(m))
			if ty != "date" && ty != "timestamp" {
				return nil, fmt.Sprintf("%s does not bucket a date column of %s", it.Expr, src.Name)
			}
			mv.GroupBy = append(mv.GroupBy, &spec.ViewKey{Column: it.Alias, Source: q, Bucket: bucket})
			t.Columns = append(t.Columns, &spec.Column{Name: it.Alias, Type: "date"})
		case reViewCount.MatchString(it.Expr):
			mv.Aggregates = append(mv.Aggregates, &spec.ViewAggregate{Column: it.Alias, Aggregate: "count", Source: src.Name + "." + c.pk[src.Name]})
			t.Columns = append(t.Columns, &spec.Column{Name: it.Alias, Type: "integer"})
		case reViewDist.MatchString(it.Expr), reViewSum.MatchString(it.Expr):
			agg, m := "count_distinct", reViewDist.FindStringSubmatch(it.Expr)
			if m == nil {
				agg, m = "sum", reViewSum.FindStringSubmatch(it.Expr)
			}
			q, ty := srcCol(firstGroup(m))
			if q == "" || (agg == "sum" && ty != "integer") {
				return nil, fmt.Sprintf("%s does not aggregate an integer column of %s", it.Expr, src.Name)
			}
			mv.Aggregates = append(mv.Aggregates, &spec.ViewAggregate{Column: it.Alias, Aggregate: agg, Source: q})
			t.Columns = append(t.Columns, &spec.Column{Name: it.Alias, Type: "integer"})
		default:
			return nil, fmt.Sprintf("select item %q is not a column, its toDate/toStartOfMonth/date_trunc bucket, or count/uniqExact/sum (or their -State)", it.Expr)
		}
	}
	t.PrimaryKey = "id"
	for used[t.PrimaryKey] {
		t.PrimaryKey = "view_" + t.PrimaryKey
	}
	t.Columns = append([]*spec.Column{{Name: t.PrimaryKey, Type: "integer"}}, t.Columns...)
	ownerSrc := src.Name + "." + c.owner[src.Name]
	for _, k := range t.MaterializedView.GroupBy {
		if k.Source == ownerSrc && k.Bucket == "" {
			fk := src.fk(c.owner[src.Name])
			if fk == nil {
				break
			}
			t.OwnerVia = k.Column
			t.ForeignKeys = []*spec.ForeignKey{{Column: k.Column, References: fk.RefTable + "." + fk.RefColumn, Expansion: 1}}
		}
	}
	if t.OwnerVia == "" {
		return nil, fmt.Sprintf("it has no key on %s, so its rows' tenant cannot be derived", ownerSrc)
	}
	return t, ""
}

// viewGranted reports whether a GRANT of the SQL names table.
func (c *conv) viewGranted(table string) bool {
	re := regexp.MustCompile(`(?i)\bon\s+(?:table\s+)?(?:[\w]+\.)?` + regexp.QuoteMeta(table) + `\b`)
	for _, g := range c.facts.Grants {
		if re.MatchString(g) {
			return true
		}
	}
	return false
}

// DefaultSample is the fraction a metric on a sampled table reads: the
// reference's SAMPLE 0.1 (its files name a "<table>_sampled" table, not
// the fraction).
const DefaultSample = 0.1

// sampledTable is the table a "<table>_sampled", "<table>_sample" or
// "sampled_<table>" name reads a sample of ("" for other names).
func sampledTable(name string) string {
	for _, suf := range []string{"_sampled", "_sample"} {
		if b, ok := strings.CutSuffix(name, suf); ok && b != "" {
			return b
		}
	}
	if b, ok := strings.CutPrefix(name, "sampled_"); ok && b != "" {
		return b
	}
	return ""
}

// sampleKey returns table's SAMPLE BY key: its integer primary key, else a
// column it adds holding a hash of the primary key (FNV-1a, 31 bits), as
// ClickHouse tables sample by intHash32 of a key.
func (c *conv) sampleKey(table string) string {
	if c.sampleBy == nil {
		c.sampleBy = map[string]string{}
	}
	if k := c.sampleBy[table]; k != "" {
		return k
	}
	t := c.table(table)
	pk := c.pk[table]
	if t.typ(pk) == "integer" {
		c.sampleBy[table] = pk
		return pk
	}
	name := "sample_key"
	for t.col(name) >= 0 {
		name = "_" + name
	}
	pi := t.col(pk)
	t.Columns = append(t.Columns, dbColumn{Name: name, DuckType: "BIGINT"})
	for i, r := range t.Rows {
		h := fnv.New32a()
		fmt.Fprint(h, r[pi])
		t.Rows[i] = append(r, int64(h.Sum32()&0x7fffffff))
	}
	c.sampleBy[table] = name
	c.rep.infer("table %s has no integer key to sample by: added %s.%s, a hash of %s (FNV-1a, 31 bits) per row", table, table, name, pk)
	return name
}
