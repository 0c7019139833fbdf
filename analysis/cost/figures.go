package cost

import (
	"fmt"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/policystrata/policystrata/analysis/figures"
)

// ScalingFigures draws throughput and peak memory against suite size over
// measured runs of one suite at several sizes (runs without a peak-memory
// file are left out of the memory figure).
func ScalingFigures(ms []Measured) ([]figures.Figure, error) {
	s := append([]Measured{}, ms...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].Tasks < s[j].Tasks })
	var tp, mem plotter.XYs
	for _, m := range s {
		tp = append(tp, plotter.XY{X: float64(m.Tasks), Y: m.TracesPerSecond()})
		if m.PeakRSSKiB > 0 {
			mem = append(mem, plotter.XY{X: float64(m.Tasks), Y: float64(m.PeakRSSKiB) / 1024})
		}
	}
	a, err := line("Throughput against suite size (measured)", "traces per second", tp)
	if err != nil {
		return nil, err
	}
	b, err := line("Peak memory against suite size (measured)", "peak RSS (MiB)", mem)
	if err != nil {
		return nil, err
	}
	return []figures.Figure{{Name: "scaling_throughput", Plot: a, Width: 5 * vg.Inch, Height: 3 * vg.Inch},
		{Name: "scaling_memory", Plot: b, Width: 5 * vg.Inch, Height: 3 * vg.Inch}}, nil
}

func line(title, ylabel string, pts plotter.XYs) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = fmt.Sprintf("tasks in the suite (%d runs)", len(pts))
	p.Y.Label.Text = ylabel
	p.Y.Min = 0
	if len(pts) == 0 {
		return p, nil
	}
	l, s, err := plotter.NewLinePoints(pts)
	if err != nil {
		return nil, fmt.Errorf("scaling figure: %w", err)
	}
	p.Add(l, s)
	return p, nil
}
