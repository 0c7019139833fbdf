package stats

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 5e-4 }

func TestWilson(t *testing.T) {
	// Reference values: Wilson score interval, z = 1.959964.
	tests := []struct {
		k, n   int
		lo, hi float64
	}{
		{50, 50, 0.9287, 1},
		{0, 50, 0, 0.0713},
		{5, 10, 0.2366, 0.7634},
		{81, 263, 0.2553, 0.3662},
		{0, 0, 0, 1},
	}
	for _, tc := range tests {
		t.Run("", func(t *testing.T) {
			got := Wilson(tc.k, tc.n)
			if !near(got.Lo, tc.lo) || !near(got.Hi, tc.hi) {
				t.Errorf("Wilson(%d, %d) = [%.4f, %.4f], want [%.4f, %.4f]", tc.k, tc.n, got.Lo, got.Hi, tc.lo, tc.hi)
			}
			if tc.n > 0 && (got.Rate < got.Lo || got.Rate > got.Hi) {
				t.Errorf("rate %.4f outside its interval", got.Rate)
			}
		})
	}
}

func TestMcNemarExact(t *testing.T) {
	tests := []struct {
		b, c int
		p    float64
	}{
		{0, 0, 1},
		{0, 5, 0.0625},   // 2 * 0.5^5
		{1, 10, 0.01172}, // 2 * (1+11)/2048
		{5, 5, 1},
		{0, 20, 1.907e-6},
	}
	for _, tc := range tests {
		t.Run("", func(t *testing.T) {
			got := McNemarExact(tc.b, tc.c)
			if math.Abs(got.P-tc.p) > 1e-5 {
				t.Errorf("McNemarExact(%d, %d).P = %g, want %g", tc.b, tc.c, got.P, tc.p)
			}
		})
	}
}

func TestPaired(t *testing.T) {
	b, c := Paired([]bool{true, true, false, false, true}, []bool{true, false, true, false, false})
	if b != 2 || c != 1 {
		t.Errorf("Paired = %d, %d; want 2, 1", b, c)
	}
}

func TestBootstrapDiff(t *testing.T) {
	first := make([]bool, 100)
	second := make([]bool, 100)
	for i := range first {
		first[i] = i < 90
		second[i] = i < 40
	}
	d := BootstrapDiff(first, second)
	if !near(d.Diff, 0.5) {
		t.Errorf("diff = %v, want 0.5", d.Diff)
	}
	if !(d.Lo < 0.5 && d.Hi > 0.5 && d.Lo > 0.35 && d.Hi < 0.65) {
		t.Errorf("interval [%v, %v] implausible around 0.5", d.Lo, d.Hi)
	}
	if again := BootstrapDiff(first, second); again != d {
		t.Errorf("not deterministic: %v then %v", d, again)
	}
	same := BootstrapDiff(first, first)
	if same.Diff != 0 || same.Lo != 0 || same.Hi != 0 {
		t.Errorf("identical vectors: %+v, want all zero", same)
	}
}
