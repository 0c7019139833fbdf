// Package figures draws the evidence figures with gonum/plot, as PDF and
// PNG: per-operator kill rates with Wilson intervals, baseline catch rate
// against false-positive rate, and the witness-size distribution.
package figures

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/policystrata/policystrata/analysis/baselines"
	"github.com/policystrata/policystrata/analysis/dataset"
	"github.com/policystrata/policystrata/analysis/stats"
	"github.com/policystrata/policystrata/pipeline/catalog"
)

// Formats are the file formats every figure is saved in.
var Formats = []string{"pdf", "png"}

// Figure is a named plot.
type Figure struct {
	Name          string
	Plot          *plot.Plot
	Width, Height vg.Length
}

// Build draws every figure over set; br is the baselines report of set.
func Build(ctx context.Context, set *dataset.Set, br baselines.Report) ([]Figure, error) {
	ops, err := operatorFigure(ctx, set)
	if err != nil {
		return nil, err
	}
	sizes, err := witnessFigure(set)
	if err != nil {
		return nil, err
	}
	return []Figure{ops, baselineFigure(br), sizes}, nil
}

// PDFDate stamps every PDF's creation and modification dates, so that the
// same figures give the same bytes.
var PDFDate = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

var pdfOnce sync.Once

// Save writes every figure into dir in every format.
func Save(dir string, figs []Figure) error {
	pdfOnce.Do(func() {
		fpdf.SetDefaultCreationDate(PDFDate)
		fpdf.SetDefaultModificationDate(PDFDate)
		fpdf.SetDefaultCatalogSort(true)
	})
	for _, f := range figs {
		for _, ext := range Formats {
			if err := f.Plot.Save(f.Width, f.Height, filepath.Join(dir, f.Name+"."+ext)); err != nil {
				return fmt.Errorf("save figure %s: %w", f.Name, err)
			}
		}
	}
	return nil
}

func operatorFigure(ctx context.Context, set *dataset.Set) (Figure, error) {
	rows, err := set.DB.QueryContext(ctx, `SELECT mutation, count(*) FILTER (WHERE accounting_status = 'killed'),
		count(*) FILTER (WHERE accounting_status IN ('killed', 'survived', 'equivalent'))
		FROM traces WHERE mutation <> 'none' GROUP BY mutation`)
	if err != nil {
		return Figure{}, fmt.Errorf("operator figure: %w", err)
	}
	defer rows.Close()
	type op struct {
		id   string
		k, n int
	}
	var ops []op
	for rows.Next() {
		var o op
		if err := rows.Scan(&o.id, &o.k, &o.n); err != nil {
			return Figure{}, fmt.Errorf("operator figure: %w", err)
		}
		ops = append(ops, o)
	}
	if err := rows.Err(); err != nil {
		return Figure{}, err
	}
	ids := catalog.IDs()
	idx := func(s string) int {
		if i := slices.Index(ids, s); i >= 0 {
			return i
		}
		return len(ids)
	}
	sort.Slice(ops, func(i, j int) bool {
		if idx(ops[i].id) != idx(ops[j].id) {
			return idx(ops[i].id) < idx(ops[j].id)
		}
		return ops[i].id < ops[j].id
	})
	p := plot.New()
	p.Title.Text = "Kill rate per operator (killed / injected, Wilson 95%)"
	p.Y.Label.Text = "kill rate"
	p.Y.Min, p.Y.Max = 0, 1.05
	vals := make(plotter.Values, len(ops))
	errs := make(plotter.YErrors, len(ops))
	pts := make(plotter.XYs, len(ops))
	names := make([]string, len(ops))
	for i, o := range ops {
		w := stats.Wilson(o.k, o.n)
		vals[i] = w.Rate
		errs[i] = struct{ Low, High float64 }{w.Rate - w.Lo, w.Hi - w.Rate}
		pts[i].X, pts[i].Y = float64(i), w.Rate
		names[i] = fmt.Sprintf("%s (n=%d)", o.id, o.n)
	}
	if len(ops) > 0 {
		bars, err := plotter.NewBarChart(vals, vg.Points(8))
		if err != nil {
			return Figure{}, fmt.Errorf("operator figure: %w", err)
		}
		p.Add(bars)
		eb, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{pts, errs})
		if err != nil {
			return Figure{}, fmt.Errorf("operator figure: %w", err)
		}
		p.Add(eb)
		p.NominalX(names...)
		p.X.Tick.Label.Rotation = 1.2
		p.X.Tick.Label.XAlign = -1
		p.X.Tick.Label.YAlign = -0.5
	}
	return Figure{Name: "operator_kill_rates", Plot: p, Width: 10 * vg.Inch, Height: 6 * vg.Inch}, nil
}

func baselineFigure(br baselines.Report) Figure {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Catch rate (%d mutants) vs false-positive rate (%d controls)", br.Mutants, br.Controls)
	p.X.Label.Text = "false-positive rate on clean and adversarial controls"
	p.Y.Label.Text = "catch rate"
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = -0.02, 1, 0, 1.05
	rows := append([]baselines.Row{br.Detector}, br.Rows...)
	pts := make(plotter.XYs, len(rows))
	labels := make([]string, len(rows))
	errs := make(plotter.YErrors, len(rows))
	for i, r := range rows {
		fp := stats.Wilson(r.CleanFP.K+r.AdversarialFP.K, r.CleanFP.N+r.AdversarialFP.N)
		pts[i].X, pts[i].Y = fp.Rate, r.Caught.Rate
		errs[i] = struct{ Low, High float64 }{r.Caught.Rate - r.Caught.Lo, r.Caught.Hi - r.Caught.Rate}
		labels[i] = r.Name
	}
	if s, err := plotter.NewScatter(pts); err == nil {
		p.Add(s)
	}
	if eb, err := plotter.NewYErrorBars(struct {
		plotter.XYs
		plotter.YErrors
	}{pts, errs}); err == nil {
		p.Add(eb)
	}
	if l, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: labels}); err == nil {
		p.Add(l)
	}
	return Figure{Name: "baselines_catch_vs_fp", Plot: p, Width: 8 * vg.Inch, Height: 6 * vg.Inch}
}

func witnessFigure(set *dataset.Set) (Figure, error) {
	var sizes plotter.Values
	for _, in := range set.Inputs {
		for _, wd := range set.WitnessDirs(in.Name) {
			_ = filepath.WalkDir(wd, func(p string, e fs.DirEntry, err error) error {
				if err == nil && !e.IsDir() {
					if st, err := e.Info(); err == nil {
						sizes = append(sizes, float64(st.Size())/1024)
					}
				}
				return nil
			})
		}
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Witness size (%d witnesses)", len(sizes))
	p.X.Label.Text = "witness file size (KiB)"
	p.Y.Label.Text = "witnesses"
	if len(sizes) > 0 {
		h, err := plotter.NewHist(sizes, 30)
		if err != nil {
			return Figure{}, fmt.Errorf("witness figure: %w", err)
		}
		p.Add(h)
	}
	return Figure{Name: "witness_sizes", Plot: p, Width: 7 * vg.Inch, Height: 4.5 * vg.Inch}, nil
}
