package stats

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// McNemar is the exact McNemar test of two binary outcomes on the same
// items: B counts items the first caught and the second missed, C the
// reverse. P is the two-sided exact binomial p-value of min(B, C) under
// Binomial(B+C, 1/2), capped at 1; with B+C = 0 it is 1.
type McNemar struct {
	B int     `json:"b"`
	C int     `json:"c"`
	P float64 `json:"p"`
}

// McNemarExact tests the discordant counts b and c.
func McNemarExact(b, c int) McNemar {
	n := b + c
	if n == 0 {
		return McNemar{B: b, C: c, P: 1}
	}
	k := min(b, c)
	bin := distuv.Binomial{N: float64(n), P: 0.5}
	p := math.Min(1, 2*bin.CDF(float64(k)))
	return McNemar{B: b, C: c, P: p}
}

// Paired counts the discordant pairs of two outcome vectors of equal
// length: b where first[i] && !second[i], c where second[i] && !first[i].
func Paired(first, second []bool) (b, c int) {
	for i := range first {
		switch {
		case first[i] && !second[i]:
			b++
		case second[i] && !first[i]:
			c++
		}
	}
	return b, c
}
