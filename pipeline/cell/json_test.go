package cell

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestJSONRoundTrip(t *testing.T) {
	ts := time.Date(2026, 5, 31, 23, 59, 58, 123456789, time.UTC)
	for _, tc := range []struct {
		typ  string
		v    any
		want string
	}{
		{"integer", int64(9007199254740993), "9007199254740993"}, // beyond float64's exact range
		{"integer", int64(-4), "-4"},
		{"integer", nil, "null"},
		{"text", "a \"quoted\" é", `"a \"quoted\" é"`},
		{"text", "", `""`},
		{"boolean", true, "true"},
		{"date", time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), `"2026-02-01"`},
		{"timestamp", ts, `"2026-05-31T23:59:58.123456789Z"`},
		{"timestamp", time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), `"2026-02-01T00:00:00Z"`},
	} {
		t.Run(tc.typ+"/"+tc.want, func(t *testing.T) {
			raw, err := ToJSON(tc.typ, tc.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(raw) != tc.want {
				t.Fatalf("encoded %s, want %s", raw, tc.want)
			}
			back, err := FromJSON(tc.typ, raw)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, tc.v) {
				t.Fatalf("round trip gave %#v (%T), want %#v (%T)", back, back, tc.v, tc.v)
			}
		})
	}
}

func TestJSONErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		typ  string
		v    any
		raw  string
	}{
		{"int as text", "text", int64(1), ""},
		{"string as integer", "integer", "1", ""},
		{"date with a time", "date", time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC), ""},
		{"unknown type", "blob", "x", ""},
		{"float integer", "integer", nil, "1.5"},
		{"bad date", "date", nil, `"2026-13-01"`},
		{"number as text", "text", nil, "3"},
		{"string as boolean", "boolean", nil, `"true"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.raw == "" {
				if _, err := ToJSON(tc.typ, tc.v); err == nil {
					t.Fatal("ToJSON accepted it")
				}
				return
			}
			if _, err := FromJSON(tc.typ, json.RawMessage(tc.raw)); err == nil {
				t.Fatal("FromJSON accepted it")
			}
		})
	}
}
