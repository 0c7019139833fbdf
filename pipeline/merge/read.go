package merge

import (
	"context"
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// readBatch is how many rows a shard reader decodes at once.
const readBatch = 256

// row is one trace of a shard: its suite index and JSONL line.
type row struct {
	index int64
	line  []byte
}

// partReader streams the (task_index, trace_json) rows of one shard's
// Parquet parts, in file order, one record batch in memory at a time.
type partReader struct {
	ctx   context.Context
	paths []string
	f     *os.File
	rr    pqarrow.RecordReader
	rec   arrow.RecordBatch
	idx   *array.Int64
	lines *array.String
	pos   int
	path  string
}

func newPartReader(ctx context.Context, paths []string) *partReader {
	return &partReader{ctx: ctx, paths: paths}
}

// next returns the next row; ok is false at the end.
func (r *partReader) next() (row, bool, error) {
	for r.rec == nil || r.pos >= int(r.rec.NumRows()) {
		if r.rec != nil {
			r.rec.Release()
			r.rec = nil
		}
		if r.rr != nil && r.rr.Next() {
			r.rec = r.rr.RecordBatch()
			r.rec.Retain()
			r.pos = 0
			var ok bool
			if r.idx, ok = column(r.rec, "task_index").(*array.Int64); !ok {
				return row{}, false, strictyaml.Errorf(r.path, 0, "task_index is not an integer column")
			}
			if r.lines, ok = column(r.rec, "trace_json").(*array.String); !ok {
				return row{}, false, strictyaml.Errorf(r.path, 0, "trace_json is not a text column")
			}
			continue
		}
		if r.rr != nil {
			if err := r.rr.Err(); err != nil {
				return row{}, false, strictyaml.Errorf(r.path, 0, "read shard traces: %v", err)
			}
			r.closeFile()
		}
		if len(r.paths) == 0 {
			return row{}, false, nil
		}
		if err := r.open(r.paths[0]); err != nil {
			return row{}, false, err
		}
		r.paths = r.paths[1:]
	}
	i := r.pos
	r.pos++
	if r.idx.IsNull(i) || r.lines.IsNull(i) {
		return row{}, false, strictyaml.Errorf(r.path, 0, "row %d: null task_index or trace_json", i)
	}
	return row{index: r.idx.Value(i), line: []byte(r.lines.Value(i))}, true, nil
}

// column is rec's column called name (nil when absent).
func column(rec arrow.RecordBatch, name string) arrow.Array {
	is := rec.Schema().FieldIndices(name)
	if len(is) != 1 {
		return nil
	}
	return rec.Column(is[0])
}

func (r *partReader) open(path string) error {
	r.path = path
	f, err := os.Open(path)
	if err != nil {
		return strictyaml.Errorf(path, 0, "cannot open shard part: %v", unwrapPath(err))
	}
	r.f = f
	pf, err := file.NewParquetReader(f)
	if err != nil {
		return strictyaml.Errorf(path, 0, "not a Parquet file: %v", err)
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: readBatch}, memory.DefaultAllocator)
	if err != nil {
		return strictyaml.Errorf(path, 0, "read Parquet: %v", err)
	}
	schema, err := fr.Schema()
	if err != nil {
		return strictyaml.Errorf(path, 0, "read Parquet schema: %v", err)
	}
	var cols []int
	for _, name := range []string{"task_index", "trace_json"} {
		is := schema.FieldIndices(name)
		if len(is) != 1 {
			return strictyaml.Errorf(path, 0, "not a shard part: no %s column", name)
		}
		cols = append(cols, is[0])
	}
	if r.rr, err = fr.GetRecordReader(r.ctx, cols, nil); err != nil {
		return strictyaml.Errorf(path, 0, "read Parquet: %v", err)
	}
	return nil
}

func (r *partReader) closeFile() {
	if r.rr != nil {
		r.rr.Release()
		r.rr = nil
	}
	if r.f != nil {
		r.f.Close()
		r.f = nil
	}
}

// close releases everything the reader holds.
func (r *partReader) close() {
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
	r.closeFile()
}

// String names the part being read (for messages).
func (r *partReader) String() string { return fmt.Sprint(r.path) }
