// Package minreport reports how well a run's witnesses were minimized: per
// witness the original and minimal bytes, the query (IR) and state
// reduction, the replays spent, the time taken (from run.json) and whether
// the witness is 1-minimal, with totals and medians.
package minreport

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/policystrata/policystrata/pipeline/replay"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// Formats lists the report formats.
func Formats() []string { return []string{"markdown", "json"} }

// Witness is one witness's line of the report.
type Witness struct {
	TaskID          string   `json:"task_id"`
	OriginalBytes   int      `json:"original_bytes"`
	MinimalBytes    int      `json:"minimal_bytes"`
	IRBefore        int      `json:"ir_features_before"`
	IRAfter         int      `json:"ir_features_after"`
	StateRowsBefore int      `json:"state_rows_before"`
	StateRowsAfter  int      `json:"state_rows_after"`
	StateReduction  float64  `json:"state_reduction"`
	Attempts        int      `json:"attempts"`
	StateReused     bool     `json:"state_reused"`
	TimeMS          *float64 `json:"time_ms"`
	OneMinimal      bool     `json:"one_minimal"`
}

// Totals summarize every witness of the run.
type Totals struct {
	Witnesses            int     `json:"witnesses"`
	OneMinimal           int     `json:"one_minimal"`
	OriginalBytes        int     `json:"original_bytes"`
	MinimalBytes         int     `json:"minimal_bytes"`
	MedianStateReduction float64 `json:"median_state_reduction"`
	MedianBytesReduction float64 `json:"median_bytes_reduction"`
	MedianIRBefore       float64 `json:"median_ir_features_before"`
	MedianIRAfter        float64 `json:"median_ir_features_after"`
	Attempts             int     `json:"attempts"`
	MedianAttempts       float64 `json:"median_attempts"`
	StateReused          int     `json:"state_reused"`
	// TimeMS and MedianTimeMS come from run.json (null when it holds none);
	// Share is the minimization share of the workers' task time.
	TimeMS       *float64 `json:"time_ms"`
	MedianTimeMS *float64 `json:"median_time_ms"`
	Share        *float64 `json:"minimization_share"`
}

// Report is the minimization report of one run directory.
type Report struct {
	Run       string    `json:"run"`
	Totals    Totals    `json:"totals"`
	Witnesses []Witness `json:"witnesses"`
}

// runTimes is the part of run.json the report reads.
type runTimes struct {
	Minimization *struct {
		TotalMS   float64            `json:"total_ms"`
		Share     float64            `json:"share_of_task_time"`
		WitnessMS map[string]float64 `json:"witness_ms"`
	} `json:"minimization"`
}

// Build reads the witnesses of run directory dir (and run.json's times).
func Build(dir string) (*Report, error) {
	wdir := filepath.Join(dir, "witnesses")
	entries, err := os.ReadDir(wdir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, strictyaml.Errorf(dir, 0, "not a run directory with witnesses (no witnesses/)")
		}
		return nil, fmt.Errorf("read witnesses: %w", err)
	}
	var rt runTimes
	if b, err := os.ReadFile(filepath.Join(dir, "run.json")); err == nil {
		if err := json.Unmarshal(b, &rt); err != nil {
			return nil, strictyaml.Errorf(filepath.Join(dir, "run.json"), 0, "invalid run.json: %v", err)
		}
	}
	rep := &Report{Run: dir, Witnesses: []Witness{}}
	var red, bred, irb, ira, att, tms []float64
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) != ".json" {
			continue
		}
		path := filepath.Join(wdir, e.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read witness: %w", err)
		}
		w, err := replay.Parse(path, data)
		if err != nil {
			return nil, err
		}
		m := w.Minimization
		if m == nil {
			return nil, strictyaml.Errorf(path, 0, "witness has no minimization record")
		}
		x := Witness{TaskID: w.TaskID, OriginalBytes: m.OriginalBytes, MinimalBytes: len(data), IRBefore: m.IRFeaturesBefore, IRAfter: m.IRFeaturesAfter,
			StateRowsBefore: m.StateRowsBefore, StateRowsAfter: m.StateRowsAfter, Attempts: m.Attempts, StateReused: m.StateReused, OneMinimal: m.OneMinimal}
		if m.StateRowsBefore > 0 {
			x.StateReduction = 1 - float64(m.StateRowsAfter)/float64(m.StateRowsBefore)
		}
		if rt.Minimization != nil {
			if v, ok := rt.Minimization.WitnessMS[w.TaskID]; ok {
				x.TimeMS = &v
				tms = append(tms, v)
			}
		}
		t := &rep.Totals
		t.Witnesses++
		if x.OneMinimal {
			t.OneMinimal++
		}
		if x.StateReused {
			t.StateReused++
		}
		t.OriginalBytes += x.OriginalBytes
		t.MinimalBytes += x.MinimalBytes
		t.Attempts += x.Attempts
		red = append(red, x.StateReduction)
		if x.OriginalBytes > 0 {
			bred = append(bred, 1-float64(x.MinimalBytes)/float64(x.OriginalBytes))
		}
		irb = append(irb, float64(x.IRBefore))
		ira = append(ira, float64(x.IRAfter))
		att = append(att, float64(x.Attempts))
		rep.Witnesses = append(rep.Witnesses, x)
	}
	sort.Slice(rep.Witnesses, func(i, j int) bool { return rep.Witnesses[i].TaskID < rep.Witnesses[j].TaskID })
	t := &rep.Totals
	t.MedianStateReduction, t.MedianBytesReduction = median(red), median(bred)
	t.MedianIRBefore, t.MedianIRAfter, t.MedianAttempts = median(irb), median(ira), median(att)
	if rt.Minimization != nil {
		total, share := rt.Minimization.TotalMS, rt.Minimization.Share
		t.TimeMS, t.Share = &total, &share
		if len(tms) > 0 {
			m := median(tms)
			t.MedianTimeMS = &m
		}
	}
	return rep, nil
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64{}, v...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Write renders rep in format (markdown or json).
func Write(w io.Writer, rep *Report, format string) error {
	switch format {
	case "json":
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	case "markdown":
		writeMarkdown(w, rep)
		return nil
	}
	return fmt.Errorf("unknown format %q (%v)", format, Formats())
}

func pct(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }

func optMS(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.1f ms", *v)
}

func writeMarkdown(w io.Writer, rep *Report) {
	t := rep.Totals
	fmt.Fprintf(w, "# Minimization report: %s\n\n", rep.Run)
	fmt.Fprintf(w, "| measure | value |\n| --- | --- |\n")
	fmt.Fprintf(w, "| witnesses | %d |\n", t.Witnesses)
	fmt.Fprintf(w, "| 1-minimal | %d of %d |\n", t.OneMinimal, t.Witnesses)
	fmt.Fprintf(w, "| median state reduction (rows) | %s |\n", pct(t.MedianStateReduction))
	fmt.Fprintf(w, "| median size reduction (bytes) | %s |\n", pct(t.MedianBytesReduction))
	fmt.Fprintf(w, "| bytes, original → minimal (all witnesses) | %d → %d |\n", t.OriginalBytes, t.MinimalBytes)
	fmt.Fprintf(w, "| median IR features, before → after | %.1f → %.1f |\n", t.MedianIRBefore, t.MedianIRAfter)
	fmt.Fprintf(w, "| replays, total (median per witness) | %d (%.1f) |\n", t.Attempts, t.MedianAttempts)
	fmt.Fprintf(w, "| witnesses started from their shape's earlier minimal state | %d |\n", t.StateReused)
	fmt.Fprintf(w, "| minimization time, total (median per witness) | %s (%s) |\n", optMS(t.TimeMS), optMS(t.MedianTimeMS))
	if t.Share != nil {
		fmt.Fprintf(w, "| minimization share of the workers' task time | %s |\n", pct(*t.Share))
	}
	fmt.Fprintf(w, "\n| witness | bytes (original → minimal) | IR features | state rows | state reduction | replays | reused | time | 1-minimal |\n")
	fmt.Fprintf(w, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, x := range rep.Witnesses {
		fmt.Fprintf(w, "| `%s` | %d → %d | %d → %d | %d → %d | %s | %d | %v | %s | %v |\n", x.TaskID, x.OriginalBytes, x.MinimalBytes,
			x.IRBefore, x.IRAfter, x.StateRowsBefore, x.StateRowsAfter, pct(x.StateReduction), x.Attempts, yes(x.StateReused), optMS(x.TimeMS), yes(x.OneMinimal))
	}
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
