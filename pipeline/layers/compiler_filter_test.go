package layers

import "testing"

// A filter compares the dimension's value in the normalized text form:
// temporal values as typed literals (a month bucket is a timestamp on both
// engines), values outside the normalized form as FALSE, the rest as text.
func TestFilterCond(t *testing.T) {
	for _, tc := range []struct {
		name, typ, value, want string
	}{
		{"month bucket", "date", "2026-05-01", "CAST(x AS DATE) = DATE '2026-05-01'"},
		{"date with a time of day", "date", "2026-05-01 00:00:00", "FALSE"},
		{"date without leading zeros", "date", "2026-5-1", "FALSE"},
		{"not a date", "date", "May", "FALSE"},
		{"timestamp at midnight", "timestamp", "2026-05-01", "CAST(x AS TIMESTAMP) = TIMESTAMP '2026-05-01 00:00:00'"},
		{"timestamp", "timestamp", "2026-05-01 10:11:12", "CAST(x AS TIMESTAMP) = TIMESTAMP '2026-05-01 10:11:12'"},
		{"midnight is written as the date alone", "timestamp", "2026-05-01 00:00:00", "FALSE"},
		{"not a timestamp", "timestamp", "soon", "FALSE"},
		{"text", "text", "o'brien", "CAST(x AS VARCHAR) = 'o''brien'"},
		{"integer", "integer", "42", "CAST(x AS VARCHAR) = '42'"},
		{"boolean", "boolean", "true", "CAST(x AS VARCHAR) = 'true'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := filterCond(tc.typ, "x", tc.value); got != tc.want {
				t.Errorf("filterCond(%s, %q) = %s, want %s", tc.typ, tc.value, got, tc.want)
			}
		})
	}
}
