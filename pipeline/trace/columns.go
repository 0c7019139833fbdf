package trace

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// RowGroupSize is how many records a Parquet row group holds; a writer
// flushes a group as soon as it fills, so memory does not grow with the run.
const RowGroupSize = 1024

// RowGroupBytes bounds the JSONL bytes of the records one row group holds:
// a group is flushed before it would pass this size, so a few huge records
// make small groups instead of one past Arrow's 2 GiB string-array limit.
const RowGroupBytes = 64 << 20

// Column is one flat Parquet column of records of type T; make one with
// StringColumn, BoolColumn, Int64Column or LineColumn.
type Column[T any] struct {
	name   string
	typ    arrow.DataType
	append func(b array.Builder, r *T, line []byte)
	// plain turns dictionary encoding off: a column whose every value is
	// distinct (the JSONL line) would only fill a dictionary page, copy
	// the row group's values into the encoder's table and fall back to
	// plain encoding
	plain bool
}

// StringColumn is a text column holding get(r).
func StringColumn[T any](name string, get func(r *T) string) Column[T] {
	return Column[T]{name: name, typ: arrow.BinaryTypes.String, append: func(b array.Builder, r *T, _ []byte) {
		b.(*array.StringBuilder).Append(get(r))
	}}
}

// BoolColumn is a boolean column holding get(r).
func BoolColumn[T any](name string, get func(r *T) bool) Column[T] {
	return Column[T]{name: name, typ: arrow.FixedWidthTypes.Boolean, append: func(b array.Builder, r *T, _ []byte) {
		b.(*array.BooleanBuilder).Append(get(r))
	}}
}

// Int64Column is an integer column holding get(r).
func Int64Column[T any](name string, get func(r *T) int64) Column[T] {
	return Column[T]{name: name, typ: arrow.PrimitiveTypes.Int64, append: func(b array.Builder, r *T, _ []byte) {
		b.(*array.Int64Builder).Append(get(r))
	}}
}

// LineColumn is a text column holding the record's JSONL line, so that a
// Parquet row carries the full record byte for byte.
func LineColumn[T any](name string) Column[T] {
	return Column[T]{name: name, typ: arrow.BinaryTypes.String, plain: true, append: func(b array.Builder, _ *T, line []byte) {
		// the embedded binary builder copies the bytes: no string of
		// the line is made
		b.(*array.StringBuilder).BinaryBuilder.Append(line)
	}}
}

// Schema is the Arrow schema of cols, in order.
func Schema[T any](cols []Column[T]) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.typ}
	}
	return arrow.NewSchema(fields, nil)
}

// ColumnWriter streams records of type T into a Parquet file (zstd,
// deterministic bytes), one row group per RowGroupSize records or
// RowGroupBytes bytes, whichever fills first.
type ColumnWriter[T any] struct {
	cols    []Column[T]
	schema  *arrow.Schema
	fw      *pqarrow.FileWriter
	b       *array.RecordBuilder
	pending int
	// bytes counts the JSONL bytes of the pending records
	bytes int
	// spill, when set, takes the row groups past the first SpillGroups
	// (SpillTo)
	spill *spiller
}

// NewColumnWriter starts a Parquet file of cols on w; createdBy names the
// writing program in the file's metadata.
func NewColumnWriter[T any](w io.Writer, createdBy string, cols []Column[T]) (*ColumnWriter[T], error) {
	if err := useLowMemZstd(); err != nil {
		return nil, fmt.Errorf("open parquet: %w", err)
	}
	schema := Schema(cols)
	opts := []parquet.WriterProperty{
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithCreatedBy(createdBy),
		parquet.WithMaxRowGroupLength(RowGroupSize),
	}
	for _, c := range cols {
		if c.plain {
			opts = append(opts, parquet.WithDictionaryFor(c.name, false))
		}
	}
	props := parquet.NewWriterProperties(opts...)
	fw, err := pqarrow.NewFileWriter(schema, w, props, pqarrow.NewArrowWriterProperties())
	if err != nil {
		return nil, fmt.Errorf("open parquet: %w", err)
	}
	return &ColumnWriter[T]{cols: cols, schema: schema, fw: fw, b: array.NewRecordBuilder(memory.DefaultAllocator, schema)}, nil
}

// Write appends one record; line is its JSONL encoding.
func (p *ColumnWriter[T]) Write(r *T, line []byte) error {
	if p.pending > 0 && p.bytes+len(line) > RowGroupBytes {
		if err := p.flush(); err != nil {
			return err
		}
	}
	for i, c := range p.cols {
		c.append(p.b.Field(i), r, line)
	}
	p.pending++
	p.bytes += len(line)
	if p.pending >= RowGroupSize || p.bytes >= RowGroupBytes {
		return p.flush()
	}
	return nil
}

func (p *ColumnWriter[T]) flush() error {
	if p.pending == 0 {
		return nil
	}
	// the next group is sized like this one: each text column's value
	// buffer is reserved once instead of doubling its way up (which
	// allocated twice the group's text, a quarter of a run's allocation)
	sizes := make([]int, len(p.cols))
	for i := range p.cols {
		if sb, ok := p.b.Field(i).(*array.StringBuilder); ok {
			sizes[i] = sb.DataLen()
		}
	}
	n := p.pending
	rec := p.b.NewRecordBatch()
	defer rec.Release()
	p.pending, p.bytes = 0, 0
	for i, size := range sizes {
		if size > 0 {
			sb := p.b.Field(i).(*array.StringBuilder)
			sb.Reserve(n)
			sb.ReserveData(size + size/8)
		}
	}
	if p.spill != nil {
		return p.spill.write(rec, p.fw, p.schema)
	}
	if err := p.fw.Write(rec); err != nil {
		return fmt.Errorf("write parquet: %w", err)
	}
	return nil
}

// Close flushes the last row group and the footer.
func (p *ColumnWriter[T]) Close() error {
	if err := p.flush(); err != nil {
		return err
	}
	p.b.Release()
	if p.spill != nil {
		if err := p.spill.copyInto(p.fw, p.schema); err != nil {
			p.fw.Close()
			return err
		}
	}
	if err := p.fw.Close(); err != nil {
		return fmt.Errorf("close parquet: %w", err)
	}
	return nil
}

// JSONText is v's compact canonical JSON as a string column value.
func JSONText(v any) string {
	b, _ := CompactJSON(v)
	return string(b)
}
