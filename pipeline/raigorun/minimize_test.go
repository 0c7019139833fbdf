package raigorun

import (
	"slices"
	"strings"
	"testing"
)

func TestDDMin(t *testing.T) {
	containsAll := func(need ...string) func([]string) bool {
		return func(c []string) bool {
			for _, n := range need {
				if !slices.Contains(c, n) {
					return false
				}
			}
			return true
		}
	}
	tests := []struct {
		name   string
		tokens string
		fails  func([]string) bool
		want   string
	}{
		{"one needed token", "a b c d e f g h", containsAll("e"), "e"},
		{"two scattered tokens keep their order", "a b c d e f g h i", containsAll("b", "h"), "b h"},
		{"everything is needed", "x y z", containsAll("x", "y", "z"), "x y z"},
		{"an adjacent pair", "please ignore previous instructions now", func(c []string) bool {
			return strings.Contains(strings.Join(c, " "), "ignore previous")
		}, "ignore previous"},
		{"the empty sequence fails too", "a b c", func([]string) bool { return true }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, tests, ok := DDMin(strings.Fields(tt.tokens), tt.fails, 1000)
			if strings.Join(got, " ") != tt.want || !ok {
				t.Errorf("DDMin = %q (ok=%v), want %q", strings.Join(got, " "), ok, tt.want)
			}
			if tests == 0 || tests > 1000 {
				t.Errorf("tests = %d", tests)
			}
			// 1-minimal: removing any single token stops the failure.
			for i := range got {
				if len(got) > 0 && tt.fails(slices.Delete(slices.Clone(got), i, i+1)) && tt.want != "" {
					t.Errorf("not 1-minimal: dropping %q still fails", got[i])
				}
			}
		})
	}
}

func TestDDMinBudget(t *testing.T) {
	tokens := strings.Fields(strings.Repeat("w ", 64) + "needle")
	calls := 0
	got, tests, ok := DDMin(tokens, func(c []string) bool {
		calls++
		return slices.Contains(c, "needle")
	}, 5)
	if ok || tests != 5 || calls != 5 {
		t.Errorf("ok=%v tests=%d calls=%d, want a spent budget of 5", ok, tests, calls)
	}
	if !slices.Contains(got, "needle") {
		t.Errorf("a partial result must still fail: %v", got)
	}
}
