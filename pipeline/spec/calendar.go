package spec

import (
	"fmt"
	"slices"
	"time"
)

// TimeRanges are the calendar time ranges every domain's queries may name.
var TimeRanges = []string{"last_month", "last_fiscal_month", "fiscal_ytd", "quarter_to_date", "month_to_date"}

// RollingTimeRanges are the rolling day windows (ending on the as-of date)
// a query may name; a domain's vocabulary holds those its roles grant.
var RollingTimeRanges = []string{"last_7_days"}

// KnownTimeRange reports whether name is one of TimeRanges or
// RollingTimeRanges.
func KnownTimeRange(name string) bool {
	return slices.Contains(TimeRanges, name) || slices.Contains(RollingTimeRanges, name)
}

// ParseDate parses YYYY-MM-DD in UTC.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid date %q (want YYYY-MM-DD)", s)
	}
	return t, nil
}
