package oracle_test

import (
	"testing"
	"time"

	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/spec"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestTimeWindow checks every named range against dates worked out by hand.
func TestTimeWindow(t *testing.T) {
	// support_saas: fiscal months start on the 26th; fiscal February
	// ([Jan 26, Feb 26)) opens the fiscal year. The fiscal month holding
	// 2026-06-15 is [May 26, Jun 26).
	support := spec.Calendar{AsOf: "2026-06-15", FiscalMonthStartDay: 26, FiscalYearStartMonth: 2}
	calendarMonths := spec.Calendar{AsOf: "2026-06-15", FiscalMonthStartDay: 1, FiscalYearStartMonth: 2}
	tests := []struct {
		name       string
		cal        spec.Calendar
		rng        string
		start, end string
	}{
		{"support last_month", support, "last_month", "2026-05-01", "2026-06-01"},
		{"support month_to_date", support, "month_to_date", "2026-06-01", "2026-06-16"},
		{"support quarter_to_date", support, "quarter_to_date", "2026-04-01", "2026-06-16"},
		{"support last_fiscal_month", support, "last_fiscal_month", "2026-04-26", "2026-05-26"},
		{"support fiscal_ytd", support, "fiscal_ytd", "2026-01-26", "2026-06-16"},

		{"day 1 last_month", calendarMonths, "last_month", "2026-05-01", "2026-06-01"},
		{"day 1 month_to_date", calendarMonths, "month_to_date", "2026-06-01", "2026-06-16"},
		{"day 1 quarter_to_date", calendarMonths, "quarter_to_date", "2026-04-01", "2026-06-16"},
		{"day 1 last_fiscal_month is last_month", calendarMonths, "last_fiscal_month", "2026-05-01", "2026-06-01"},
		{"day 1 fiscal_ytd", calendarMonths, "fiscal_ytd", "2026-02-01", "2026-06-16"},

		// as_of on the fiscal start day: a new fiscal month has begun
		{"on start day last_fiscal_month", spec.Calendar{AsOf: "2026-06-26", FiscalMonthStartDay: 26, FiscalYearStartMonth: 2}, "last_fiscal_month", "2026-05-26", "2026-06-26"},
		{"day before start day last_fiscal_month", spec.Calendar{AsOf: "2026-06-25", FiscalMonthStartDay: 26, FiscalYearStartMonth: 2}, "last_fiscal_month", "2026-04-26", "2026-05-26"},
		// January: ranges cross the year boundary
		{"january last_month", spec.Calendar{AsOf: "2026-01-10", FiscalMonthStartDay: 26, FiscalYearStartMonth: 2}, "last_month", "2025-12-01", "2026-01-01"},
		{"january last_fiscal_month", spec.Calendar{AsOf: "2026-01-10", FiscalMonthStartDay: 26, FiscalYearStartMonth: 2}, "last_fiscal_month", "2025-11-26", "2025-12-26"},
		{"january quarter_to_date", spec.Calendar{AsOf: "2026-01-10", FiscalMonthStartDay: 26, FiscalYearStartMonth: 2}, "quarter_to_date", "2026-01-01", "2026-01-11"},
		// fiscal year 2025 (fiscal Feb 2025 .. fiscal Jan 2026) still runs
		{"before fiscal year start", spec.Calendar{AsOf: "2026-01-10", FiscalMonthStartDay: 26, FiscalYearStartMonth: 2}, "fiscal_ytd", "2025-01-26", "2026-01-11"},
		{"on fiscal year start", spec.Calendar{AsOf: "2026-01-26", FiscalMonthStartDay: 26, FiscalYearStartMonth: 2}, "fiscal_ytd", "2026-01-26", "2026-01-27"},
		{"day before fiscal year start", spec.Calendar{AsOf: "2026-01-25", FiscalMonthStartDay: 26, FiscalYearStartMonth: 2}, "fiscal_ytd", "2025-01-26", "2026-01-26"},
		// fiscal January with start day 26 opens on Dec 26 of the year before
		{"fiscal january year", spec.Calendar{AsOf: "2026-03-01", FiscalMonthStartDay: 26, FiscalYearStartMonth: 1}, "fiscal_ytd", "2025-12-26", "2026-03-02"},
		{"fiscal january last_fiscal_month", spec.Calendar{AsOf: "2026-03-01", FiscalMonthStartDay: 26, FiscalYearStartMonth: 1}, "last_fiscal_month", "2026-01-26", "2026-02-26"},
		{"calendar year on new year's day", spec.Calendar{AsOf: "2026-01-01", FiscalMonthStartDay: 1, FiscalYearStartMonth: 1}, "fiscal_ytd", "2026-01-01", "2026-01-02"},
		{"new year's day last_fiscal_month", spec.Calendar{AsOf: "2026-01-01", FiscalMonthStartDay: 1, FiscalYearStartMonth: 1}, "last_fiscal_month", "2025-12-01", "2026-01-01"},
		{"year end quarter", spec.Calendar{AsOf: "2026-12-31", FiscalMonthStartDay: 1, FiscalYearStartMonth: 7}, "quarter_to_date", "2026-10-01", "2027-01-01"},
		{"july fiscal year", spec.Calendar{AsOf: "2026-12-31", FiscalMonthStartDay: 1, FiscalYearStartMonth: 7}, "fiscal_ytd", "2026-07-01", "2027-01-01"},
		{"july fiscal year before start", spec.Calendar{AsOf: "2026-06-30", FiscalMonthStartDay: 1, FiscalYearStartMonth: 7}, "fiscal_ytd", "2025-07-01", "2026-07-01"},
		{"start day 28 in march", spec.Calendar{AsOf: "2026-03-15", FiscalMonthStartDay: 28, FiscalYearStartMonth: 2}, "last_fiscal_month", "2026-01-28", "2026-02-28"},
		{"leap day month_to_date", spec.Calendar{AsOf: "2028-02-29", FiscalMonthStartDay: 1, FiscalYearStartMonth: 1}, "month_to_date", "2028-02-01", "2028-03-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := oracle.TimeWindow(tt.cal, tt.rng)
			if err != nil {
				t.Fatal(err)
			}
			want := oracle.Window{Start: day(tt.start), End: day(tt.end)}
			if !w.Start.Equal(want.Start) || !w.End.Equal(want.End) || w.Start.Location() != time.UTC || w.End.Location() != time.UTC {
				t.Errorf("TimeWindow(%+v, %s) = [%s, %s), want [%s, %s)", tt.cal, tt.rng,
					w.Start.Format(time.DateOnly), w.End.Format(time.DateOnly), tt.start, tt.end)
			}
		})
	}
	t.Run("every named range resolves", func(t *testing.T) {
		for _, r := range spec.TimeRanges {
			if _, err := oracle.TimeWindow(support, r); err != nil {
				t.Errorf("TimeWindow(%s): %v", r, err)
			}
		}
	})
	t.Run("errors", func(t *testing.T) {
		if _, err := oracle.TimeWindow(support, "last_week"); err == nil || err.Error() != `unknown time range "last_week"` {
			t.Errorf("unknown range: %v", err)
		}
		if _, err := oracle.TimeWindow(spec.Calendar{AsOf: "June 15", FiscalMonthStartDay: 1, FiscalYearStartMonth: 1}, "last_month"); err == nil {
			t.Errorf("bad as_of: no error")
		}
	})
}

// TestTimeWindowProperties checks invariants over every day of 2026 and every
// allowed fiscal start day.
func TestTimeWindowProperties(t *testing.T) {
	for fd := 1; fd <= 28; fd++ {
		for fy := 1; fy <= 12; fy += 5 {
			for d := day("2026-01-01"); d.Year() == 2026; d = d.AddDate(0, 0, 1) {
				cal := spec.Calendar{AsOf: d.Format(time.DateOnly), FiscalMonthStartDay: fd, FiscalYearStartMonth: fy}
				tomorrow := d.AddDate(0, 0, 1)
				lf, _ := oracle.TimeWindow(cal, "last_fiscal_month")
				// the current fiscal month [lf.End, lf.End+1 month) holds as_of
				if lf.End.Day() != fd || lf.Start.Day() != fd || !lf.Start.Equal(lf.End.AddDate(0, -1, 0)) ||
					d.Before(lf.End) || !d.Before(lf.End.AddDate(0, 1, 0)) {
					t.Fatalf("%+v: last_fiscal_month = [%s, %s)", cal, lf.Start.Format(time.DateOnly), lf.End.Format(time.DateOnly))
				}
				ytd, _ := oracle.TimeWindow(cal, "fiscal_ytd")
				if fy == 1 && fd > 1 && d.Month() == time.December && d.Day() >= fd {
					continue // known bug: TestTimeWindowFiscalYearStartingInDecember
				}
				// the fiscal year starts on the fiscal start day of fiscal month fy,
				// which ends in calendar month fy, at most a year before as_of
				fiscalMonthEnd := ytd.Start.AddDate(0, 1, 0)
				if fd == 1 {
					fiscalMonthEnd = ytd.Start
				}
				if !ytd.End.Equal(tomorrow) || ytd.Start.After(d) || !ytd.Start.After(d.AddDate(-1, 0, 0)) ||
					ytd.Start.Day() != fd || int(fiscalMonthEnd.Month()) != fy {
					t.Fatalf("%+v: fiscal_ytd = [%s, %s)", cal, ytd.Start.Format(time.DateOnly), ytd.End.Format(time.DateOnly))
				}
				for _, r := range []string{"month_to_date", "quarter_to_date"} {
					w, _ := oracle.TimeWindow(cal, r)
					if !w.End.Equal(tomorrow) || w.Start.Day() != 1 || w.Start.After(d) || (r == "quarter_to_date" && (w.Start.Month()-1)%3 != 0) {
						t.Fatalf("%+v: %s = [%s, %s)", cal, r, w.Start.Format(time.DateOnly), w.End.Format(time.DateOnly))
					}
				}
			}
		}
	}
}

// TestTimeWindowFiscalYearStartingInDecember: with fiscal_year_start_month 1
// and a start day above 1, fiscal January opens on that day of December of
// the previous calendar year, so from that day on as_of is already in the
// next fiscal year.
func TestTimeWindowFiscalYearStartingInDecember(t *testing.T) {
	cal := spec.Calendar{AsOf: "2026-12-28", FiscalMonthStartDay: 26, FiscalYearStartMonth: 1}
	w, err := oracle.TimeWindow(cal, "fiscal_ytd")
	if err != nil {
		t.Fatal(err)
	}
	if !w.Start.Equal(day("2026-12-26")) || !w.End.Equal(day("2026-12-29")) {
		t.Errorf("fiscal_ytd = [%s, %s), want [2026-12-26, 2026-12-29)", w.Start.Format(time.DateOnly), w.End.Format(time.DateOnly))
	}
}
