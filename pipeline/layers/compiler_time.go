package layers

import (
	"errors"
	"fmt"
	"time"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// errUnknownRange is compilerWindow's error for a time range name it has
// no arithmetic for.
var errUnknownRange = errors.New("unknown time range")

// compilerWindow resolves a time range to [start, end) dates as the compiler
// lowers them. calendarFiscal is the fault that treats fiscal months as
// calendar months.
func compilerWindow(cal spec.Calendar, name string, calendarFiscal bool) ([2]string, error) {
	asOf, err := time.Parse("2006-01-02", cal.AsOf)
	if err != nil {
		return [2]string{}, fmt.Errorf("compile: as_of: %w", err)
	}
	first := asOf.AddDate(0, 0, 1-asOf.Day())
	end := asOf.AddDate(0, 0, 1)
	fmtd := func(a, b time.Time) [2]string { return [2]string{a.Format("2006-01-02"), b.Format("2006-01-02")} }
	startDay := cal.FiscalMonthStartDay
	if calendarFiscal {
		startDay = 1
	}
	// current fiscal month start
	fstart := time.Date(asOf.Year(), asOf.Month(), startDay, 0, 0, 0, 0, time.UTC)
	if asOf.Day() < startDay {
		fstart = fstart.AddDate(0, -1, 0)
	}
	switch name {
	case "last_month":
		return fmtd(first.AddDate(0, -1, 0), first), nil
	case "month_to_date":
		return fmtd(first, end), nil
	case "last_7_days":
		return fmtd(asOf.AddDate(0, 0, -6), end), nil
	case "quarter_to_date":
		qm := time.Month(((int(asOf.Month())-1)/3)*3 + 1)
		return fmtd(time.Date(asOf.Year(), qm, 1, 0, 0, 0, 0, time.UTC), end), nil
	case "last_fiscal_month":
		return fmtd(fstart.AddDate(0, -1, 0), fstart), nil
	case "fiscal_ytd":
		// the fiscal year opens with fiscal month FiscalYearStartMonth, which
		// starts startDay of the calendar month before it (startDay > 1); try
		// next year's opening first and step back until it is not after asOf
		m, y := time.Month(cal.FiscalYearStartMonth), asOf.Year()+1
		if startDay > 1 {
			m--
		}
		ys := time.Date(y, m, startDay, 0, 0, 0, 0, time.UTC)
		for ys.After(asOf) {
			ys = ys.AddDate(-1, 0, 0)
		}
		return fmtd(ys, end), nil
	}
	return [2]string{}, fmt.Errorf("compile: %w %q", errUnknownRange, name)
}
