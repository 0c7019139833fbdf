package dataset

import (
	"context"
	"fmt"

	"github.com/policystrata/policystrata/pipeline/trace"
)

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
		t, err := trace.Decode(line)
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
