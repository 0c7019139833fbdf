package db

import (
	"fmt"
	"strings"
	"sync"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// The functions SQLite lacks, registered on every connection of the SQLite
// engine with DuckDB's semantics (and ClickHouse's, for the names of that
// dialect, as the DuckDB macros and PostgreSQL functions define them):
//
//	date_trunc(part, t)     t truncated to year, quarter, month, week
//	                        (Monday), day or hour: a timestamp (an
//	                        instant stays an instant)
//	timezone(zone, t)       a timestamp without zone read as the wall
//	                        clock of zone gives the instant (written with
//	                        +00:00); an instant gives zone's wall clock
//	toDateTime(t, zone)     timezone(zone, timezone('UTC', t))
//	toDate(t[, zone])       the date of t (of its wall clock in zone)
//	sampleHash32(k)         (k * 2654435761) mod 2^32
//	inSample(k, f)          sampleHash32(k) < f * 2^32
//	uniqExact(x)            count(DISTINCT x)
//	uniqExactIf(x, c)       count(DISTINCT CASE WHEN c THEN x END)
//	countIf(c), countIf(x, c)
//
// Dates are YYYY-MM-DD text and timestamps YYYY-MM-DD HH:MM:SS text (the
// engine's storage form); instants carry a +00:00 suffix. A NULL argument
// gives NULL, and the aggregates skip NULL values, as on DuckDB
// (TestSQLiteFunctionsTakeNullAsDuckDBDoes).

const (
	sqliteDate      = "2006-01-02"
	sqliteTimestamp = "2006-01-02 15:04:05"
	sqliteInstant   = "2006-01-02 15:04:05-07:00"
)

// sqlNull is v as the functions see SQL NULL: the driver passes a NULL
// argument of an interface-typed parameter as a nil []byte, not as nil
// (an empty BLOB is a non-nil empty slice).
func sqlNull(v any) any {
	if b, ok := v.([]byte); ok && b == nil {
		return nil
	}
	return v
}

// parseSQLiteTime reads a stored date, timestamp or instant.
func parseSQLiteTime(v any) (t time.Time, kind byte, ok bool) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case []byte:
		s = string(x)
	case time.Time:
		return x.UTC(), 't', true
	default:
		return time.Time{}, 0, false
	}
	s = strings.Replace(s, "T", " ", 1)
	if t, err := time.Parse(sqliteDate, s); err == nil {
		return t, 'd', true
	}
	if t, err := time.Parse(sqliteInstant, s); err == nil {
		return t.UTC(), 'i', true
	}
	if t, err := time.Parse("2006-01-02 15:04:05.999999999", s); err == nil {
		return t, 't', true
	}
	return time.Time{}, 0, false
}

func formatSQLiteTime(t time.Time, kind byte) string {
	switch kind {
	case 'd':
		return t.Format(sqliteDate)
	case 'i':
		return t.UTC().Format(sqliteInstant)
	}
	return t.Format(sqliteTimestamp)
}

func sqliteDateTrunc(partArg any, v any) (any, error) {
	partArg, v = sqlNull(partArg), sqlNull(v)
	if partArg == nil {
		return nil, nil
	}
	part, ok := partArg.(string)
	if !ok {
		return nil, fmt.Errorf("date_trunc: part is not text")
	}
	t, kind, ok := parseSQLiteTime(v)
	if !ok {
		if v == nil {
			return nil, nil
		}
		return nil, fmt.Errorf("date_trunc: not a date or timestamp: %v", v)
	}
	var out time.Time
	switch strings.ToLower(part) {
	case "year":
		out = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	case "quarter":
		out = time.Date(t.Year(), time.Month((int(t.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
	case "month":
		out = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	case "week":
		wd := (int(t.Weekday()) + 6) % 7
		out = time.Date(t.Year(), t.Month(), t.Day()-wd, 0, 0, 0, 0, time.UTC)
	case "day":
		out = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	case "hour":
		out = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 0, 0, 0, time.UTC)
	default:
		return nil, fmt.Errorf("date_trunc: unsupported part %q", part)
	}
	if kind == 'd' {
		// DuckDB truncates a date to a timestamp
		kind = 't'
	}
	return formatSQLiteTime(out, kind), nil
}

var (
	zoneMu    sync.Mutex
	zoneCache = map[string]*time.Location{}
)

func loadZone(name string) (*time.Location, error) {
	zoneMu.Lock()
	defer zoneMu.Unlock()
	if loc, ok := zoneCache[name]; ok {
		return loc, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zoneCache[name] = loc
	return loc, nil
}

func sqliteTimezone(zone any, v any) (any, error) {
	zone, v = sqlNull(zone), sqlNull(v)
	if zone == nil || v == nil {
		return nil, nil
	}
	z, ok := zone.(string)
	if !ok {
		return nil, fmt.Errorf("timezone: zone is not text")
	}
	loc, err := loadZone(z)
	if err != nil {
		return nil, fmt.Errorf("timezone: %w", err)
	}
	t, kind, ok := parseSQLiteTime(v)
	if !ok {
		return nil, fmt.Errorf("timezone: not a timestamp: %v", v)
	}
	if kind == 'i' {
		return t.In(loc).Format(sqliteTimestamp), nil
	}
	wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
	return formatSQLiteTime(wall, 'i'), nil
}

func sqliteToDateTime(v any, zone any) (any, error) {
	inst, err := sqliteTimezone("UTC", v)
	if err != nil || inst == nil {
		return inst, err
	}
	return sqliteTimezone(zone, inst)
}

func sqliteToDate(v any) (any, error) {
	v = sqlNull(v)
	t, _, ok := parseSQLiteTime(v)
	if !ok {
		if v == nil {
			return nil, nil
		}
		return nil, fmt.Errorf("toDate: not a timestamp: %v", v)
	}
	return t.Format(sqliteDate), nil
}

func sqliteToDateZone(v any, zone any) (any, error) {
	local, err := sqliteToDateTime(v, zone)
	if err != nil || local == nil {
		return local, err
	}
	return sqliteToDate(local)
}

func sampleHash(k int64) int64 { return (k * 2654435761) % 4294967296 }

// sampleKey reads function name's sample key: an integer, or NULL (ok
// false, no error).
func sampleKey(name string, v any) (k int64, ok bool, err error) {
	switch x := sqlNull(v).(type) {
	case nil:
		return 0, false, nil
	case int64:
		return x, true, nil
	}
	return 0, false, fmt.Errorf("%s: argument must be an INTEGER", name)
}

func sqliteSampleHash(v any) (any, error) {
	k, ok, err := sampleKey("sampleHash32", v)
	if !ok {
		return nil, err
	}
	return sampleHash(k), nil
}

func sqliteInSample(v any, f float64) (any, error) {
	k, ok, err := sampleKey("inSample", v)
	if !ok {
		return nil, err
	}
	return float64(sampleHash(k)) < f*4294967296, nil
}

// truthy is SQLite's truth of a value passed to a function.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case int64:
		return x != 0
	case float64:
		return x != 0
	case bool:
		return x
	}
	return false
}

func distinctKey(v any) string { return fmt.Sprintf("%T:%v", v, v) }

type uniqAgg struct{ seen map[string]bool }

func (u *uniqAgg) Step(x any) {
	if x = sqlNull(x); x == nil {
		return
	}
	if u.seen == nil {
		u.seen = map[string]bool{}
	}
	u.seen[distinctKey(x)] = true
}
func (u *uniqAgg) Done() int64 { return int64(len(u.seen)) }

type uniqIfAgg struct{ uniqAgg }

func (u *uniqIfAgg) Step(x any, cond any) {
	if truthy(cond) {
		u.uniqAgg.Step(x)
	}
}

type countIfAgg struct{ n int64 }

func (c *countIfAgg) Step(cond any) {
	if truthy(cond) {
		c.n++
	}
}
func (c *countIfAgg) Done() int64 { return c.n }

type countIfValueAgg struct{ n int64 }

func (c *countIfValueAgg) Step(x any, cond any) {
	if sqlNull(x) != nil && truthy(cond) {
		c.n++
	}
}
func (c *countIfValueAgg) Done() int64 { return c.n }

// registerSQLiteFuncs installs the functions on a new connection.
func registerSQLiteFuncs(c *sqlite3.SQLiteConn) error {
	funcs := []struct {
		name string
		impl any
	}{
		{"date_trunc", sqliteDateTrunc},
		{"timezone", sqliteTimezone},
		{"toDateTime", sqliteToDateTime},
		{"toDate", sqliteToDate},
		{"toDate", sqliteToDateZone},
		{"sampleHash32", sqliteSampleHash},
		{"inSample", sqliteInSample},
	}
	for _, f := range funcs {
		if err := c.RegisterFunc(f.name, f.impl, true); err != nil {
			return fmt.Errorf("register %s: %w", f.name, err)
		}
	}
	aggs := []struct {
		name string
		impl any
	}{
		{"uniqExact", func() *uniqAgg { return &uniqAgg{} }},
		{"uniqExactIf", func() *uniqIfAgg { return &uniqIfAgg{} }},
		{"countIf", func() *countIfAgg { return &countIfAgg{} }},
		{"countIf", func() *countIfValueAgg { return &countIfValueAgg{} }},
	}
	for _, a := range aggs {
		if err := c.RegisterAggregator(a.name, a.impl, true); err != nil {
			return fmt.Errorf("register %s: %w", a.name, err)
		}
	}
	return nil
}
