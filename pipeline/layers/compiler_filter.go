package layers

import (
	"fmt"
	"time"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// dimensionType is the portable type of a dimension's values: date for a
// time bucket (month or day; a bucket is a calendar date whatever the time
// column's type), else its source column's schema type (text when the
// schema does not say).
func dimensionType(d *spec.Domain, dim *spec.Dimension) string {
	if dim.Bucket != "" {
		return "date"
	}
	t, c, _ := spec.SplitQualified(dim.Source)
	if tab := d.Schema.Table(t); tab != nil {
		if col := tab.Column(c); col != nil {
			return col.Type
		}
	}
	return "text"
}

// filterCond lowers a user filter: a row matches when the dimension's
// value (the SQL expression expr, of portable type typ) written in the
// normalized text form every engine's results are compared in (integers in
// decimal, booleans as true/false, dates as YYYY-MM-DD, timestamps as
// YYYY-MM-DD HH:MM:SS, or YYYY-MM-DD at midnight) equals value.
//
// Text, integer and boolean values compare as text: CAST(... AS VARCHAR)
// gives that form on both engines. Dates and timestamps do not (a month
// bucket is a timestamp, which casts with its time of day; PostgreSQL's
// date text depends on DateStyle), so they compare as typed values: value
// is parsed as the normalized form, and a value that is not in it can match
// no row (FALSE), since no value renders to it.
func filterCond(typ, expr, value string) string {
	switch typ {
	case "date":
		if day, err := time.Parse(time.DateOnly, value); err == nil && day.Format(time.DateOnly) == value {
			return fmt.Sprintf("CAST(%s AS DATE) = DATE %s", expr, quoteLiteral(value))
		}
		return "FALSE"
	case "timestamp":
		if ts, ok := parseTimestamp(value); ok {
			return fmt.Sprintf("CAST(%s AS TIMESTAMP) = TIMESTAMP %s", expr, quoteLiteral(ts.Format(time.DateTime)))
		}
		return "FALSE"
	}
	return fmt.Sprintf("CAST(%s AS VARCHAR) = %s", expr, quoteLiteral(value))
}

// parseTimestamp parses a timestamp in the normalized text form: the date
// alone at midnight, the date and time otherwise.
func parseTimestamp(value string) (time.Time, bool) {
	if day, err := time.Parse(time.DateOnly, value); err == nil && day.Format(time.DateOnly) == value {
		return day, true
	}
	ts, err := time.Parse(time.DateTime, value)
	if err != nil || ts.Format(time.DateTime) != value || ts.Equal(ts.Truncate(24*time.Hour)) {
		return time.Time{}, false
	}
	return ts, true
}
