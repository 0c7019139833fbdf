package db

import (
	"math"
	"reflect"
	"testing"
	"time"
)

// sameRow is reflect.DeepEqual on the rows a state holds.
func TestSameRowIsDeepEqual(t *testing.T) {
	day := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	cells := []any{nil, int64(1), int64(2), int(1), "a", "b", "", true, false, 1.5, math.NaN(), day, day.Add(time.Hour), []byte("a")}
	for _, x := range cells {
		for _, y := range cells {
			a, b := []any{int64(7), x}, []any{int64(7), y}
			if got, want := sameRow(a, b), reflect.DeepEqual(a, b); got != want {
				t.Errorf("sameRow(%#v, %#v) = %v, reflect.DeepEqual says %v", a, b, got, want)
			}
		}
	}
	if sameRow([]any{int64(1)}, []any{int64(1), nil}) {
		t.Error("rows of different widths are the same")
	}
}
