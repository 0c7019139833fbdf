// Package merge joins the shards of a run (run --shard i/n, each written as
// shard=I/ of a hive-partitioned Parquet dataset, possibly on different
// machines) into one run directory whose traces, witnesses, summary.json
// and metadata.json are byte for byte those of the same run on one
// machine. It refuses shards that are not exactly one run's: missing,
// duplicated, of another suite, seed, domain, option set or program, or
// holding overlapping tasks.
package merge

import (
	"bufio"
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/policystrata/policystrata/internal/outdir"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// Tool marks the merged run directory (the marker of every policystrata
// run, so --force may replace it and analyses recognize it).
const Tool = "policystrata"

// Config is one merge.
type Config struct {
	// Dirs are shard directories (shard=I) or dataset roots holding them.
	Dirs []string
	// Out is the run directory to write; Force replaces a previous run.
	Out   string
	Force bool
}

// Report is what a finished merge returns.
type Report struct {
	Out     string
	Shards  int
	Summary trace.Summary
}

// Timings is the merged run.json: each shard's run.json (measured facts,
// never compared) and the merge's own time.
type Timings struct {
	CreatedAt string           `json:"created_at"`
	Tasks     int              `json:"tasks"`
	MergeMS   float64          `json:"merge_ms"`
	Shards    []map[string]any `json:"shards"`
}

// Merge checks the shards of cfg.Dirs and writes the merged run directory.
func Merge(ctx context.Context, cfg Config) (*Report, error) {
	t0 := time.Now()
	if len(cfg.Dirs) == 0 {
		return nil, strictyaml.Errorf("merge", 0, "no shard directories given")
	}
	found, err := discover(cfg.Dirs)
	if err != nil {
		return nil, err
	}
	shards, err := check(found)
	if err != nil {
		return nil, err
	}
	stage, err := outdir.Prepare(cfg.Out, outdir.Options{Tool: Tool, Force: cfg.Force})
	if err != nil {
		return nil, asInputError(err)
	}
	defer stage.Abort()
	sum, err := join(ctx, shards, stage.Dir)
	if err != nil {
		return nil, err
	}
	if err := trace.WriteCanonical(stage.Dir, "summary.json", sum); err != nil {
		return nil, err
	}
	md := shards[0].md
	md["trace_count"] = json.Number(fmt.Sprint(sum.Total))
	if err := trace.WriteCanonical(stage.Dir, "metadata.json", md); err != nil {
		return nil, err
	}
	if m := shards[0].manifest; m != nil {
		if err := os.WriteFile(filepath.Join(stage.Dir, manifestFile), m, 0o644); err != nil {
			return nil, fmt.Errorf("write %s: %w", manifestFile, err)
		}
	}
	tm := Timings{CreatedAt: time.Now().UTC().Format(time.RFC3339), Tasks: sum.Total}
	for _, s := range shards {
		var r map[string]any
		if b, err := os.ReadFile(filepath.Join(s.dir, "run.json")); err == nil {
			r, _ = decodeObject(b)
		}
		tm.Shards = append(tm.Shards, r)
	}
	tm.MergeMS = float64(time.Since(t0).Microseconds()) / 1000
	if err := trace.WriteCanonical(stage.Dir, "run.json", tm); err != nil {
		return nil, err
	}
	if err := stage.Commit(); err != nil {
		return nil, asInputError(err)
	}
	return &Report{Out: cfg.Out, Shards: len(shards), Summary: sum}, nil
}

// head is the next row of one shard in the merge.
type head struct {
	r     row
	shard int
}

// heads is a min-heap of shard heads by suite index.
type heads []head

func (h heads) Len() int { return len(h) }
func (h heads) Less(i, j int) bool {
	if h[i].r.index != h[j].r.index {
		return h[i].r.index < h[j].r.index
	}
	return h[i].shard < h[j].shard
}
func (h heads) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *heads) Push(x any)   { *h = append(*h, x.(head)) }
func (h *heads) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// join streams the shards' traces in suite order into dir (traces.jsonl,
// traces.parquet, witnesses/) and returns their summary. Every suite index
// must appear exactly once, in the shard the partition assigns it to.
func join(ctx context.Context, shards []*shard, dir string) (trace.Summary, error) {
	w, err := openWriter(dir)
	if err != nil {
		return trace.Summary{}, err
	}
	defer w.abort()
	readers := make([]*partReader, len(shards))
	last := make([]int64, len(shards))
	for i, s := range shards {
		paths := make([]string, len(s.info.Parts))
		for j, p := range s.info.Parts {
			paths[j] = filepath.Join(s.dir, p)
		}
		readers[i] = newPartReader(ctx, paths)
		defer readers[i].close()
		last[i] = -1
	}
	h := &heads{}
	advance := func(i int) error {
		r, ok, err := readers[i].next()
		if err != nil || !ok {
			return err
		}
		if r.index <= last[i] {
			return strictyaml.Errorf(readers[i].path, 0, "task_index %d after %d: a shard's traces must be in suite order", r.index, last[i])
		}
		last[i] = r.index
		heap.Push(h, head{r, i})
		return nil
	}
	for i := range readers {
		if err := advance(i); err != nil {
			return trace.Summary{}, err
		}
	}
	n, total := shards[0].info.Shards, shards[0].info.SuiteTasks
	acc := trace.NewAccumulator()
	own := owners{n: n, groups: map[string]*shard{}}
	var next int64
	prevShard := -1
	for h.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return trace.Summary{}, err
		}
		hd := heap.Pop(h).(head)
		s := shards[hd.shard]
		switch {
		case hd.r.index < next:
			return trace.Summary{}, strictyaml.Errorf(s.dir, 0, "overlapping tasks: task %d of the suite is also in %s", hd.r.index, shards[prevShard].dir)
		case hd.r.index > next:
			return trace.Summary{}, strictyaml.Errorf(s.dir, 0, "task %d of the suite is in no shard", next)
		}
		t, err := trace.Decode(hd.r.line)
		if err != nil {
			return trace.Summary{}, strictyaml.Errorf(readers[hd.shard].path, 0, "task %d: %v", hd.r.index, err)
		}
		if err := own.check(s, int(hd.r.index), t); err != nil {
			return trace.Summary{}, err
		}
		if err := w.write(s.dir, t, hd.r.line); err != nil {
			return trace.Summary{}, err
		}
		acc.Add(t)
		next++
		prevShard = hd.shard
		if err := advance(hd.shard); err != nil {
			return trace.Summary{}, err
		}
	}
	if int(next) != total {
		return trace.Summary{}, strictyaml.Errorf(shards[0].dir, 0, "the shards hold tasks 0..%d, but the suite has %d", next-1, total)
	}
	if err := w.close(); err != nil {
		return trace.Summary{}, err
	}
	return acc.Summary(), nil
}

// owners checks that each trace sits in the shard its partition assigns
// it to: task i in the shard whose range holds it, or every task of a
// mutation (operator) in one shard.
type owners struct {
	n      int
	groups map[string]*shard
}

func (o *owners) check(s *shard, idx int, t *trace.Trace) error {
	if s.info.Partition == trace.PartitionRange {
		if lo, hi := trace.RangeOf(s.info.Shard, o.n, s.info.SuiteTasks); idx < lo || idx >= hi {
			return strictyaml.Errorf(s.dir, 0, "overlapping tasks: task %d (%s) is outside shard %d's range %d..%d (partition %s)",
				idx, t.TaskID, s.info.Shard, lo, hi-1, s.info.Partition)
		}
		return nil
	}
	key := trace.GroupKey(t.Mutation)
	if prev, ok := o.groups[key]; !ok {
		o.groups[key] = s
	} else if prev != s {
		return strictyaml.Errorf(s.dir, 0, "overlapping tasks: the tasks of mutation %q are split between %s and %s (partition %s keeps them together)",
			t.Mutation, prev.dir, s.dir, s.info.Partition)
	}
	return nil
}

// writer writes the merged run's traces and witnesses.
type writer struct {
	dir    string
	jsonlF *os.File
	jsonl  *bufio.Writer
	pqF    *os.File
	pq     *trace.ParquetWriter
	closed bool
}

func openWriter(dir string) (*writer, error) {
	w := &writer{dir: dir}
	if err := os.MkdirAll(filepath.Join(dir, "witnesses"), 0o755); err != nil {
		return nil, fmt.Errorf("open merged traces: %w", err)
	}
	var err error
	if w.jsonlF, err = os.Create(filepath.Join(dir, "traces.jsonl")); err != nil {
		return nil, fmt.Errorf("open merged traces: %w", err)
	}
	w.jsonl = bufio.NewWriterSize(w.jsonlF, 1<<20)
	if w.pqF, err = os.Create(filepath.Join(dir, "traces.parquet")); err != nil {
		w.abort()
		return nil, fmt.Errorf("open merged traces: %w", err)
	}
	if w.pq, err = trace.NewParquetWriter(struct{ io.Writer }{w.pqF}); err != nil {
		w.abort()
		return nil, err
	}
	w.pq.SpillTo(dir)
	return w, nil
}

// write appends one trace (line is its JSONL encoding) and copies its
// witness from the shard directory src.
func (w *writer) write(src string, t *trace.Trace, line []byte) error {
	if p := t.WitnessPath; p != "" {
		if !filepath.IsLocal(p) || filepath.Dir(filepath.FromSlash(p)) != "witnesses" {
			return strictyaml.Errorf(src, 0, "task %s: witness path %q is not under witnesses/", t.TaskID, p)
		}
		b, err := os.ReadFile(filepath.Join(src, filepath.FromSlash(p)))
		if err != nil {
			return strictyaml.Errorf(filepath.Join(src, p), 0, "task %s: cannot read its witness: %v", t.TaskID, unwrapPath(err))
		}
		if err := os.WriteFile(filepath.Join(w.dir, filepath.FromSlash(p)), b, 0o644); err != nil {
			return fmt.Errorf("write witness: %w", err)
		}
	}
	if _, err := w.jsonl.Write(line); err != nil {
		return fmt.Errorf("write traces.jsonl: %w", err)
	}
	if err := w.jsonl.WriteByte('\n'); err != nil {
		return fmt.Errorf("write traces.jsonl: %w", err)
	}
	return w.pq.Write(t, line)
}

func (w *writer) close() error {
	w.closed = true
	errs := []error{w.jsonl.Flush(), w.jsonlF.Close(), w.pq.Close(), w.pqF.Close()}
	return errors.Join(errs...)
}

// abort closes the files after a failure (the staging directory goes).
func (w *writer) abort() {
	if w.closed {
		return
	}
	w.closed = true
	if w.jsonlF != nil {
		w.jsonlF.Close()
	}
	if w.pqF != nil {
		w.pqF.Close()
	}
}

// asInputError turns an output refusal into a located input error (exit 2).
func asInputError(err error) error {
	var re *outdir.RefusedError
	if errors.As(err, &re) {
		return strictyaml.Errorf(re.Path, 0, "%s", re.Reason)
	}
	return err
}
