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

// RowGroupSize is how many traces a Parquet row group holds; the writer
// flushes a group as soon as it fills, so memory does not grow with the run.
const RowGroupSize = 1024

type column struct {
	name string
	typ  arrow.DataType
	get  func(t *Trace, line []byte) any
}

var columns = []column{
	{"task_id", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return t.TaskID }},
	{"domain", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return t.Domain }},
	{"suite", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return t.Suite }},
	{"principal", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return t.Principal }},
	{"mutation", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return t.Mutation }},
	{"request", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return t.Request }},
	{"policy_version", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return t.PolicyVersion }},
	{"semantic_ir", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return jsonText(t.SemanticIR) }},
	{"surface_versions", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return jsonText(t.SurfaceVersions) }},
	{"canonical_allowed", arrow.FixedWidthTypes.Boolean, func(t *Trace, _ []byte) any { return t.CanonicalDecision.Allowed }},
	{"canonical_reasons", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return jsonText(t.CanonicalDecision.Reasons) }},
	{"compiled_sql", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return t.CompiledSQL }},
	{"blocked_by_database", arrow.FixedWidthTypes.Boolean, func(t *Trace, _ []byte) any { return t.DBResult.BlockedByDatabase }},
	{"executed_rows", arrow.PrimitiveTypes.Int64, func(t *Trace, _ []byte) any { return int64(t.DBResult.Rows) }},
	{"rows_digest", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return t.DBResult.RowsDigest }},
	{"reference_digest", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return t.DBResult.ReferenceDigest }},
	{"release_allowed", arrow.FixedWidthTypes.Boolean, func(t *Trace, _ []byte) any { return t.ReleaseDecision.Allowed }},
	{"witness_class", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return t.WitnessClass }},
	{"expected_witness_class", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return t.ExpectedWitnessClass }},
	{"localized_surface", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return t.LocalizedSurface }},
	{"expected_localized_surface", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return t.ExpectedLocalizedSurface }},
	{"containment_layer", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return t.ContainmentLayer }},
	{"expected_containment_layer", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return t.ExpectedContainmentLayer }},
	{"accounting_status", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return t.AccountingStatus }},
	{"accounting_reason", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return t.AccountingReason }},
	{"semantic_difference", arrow.FixedWidthTypes.Boolean, func(t *Trace, _ []byte) any { return t.SemanticDifference }},
	{"witness_path", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return t.WitnessPath }},
	{"estimated_cost", arrow.PrimitiveTypes.Int64, func(t *Trace, _ []byte) any { return int64(t.Cost.Estimated) }},
	{"reasons", arrow.BinaryTypes.String, func(t *Trace, _ []byte) any { return jsonText(t.Reasons) }},
	{"trace_json", arrow.BinaryTypes.String, func(_ *Trace, line []byte) any { return string(line) }},
}

func jsonText(v any) string {
	b, _ := CompactJSON(v)
	return string(b)
}

// ParquetSchema is the Arrow schema of traces.parquet: the flat fields
// analyses query, and trace_json holding the full record (the same bytes as
// the JSONL line).
func ParquetSchema() *arrow.Schema {
	fields := make([]arrow.Field, len(columns))
	for i, c := range columns {
		fields[i] = arrow.Field{Name: c.name, Type: c.typ}
	}
	return arrow.NewSchema(fields, nil)
}

// ParquetWriter streams traces into a Parquet file, one row group per
// RowGroupSize traces.
type ParquetWriter struct {
	fw      *pqarrow.FileWriter
	b       *array.RecordBuilder
	pending int
}

// NewParquetWriter starts a Parquet file on w (zstd, deterministic bytes).
func NewParquetWriter(w io.Writer) (*ParquetWriter, error) {
	schema := ParquetSchema()
	props := parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithCreatedBy("policystrata"),
		parquet.WithMaxRowGroupLength(RowGroupSize),
	)
	fw, err := pqarrow.NewFileWriter(schema, w, props, pqarrow.NewArrowWriterProperties())
	if err != nil {
		return nil, fmt.Errorf("open parquet: %w", err)
	}
	return &ParquetWriter{fw: fw, b: array.NewRecordBuilder(memory.DefaultAllocator, schema)}, nil
}

// Write appends one trace; line is its JSONL encoding.
func (p *ParquetWriter) Write(t *Trace, line []byte) error {
	for i, c := range columns {
		switch v := c.get(t, line).(type) {
		case string:
			p.b.Field(i).(*array.StringBuilder).Append(v)
		case bool:
			p.b.Field(i).(*array.BooleanBuilder).Append(v)
		case int64:
			p.b.Field(i).(*array.Int64Builder).Append(v)
		}
	}
	p.pending++
	if p.pending >= RowGroupSize {
		return p.flush()
	}
	return nil
}

func (p *ParquetWriter) flush() error {
	if p.pending == 0 {
		return nil
	}
	rec := p.b.NewRecordBatch()
	defer rec.Release()
	p.pending = 0
	if err := p.fw.Write(rec); err != nil {
		return fmt.Errorf("write parquet: %w", err)
	}
	return nil
}

// Close flushes the last row group and the footer.
func (p *ParquetWriter) Close() error {
	if err := p.flush(); err != nil {
		return err
	}
	p.b.Release()
	if err := p.fw.Close(); err != nil {
		return fmt.Errorf("close parquet: %w", err)
	}
	return nil
}
