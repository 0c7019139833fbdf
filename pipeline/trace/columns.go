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

// RowGroupSize is the most records a Parquet row group holds; a writer
// ends a group as soon as it fills (or RowGroupBytes does). A group is
// written in batches (BatchRows) and held as compressed pages until it
// ends, so its size costs little memory, while every group adds about
// 40 KB of footer metadata that the writer keeps until it closes: groups
// of 4,096 traces make a million-task run's footer ~10 MB instead of the
// ~40 MB of 1,024-trace groups (EVAL_CARD, "Memory"); groups of 16,384
// held 20 MB more over a 10,000-task compact run.
const RowGroupSize = 4096

// RowGroupBytes bounds the JSONL bytes of the records one row group holds:
// a group is flushed before it would pass this size, so a few huge records
// make small groups instead of one past Arrow's 2 GiB string-array limit.
const RowGroupBytes = 64 << 20

// PageBytes is the size of a column's data pages (before compression).
const PageBytes = 64 << 10

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
	// line marks the column holding the JSONL line (LineColumn)
	line bool
}

// StringColumn is a text column holding get(r).
func StringColumn[T any](name string, get func(r *T) string) Column[T] {
	return Column[T]{name: name, typ: arrow.BinaryTypes.String, append: func(b array.Builder, r *T, _ []byte) {
		b.(*array.StringBuilder).Append(get(r))
	}}
}

// PlainStringColumn is StringColumn without dictionary encoding, for a
// column whose values are nearly all distinct (a task's id, request, IR or
// SQL): a dictionary would hold a copy of every value of the open row
// group in the encoder's hash table (about 2.2 MB of distinct SQL text per
// 4,096 compact traces) for no compression.
func PlainStringColumn[T any](name string, get func(r *T) string) Column[T] {
	c := StringColumn(name, get)
	c.plain = true
	return c
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
	return Column[T]{name: name, typ: arrow.BinaryTypes.String, plain: true, line: true, append: func(b array.Builder, _ *T, line []byte) {
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

// BatchRows and BatchBytes bound a batch: a writer hands its records to
// the Parquet encoder a batch at a time (BatchRows records, or fewer when
// their JSONL passes BatchBytes), and the encoder keeps the row group's
// pages compressed until the group closes. A group built whole and encoded
// at once held its records, their Arrow arrays and the encoder's buffers
// together, a spike of about 35 MB at each flush of a compact run.
const (
	BatchRows  = 128
	BatchBytes = 1 << 20
)

// ColumnWriter streams records of type T into a Parquet file (zstd,
// deterministic bytes), one row group per RowGroupSize records or
// RowGroupBytes bytes, whichever fills first, each written in batches
// (BatchRows).
type ColumnWriter[T any] struct {
	cols   []Column[T]
	schema *arrow.Schema
	fw     *pqarrow.FileWriter
	b      *array.RecordBuilder
	// batch and batchBytes count the records in the builder and their
	// JSONL bytes; group and bytes those of the open row group (batches
	// written and the builder's)
	batch, batchBytes int
	group, bytes      int
	// target is where the open group goes (fw, or a part file when
	// spilling); nil when no group is open
	target *pqarrow.FileWriter
	// spill, when set, takes the row groups past the first SpillGroups
	// (SpillTo)
	spill *spiller
	lim   limits
}

// limits are a writer's group and batch bounds: RowGroupSize,
// RowGroupBytes, BatchRows and BatchBytes (tests make them smaller).
type limits struct {
	groupRows, groupBytes, batchRows, batchBytes int
}

var defaultLimits = limits{RowGroupSize, RowGroupBytes, BatchRows, BatchBytes}

// batchFull reports whether a batch of rows records holding bytes of JSONL
// is complete: the one rule both the writer and a copy from a part cut
// batches by (writeGroup), so a copied group is encoded as first written.
func (l limits) batchFull(rows, bytes int) bool {
	return rows >= l.batchRows || bytes >= l.batchBytes
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
		// a column buffers its page uncompressed until it fills: 33
		// columns of 1 MiB pages (the default) held 30 MB more over a
		// group than pages of PageBytes
		parquet.WithDataPageSize(PageBytes),
		// a dictionary that outgrows its limit falls back to plain pages
		// for the rest of the chunk, and the writer lists a chunk's page
		// encodings in its footer in map order, so such a file's bytes
		// differed from run to run (a compiled_sql chunk of 4,096
		// compact traces, ~1.6 MB of SQL, passed the default 1 MiB): the
		// limit is a group's whole size, so no chunk ever falls back
		parquet.WithDictionaryPageSizeLimit(RowGroupBytes),
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
	return &ColumnWriter[T]{cols: cols, schema: schema, fw: fw, b: array.NewRecordBuilder(memory.DefaultAllocator, schema), lim: defaultLimits}, nil
}

// Write appends one record; line is its JSONL encoding.
func (p *ColumnWriter[T]) Write(r *T, line []byte) error {
	if p.group > 0 && p.bytes+len(line) > p.lim.groupBytes {
		if err := p.endGroup(); err != nil {
			return err
		}
	}
	for i, c := range p.cols {
		c.append(p.b.Field(i), r, line)
	}
	p.batch++
	p.group++
	p.batchBytes += len(line)
	p.bytes += len(line)
	if p.group >= p.lim.groupRows || p.bytes >= p.lim.groupBytes {
		return p.endGroup()
	}
	if p.lim.batchFull(p.batch, p.batchBytes) {
		return p.writeBatch()
	}
	return nil
}

// writeBatch hands the builder's records to the open group, opening one
// if none is.
func (p *ColumnWriter[T]) writeBatch() error {
	if p.batch == 0 {
		return nil
	}
	if p.target == nil {
		p.target = p.fw
		if p.spill != nil {
			t, err := p.spill.next(p.fw, p.schema)
			if err != nil {
				return err
			}
			p.target = t
		}
		if err := p.target.NewBufferedRowGroupChecked(); err != nil {
			return fmt.Errorf("write parquet: %w", err)
		}
	}
	rec := p.b.NewRecordBatch()
	defer rec.Release()
	p.batch, p.batchBytes = 0, 0
	if err := p.target.WriteBuffered(rec); err != nil {
		return fmt.Errorf("write parquet: %w", err)
	}
	return nil
}

// endGroup writes the last batch of the open group and ends it (the
// encoder flushes it when the next group opens or the file closes).
func (p *ColumnWriter[T]) endGroup() error {
	if err := p.writeBatch(); err != nil {
		return err
	}
	if p.target == nil {
		return nil
	}
	p.target, p.group, p.bytes = nil, 0, 0
	if p.spill != nil {
		return p.spill.groupDone()
	}
	return nil
}

// Close flushes the last row group and the footer.
func (p *ColumnWriter[T]) Close() error {
	if err := p.endGroup(); err != nil {
		return err
	}
	p.b.Release()
	if p.spill != nil {
		if err := p.spill.copyInto(p.fw, p.schema, p.lim); err != nil {
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
