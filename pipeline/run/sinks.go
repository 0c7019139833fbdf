package run

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/policystrata/policystrata/pipeline/trace"
)

// sinks writes one run directory's streaming outputs: traces.jsonl and
// traces.parquet, or for a shard only its Parquet part (the trace_json
// column holds every JSONL line) with each trace's suite index.
type sinks struct {
	dir     string
	jsonlF  *os.File
	jsonl   *bufio.Writer
	pqF     *os.File
	pq      *trace.ParquetWriter
	shard   *trace.ShardWriter
	summary *trace.Accumulator
}

func openSinks(dir string, sharded bool) (*sinks, error) {
	s := &sinks{dir: dir, summary: trace.NewAccumulator()}
	if err := os.MkdirAll(filepath.Join(dir, "witnesses"), 0o755); err != nil {
		return nil, fmt.Errorf("open sinks: %w", err)
	}
	var err error
	if sharded {
		if s.pqF, err = os.Create(filepath.Join(dir, trace.ShardPart)); err != nil {
			return nil, fmt.Errorf("open sinks: %w", err)
		}
		if s.shard, err = trace.NewShardWriter(struct{ io.Writer }{s.pqF}); err != nil {
			return nil, err
		}
		s.shard.SpillTo(dir)
		return s, nil
	}
	if s.jsonlF, err = os.Create(filepath.Join(dir, "traces.jsonl")); err != nil {
		return nil, fmt.Errorf("open sinks: %w", err)
	}
	s.jsonl = bufio.NewWriterSize(s.jsonlF, 1<<20)
	if s.pqF, err = os.Create(filepath.Join(dir, "traces.parquet")); err != nil {
		return nil, fmt.Errorf("open sinks: %w", err)
	}
	if s.pq, err = trace.NewParquetWriter(struct{ io.Writer }{s.pqF}); err != nil {
		return nil, err
	}
	// a long run's row groups wait in parts, not in the writer's footer
	// (trace.SpillGroups)
	s.pq.SpillTo(dir)
	return s, nil
}

// write records one evaluated task (and its witness, if any).
func (s *sinks) write(it *item) error {
	if it.witness != nil {
		rel := filepath.ToSlash(filepath.Join("witnesses", it.trace.TaskID+".json"))
		if err := os.WriteFile(filepath.Join(s.dir, rel), it.witness, 0o644); err != nil {
			return fmt.Errorf("write witness: %w", err)
		}
		it.trace.WitnessPath = rel
	}
	line, err := trace.CompactJSON(&it.trace)
	if err != nil {
		return fmt.Errorf("encode trace: %w", err)
	}
	if s.shard != nil {
		if err := s.shard.Write(&trace.ShardRecord{Index: int64(it.pos), Trace: &it.trace}, line); err != nil {
			return err
		}
		s.summary.Add(&it.trace)
		return nil
	}
	if _, err := s.jsonl.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("write traces.jsonl: %w", err)
	}
	if err := s.pq.Write(&it.trace, line); err != nil {
		return err
	}
	s.summary.Add(&it.trace)
	return nil
}

func (s *sinks) close() error {
	var first error
	keep := func(err error) {
		if err != nil && first == nil {
			first = err
		}
	}
	if s.jsonl != nil {
		keep(s.jsonl.Flush())
	}
	if s.jsonlF != nil {
		keep(s.jsonlF.Close())
	}
	if s.pq != nil {
		keep(s.pq.Close())
	}
	if s.shard != nil {
		keep(s.shard.Close())
	}
	if s.pqF != nil {
		keep(s.pqF.Close())
	}
	return first
}
