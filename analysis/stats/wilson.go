package stats

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Confidence is the level of every interval this package computes.
const Confidence = 0.95

// z is the two-sided standard normal quantile of Confidence.
var z = distuv.UnitNormal.Quantile(1 - (1-Confidence)/2)

// Interval is a rate with its confidence interval and the counts behind it.
type Interval struct {
	K    int     `json:"k"`
	N    int     `json:"n"`
	Rate float64 `json:"rate"`
	Lo   float64 `json:"lo"`
	Hi   float64 `json:"hi"`
}

// Wilson is the Wilson score interval of k successes in n trials at the
// package's Confidence; n = 0 gives the uninformative [0, 1] with rate 0.
func Wilson(k, n int) Interval {
	if n <= 0 {
		return Interval{K: k, N: n, Lo: 0, Hi: 1}
	}
	p := float64(k) / float64(n)
	fn := float64(n)
	z2 := z * z
	den := 1 + z2/fn
	mid := (p + z2/(2*fn)) / den
	half := z * math.Sqrt(p*(1-p)/fn+z2/(4*fn*fn)) / den
	lo, hi := mid-half, mid+half
	// Clamp rounding at the ends: k = 0 has lower bound 0 exactly, k = n
	// upper bound 1.
	if k == 0 || lo < 0 {
		lo = 0
	}
	if k == n || hi > 1 {
		hi = 1
	}
	return Interval{K: k, N: n, Rate: p, Lo: lo, Hi: hi}
}
