package spec

import (
	"fmt"
	"time"
)

// TimeRanges are the named time ranges a query may use.
var TimeRanges = []string{"last_month", "last_fiscal_month", "fiscal_ytd", "quarter_to_date", "month_to_date"}

// KnownTimeRange reports whether name is one of TimeRanges.
func KnownTimeRange(name string) bool {
	for _, t := range TimeRanges {
		if t == name {
			return true
		}
	}
	return false
}

// ParseDate parses YYYY-MM-DD in UTC.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid date %q (want YYYY-MM-DD)", s)
	}
	return t, nil
}
