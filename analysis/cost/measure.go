package cost

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/policystrata/policystrata/analysis/table"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// RSSSuffix names the peak-memory file of a run: RUN + RSSSuffix beside
// the run directory holds its peak resident set size in KiB, as
// `/usr/bin/time -f %M -o RUN.maxrss-kb` writes it (outside the run
// directory, so the run's own files stay comparable).
const RSSSuffix = ".maxrss-kb"

// Measured is one run's measured cost.
type Measured struct {
	Run string `json:"run"`
	// Tasks and TotalMS come from run.json ("tasks", "total_ms"); Workers
	// too when recorded.
	Tasks   int     `json:"tasks"`
	Workers int     `json:"workers,omitempty"`
	TotalMS float64 `json:"total_ms"`
	// PeakRSSKiB is 0 when the run has no peak-memory file.
	PeakRSSKiB int64 `json:"peak_rss_kib"`
}

// TracesPerSecond is the run's throughput (0 without a time).
func (m Measured) TracesPerSecond() float64 {
	if m.TotalMS <= 0 {
		return 0
	}
	return float64(m.Tasks) / m.TotalMS * 1000
}

// Measure reads a run directory's run.json counters and peak-memory file.
// It reads only "tasks", "total_ms" and "workers", whatever else run.json
// holds, so it keeps working while the run's other counters change.
func Measure(name, dir string) (Measured, error) {
	m := Measured{Run: name}
	p := filepath.Join(dir, "run.json")
	b, err := os.ReadFile(p)
	if err != nil {
		return m, strictyaml.Errorf(dir, 0, "not a run directory (no run.json)")
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		return m, strictyaml.Errorf(p, 0, "invalid run.json: %v", err)
	}
	num := func(k string) (float64, bool) {
		v, ok := c[k].(float64)
		return v, ok
	}
	tasks, ok := num("tasks")
	if !ok {
		return m, strictyaml.Errorf(p, 0, "run.json records no tasks count")
	}
	if m.TotalMS, ok = num("total_ms"); !ok {
		return m, strictyaml.Errorf(p, 0, "run.json records no total_ms")
	}
	m.Tasks = int(tasks)
	if w, ok := num("workers"); ok {
		m.Workers = int(w)
	}
	rp := filepath.Clean(dir) + RSSSuffix
	if b, err := os.ReadFile(rp); err == nil {
		// /usr/bin/time may precede the number with a status line
		f := strings.Fields(string(b))
		if len(f) == 0 {
			return m, strictyaml.Errorf(rp, 0, "empty peak-memory file")
		}
		if m.PeakRSSKiB, err = strconv.ParseInt(f[len(f)-1], 10, 64); err != nil {
			return m, strictyaml.Errorf(rp, 0, "peak memory %q is not a KiB count", f[len(f)-1])
		}
	}
	return m, nil
}

// MeasuredTable renders measured runs.
func MeasuredTable(name, caption string, ms []Measured) table.Table {
	t := table.Table{Name: name, Caption: caption, Align: "lrrrrr",
		Header: []string{"Run", "Tasks", "Workers", "Wall s", "Traces per second", "Peak RSS MiB"},
		Notes:  "Measured (run.json's total_ms; peak resident set size from /usr/bin/time): these vary by machine and load and are not part of the compared evidence."}
	for _, m := range ms {
		rss := "-"
		if m.PeakRSSKiB > 0 {
			rss = fmt.Sprintf("%.1f", float64(m.PeakRSSKiB)/1024)
		}
		w := "-"
		if m.Workers > 0 {
			w = fmt.Sprint(m.Workers)
		}
		t.Rows = append(t.Rows, []string{m.Run, fmt.Sprint(m.Tasks), w, fmt.Sprintf("%.1f", m.TotalMS/1000), fmt.Sprintf("%.2f", m.TracesPerSecond()), rss})
	}
	return t
}
