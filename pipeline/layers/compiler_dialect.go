package layers

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// zeroArgCount matches ClickHouse's count() (no argument), which
// PostgreSQL's parser rejects for an aggregate.
var zeroArgCount = regexp.MustCompile(`(?i)\bcount\(\s*\)`)

// lowerExpr lowers a metric expression of the domain's dialect to the SQL
// both engines run: ClickHouse functions stay as they are (the engines
// provide them as macros), and count() becomes count(*), which ClickHouse
// also accepts.
func lowerExpr(p *spec.Policy, expr string) string {
	if p.SQLDialect() != spec.DialectClickHouse {
		return expr
	}
	return zeroArgCount.ReplaceAllString(expr, "count(*)")
}

// uniqCall matches ClickHouse's exact distinct counts, uniqExact(x) and
// uniqExactIf(x, cond).
var uniqCall = regexp.MustCompile(`(?i)\buniqExact(If)?\(`)

// uniqAsCount is the fault of uniq_as_count: uniqExact(x) lowered as
// count(x) and uniqExactIf(x, cond) as countIf(x, cond), so every row with
// a value counts, not every distinct value.
func uniqAsCount(expr string) string {
	return uniqCall.ReplaceAllString(expr, "count$1(")
}

// timeZoneOf is the SQL of the time zone a row's time column is read in:
// the tenancy time zone column when the policy names one and the metric's
// time column is a timestamp, else "".
func timeZoneOf(d *spec.Domain, m *spec.Metric) string {
	tz := d.Policy.Tenancy.Timezone
	if tz == "" {
		return ""
	}
	t, c, _ := spec.SplitQualified(m.TimeColumn)
	if col := d.Schema.Table(t).Column(c); col == nil || col.Type != "timestamp" {
		return ""
	}
	return tz
}

// localTimeExpr is the SQL of m's time column on the wall clock of zone
// tz (a column or a literal): toDateTime in the ClickHouse dialect,
// timezone() otherwise. Without a zone it is the column itself.
func localTimeExpr(p *spec.Policy, m *spec.Metric, tz string) string {
	switch {
	case tz == "":
		return m.TimeColumn
	case p.SQLDialect() == spec.DialectClickHouse:
		return fmt.Sprintf("toDateTime(%s, %s)", m.TimeColumn, tz)
	}
	return fmt.Sprintf("timezone(%s, timezone('UTC', %s))", tz, m.TimeColumn)
}

// dimExpr lowers a dimension's column template for metric m: {time_column}
// is the metric's time column and {timezone} the zone its buckets are
// read in (tz: the tenancy time zone column, or a literal).
func dimExpr(dim *spec.Dimension, m *spec.Metric, tz string) string {
	out := strings.ReplaceAll(dim.Column, "{time_column}", m.TimeColumn)
	return strings.ReplaceAll(out, "{timezone}", tz)
}

// sampleFraction renders a SAMPLE fraction as a SQL literal.
func sampleFraction(f float64) string {
	return strconv.FormatFloat(f, 'g', -1, 64)
}
