package run

// MaxWitnessTimes bounds the per-witness times kept in run.json.
const MaxWitnessTimes = 100000

// MinimizationTimes is how long witness minimization took, in run.json
// only (witnesses and traces hold no timings, so they stay byte-identical
// across runs and worker counts).
type MinimizationTimes struct {
	Witnesses int `json:"witnesses"`
	// TotalMS sums the minimization time of every witness (worker time,
	// across workers); TaskMS sums every task's whole latency (evaluation
	// and minimization); Share is TotalMS / TaskMS, the share of the
	// workers' time spent minimizing.
	TotalMS  float64 `json:"total_ms"`
	TaskMS   float64 `json:"task_ms"`
	Share    float64 `json:"share_of_task_time"`
	MedianMS float64 `json:"median_ms"`
	// WitnessMS is each witness's minimization time by task id (at most
	// MaxWitnessTimes entries; Truncated is set when more were left out).
	WitnessMS map[string]float64 `json:"witness_ms"`
	Truncated bool               `json:"truncated,omitempty"`
	// ReplaysExecuted and ReplaysMemoized count the minimizer's replays
	// that ran through the layers and those its memo answered.
	ReplaysExecuted int64 `json:"replays_executed"`
	ReplaysMemoized int64 `json:"replays_memoized"`
	// FinalReplays counts the witnesses replayed once more after their
	// reduction to record every layer's output (the memo keeps only
	// detections); the others reuse their last accepted replay's
	// observation.
	FinalReplays int64 `json:"final_replays"`
}

// minimizeTimes accumulates MinimizationTimes in task order.
type minimizeTimes struct {
	n     int
	total float64
	lat   latencies
	per   map[string]float64
	trunc bool
}

func (m *minimizeTimes) add(it *item) {
	if it.witness == nil {
		return
	}
	v := ms(it.minimize)
	m.n++
	m.total += v
	m.lat.add(v)
	if m.per == nil {
		m.per = map[string]float64{}
	}
	if len(m.per) < MaxWitnessTimes {
		m.per[it.trace.TaskID] = v
	} else {
		m.trunc = true
	}
}

func (m *minimizeTimes) report(tasks *latencies) *MinimizationTimes {
	r := &MinimizationTimes{Witnesses: m.n, TotalMS: m.total, TaskMS: tasks.sum, WitnessMS: m.per, Truncated: m.trunc}
	if r.WitnessMS == nil {
		r.WitnessMS = map[string]float64{}
	}
	if tasks.sum > 0 {
		r.Share = m.total / tasks.sum
	}
	if m.n > 0 {
		r.MedianMS = m.lat.quantile(0.5)
	}
	return r
}
