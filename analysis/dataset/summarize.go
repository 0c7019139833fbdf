package dataset

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/policystrata/policystrata/pipeline/trace"
)

// DecodeTrace decodes one trace_json value strictly.
func DecodeTrace(line []byte) (*trace.Trace, error) {
	var t trace.Trace
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("invalid trace: %w", err)
	}
	return &t, nil
}

// Summaries recomputes the summary of every input from its Parquet traces
// (keyed by input name; the same document as summary.json).
func (s *Set) Summaries(ctx context.Context) (map[string]trace.Summary, error) {
	accs := map[string]*trace.Accumulator{}
	for _, in := range s.Inputs {
		accs[in.Name] = trace.NewAccumulator()
	}
	n := 0
	err := s.EachJSON(ctx, "", func(run string, line []byte) error {
		n++
		t, err := DecodeTrace(line)
		if err != nil {
			return fmt.Errorf("%s: row %d: %w", run, n, err)
		}
		accs[run].Add(t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := map[string]trace.Summary{}
	for k, a := range accs {
		out[k] = a.Summary()
	}
	return out, nil
}
