package gate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/policystrata/policystrata/pipeline/strictyaml"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// LoadSummary reads a run's summary: path is a run directory holding
// summary.json, or a summary file itself (committed baselines are bare
// summary files).
func LoadSummary(path string) (trace.Summary, error) {
	st, err := os.Stat(path)
	if err != nil {
		return trace.Summary{}, strictyaml.Errorf(path, 0, "no run directory or summary file")
	}
	file := path
	if st.IsDir() {
		file = filepath.Join(path, "summary.json")
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return trace.Summary{}, strictyaml.Errorf(file, 0, "not a run directory (no summary.json)")
	}
	sm, err := ParseSummary(b)
	if err != nil {
		return sm, strictyaml.Errorf(file, 0, "%v", err)
	}
	return sm, nil
}

// ParseSummary decodes summary JSON strictly: unknown fields, a missing
// per-operator table or a negative count are errors.
func ParseSummary(b []byte) (trace.Summary, error) {
	var sm trace.Summary
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sm); err != nil {
		return sm, fmt.Errorf("invalid summary: %w", err)
	}
	if sm.ByOperator == nil {
		return sm, fmt.Errorf("invalid summary: no by_operator")
	}
	neg := func(c trace.Counts) bool {
		return c.Tasks < 0 || c.Killed < 0 || c.Survived < 0 || c.Equivalent < 0 || c.Invalid < 0 || c.CleanControls < 0 || c.FalsePositives < 0
	}
	if neg(trace.Counts{Tasks: sm.Total, Killed: sm.Killed, Survived: sm.Survived, Equivalent: sm.Equivalent, Invalid: sm.Invalid,
		CleanControls: sm.CleanControls, FalsePositives: sm.FalsePositives}) {
		return sm, fmt.Errorf("invalid summary: negative count")
	}
	for op, c := range sm.ByOperator {
		if c == nil || neg(*c) {
			return sm, fmt.Errorf("invalid summary: operator %q: missing or negative counts", op)
		}
	}
	return sm, nil
}
