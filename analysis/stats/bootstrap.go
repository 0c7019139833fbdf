package stats

import (
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/stat"
)

// BootstrapSeed seeds every bootstrap, so that tables are byte-identical
// across runs.
const BootstrapSeed = 20260626

// BootstrapRounds is how many resamples a bootstrap draws.
const BootstrapRounds = 2000

// Diff is the difference of two paired rates (first minus second) with a
// percentile bootstrap interval at the package's Confidence.
type Diff struct {
	N    int     `json:"n"`
	Diff float64 `json:"diff"`
	Lo   float64 `json:"lo"`
	Hi   float64 `json:"hi"`
}

// BootstrapDiff resamples items (pairs) with replacement and returns the
// percentile interval of mean(first) - mean(second). The two vectors must
// have the same length; an empty input gives a zero difference with [0, 0].
func BootstrapDiff(first, second []bool) Diff {
	n := len(first)
	if n == 0 || len(second) != n {
		return Diff{N: n}
	}
	d := make([]float64, n)
	for i := range first {
		d[i] = b2f(first[i]) - b2f(second[i])
	}
	obs := stat.Mean(d, nil)
	rng := rand.New(rand.NewPCG(BootstrapSeed, uint64(n)))
	means := make([]float64, BootstrapRounds)
	for r := range means {
		s := 0.0
		for range n {
			s += d[rng.IntN(n)]
		}
		means[r] = s / float64(n)
	}
	sort.Float64s(means)
	alpha := (1 - Confidence) / 2
	lo := stat.Quantile(alpha, stat.Empirical, means, nil)
	hi := stat.Quantile(1-alpha, stat.Empirical, means, nil)
	return Diff{N: n, Diff: obs, Lo: lo, Hi: hi}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
