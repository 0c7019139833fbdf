package oracle

import (
	"fmt"
	"time"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// Window is a half-open date interval [Start, End).
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// TimeWindow resolves a named time range against the domain calendar. This
// is the oracle's own calendar arithmetic; the compiler has its own.
func TimeWindow(cal spec.Calendar, name string) (Window, error) {
	asOf, err := time.Parse(time.DateOnly, cal.AsOf)
	if err != nil {
		return Window{}, fmt.Errorf("as_of %q is not a YYYY-MM-DD date", cal.AsOf)
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	monthStart := day(asOf.Year(), asOf.Month(), 1)
	tomorrow := asOf.AddDate(0, 0, 1)
	// the fiscal month containing asOf starts on the fiscal start day
	fd := cal.FiscalMonthStartDay
	fiscalStart := day(asOf.Year(), asOf.Month(), fd)
	if asOf.Day() < fd {
		fiscalStart = fiscalStart.AddDate(0, -1, 0)
	}
	switch name {
	case "last_month":
		return Window{monthStart.AddDate(0, -1, 0), monthStart}, nil
	case "month_to_date":
		return Window{monthStart, tomorrow}, nil
	case "quarter_to_date":
		q := day(asOf.Year(), time.Month((int(asOf.Month())-1)/3*3+1), 1)
		return Window{q, tomorrow}, nil
	case "last_7_days":
		return Window{asOf.AddDate(0, 0, -6), tomorrow}, nil
	case "last_fiscal_month":
		return Window{fiscalStart.AddDate(0, -1, 0), fiscalStart}, nil
	case "fiscal_ytd":
		// fiscal month m ends in calendar month m; with a start day above 1 it
		// opens on that day of the previous calendar month. The fiscal year
		// in progress opened on the latest such date not after asOf.
		yearStart := func(y int) time.Time {
			if fd > 1 {
				return day(y, time.Month(cal.FiscalYearStartMonth)-1, fd)
			}
			return day(y, time.Month(cal.FiscalYearStartMonth), 1)
		}
		start := yearStart(asOf.Year() + 1)
		for start.After(asOf) {
			start = start.AddDate(-1, 0, 0)
		}
		return Window{start, tomorrow}, nil
	}
	return Window{}, fmt.Errorf("unknown time range %q", name)
}
