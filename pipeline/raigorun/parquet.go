package raigorun

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// ParquetRowGroup is how many traces a Parquet row group holds; a group is
// flushed as soon as it fills, so memory does not grow with the run.
const ParquetRowGroup = 1024

type pqColumn struct {
	name string
	typ  arrow.DataType
	get  func(r *TraceRecord, line []byte) any
}

func jsonColumn(v any) string {
	b, _ := trace.CompactJSON(v)
	return string(b)
}

var pqColumns = []pqColumn{
	{"freeze_hash", arrow.BinaryTypes.String, func(r *TraceRecord, _ []byte) any { return r.FreezeHash }},
	{"suite", arrow.BinaryTypes.String, func(r *TraceRecord, _ []byte) any { return r.Suite }},
	{"suite_file", arrow.BinaryTypes.String, func(r *TraceRecord, _ []byte) any { return r.SuiteFile }},
	{"case_index", arrow.PrimitiveTypes.Int64, func(r *TraceRecord, _ []byte) any { return int64(r.CaseIndex) }},
	{"case_id", arrow.BinaryTypes.String, func(r *TraceRecord, _ []byte) any { return r.CaseID }},
	{"case_name", arrow.BinaryTypes.String, func(r *TraceRecord, _ []byte) any { return r.CaseName }},
	{"kind", arrow.BinaryTypes.String, func(r *TraceRecord, _ []byte) any { return r.Kind }},
	{"variant", arrow.PrimitiveTypes.Int64, func(r *TraceRecord, _ []byte) any { return int64(r.Variant) }},
	{"mutations", arrow.BinaryTypes.String, func(r *TraceRecord, _ []byte) any { return jsonColumn(r.Mutations) }},
	{"prompt", arrow.BinaryTypes.String, func(r *TraceRecord, _ []byte) any { return r.Prompt }},
	{"context", arrow.BinaryTypes.String, func(r *TraceRecord, _ []byte) any { return jsonColumn(r.Context) }},
	{"engine_mode", arrow.BinaryTypes.String, func(r *TraceRecord, _ []byte) any { return string(r.EngineMode) }},
	{"expected_action", arrow.BinaryTypes.String, func(r *TraceRecord, _ []byte) any { return r.ExpectedAction }},
	{"action", arrow.BinaryTypes.String, func(r *TraceRecord, _ []byte) any { return r.Action }},
	{"enforced_action", arrow.BinaryTypes.String, func(r *TraceRecord, _ []byte) any { return string(r.Evaluation.EnforcedAction) }},
	{"rule_id", arrow.BinaryTypes.String, func(r *TraceRecord, _ []byte) any { return r.RuleID }},
	{"severity", arrow.BinaryTypes.String, func(r *TraceRecord, _ []byte) any { return r.Severity }},
	{"deciding_policy", arrow.BinaryTypes.String, func(r *TraceRecord, _ []byte) any { return r.DecidingPolicy }},
	{"observe_override", arrow.FixedWidthTypes.Boolean, func(r *TraceRecord, _ []byte) any { return r.Evaluation.ObserveOverride }},
	{"triggered_rules", arrow.BinaryTypes.String, func(r *TraceRecord, _ []byte) any { return jsonColumn(r.Evaluation.TriggeredRules) }},
	{"status", arrow.BinaryTypes.String, func(r *TraceRecord, _ []byte) any { return r.Status }},
	{"failures", arrow.BinaryTypes.String, func(r *TraceRecord, _ []byte) any { return jsonColumn(r.Failures) }},
	{"minimized_prompt", arrow.BinaryTypes.String, func(r *TraceRecord, _ []byte) any { return r.MinimizedPrompt }},
	{"trace_json", arrow.BinaryTypes.String, func(_ *TraceRecord, line []byte) any { return string(line) }},
}

// TraceSchema is the Arrow schema of traces.parquet: flat columns for
// queries and trace_json, the full record (the same bytes as its JSONL
// line).
func TraceSchema() *arrow.Schema {
	fields := make([]arrow.Field, len(pqColumns))
	for i, c := range pqColumns {
		fields[i] = arrow.Field{Name: c.name, Type: c.typ}
	}
	return arrow.NewSchema(fields, nil)
}

// parquetSink streams records into a Parquet file.
type parquetSink struct {
	fw      *pqarrow.FileWriter
	b       *array.RecordBuilder
	pending int
}

func newParquetSink(w io.Writer) (*parquetSink, error) {
	schema := TraceSchema()
	props := parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithCreatedBy("raigo test"),
		parquet.WithMaxRowGroupLength(ParquetRowGroup),
	)
	fw, err := pqarrow.NewFileWriter(schema, w, props, pqarrow.NewArrowWriterProperties())
	if err != nil {
		return nil, fmt.Errorf("open parquet: %w", err)
	}
	return &parquetSink{fw: fw, b: array.NewRecordBuilder(memory.DefaultAllocator, schema)}, nil
}

func (p *parquetSink) write(r *TraceRecord, line []byte) error {
	for i, c := range pqColumns {
		switch v := c.get(r, line).(type) {
		case string:
			p.b.Field(i).(*array.StringBuilder).Append(v)
		case bool:
			p.b.Field(i).(*array.BooleanBuilder).Append(v)
		case int64:
			p.b.Field(i).(*array.Int64Builder).Append(v)
		}
	}
	p.pending++
	if p.pending >= ParquetRowGroup {
		return p.flush()
	}
	return nil
}

func (p *parquetSink) flush() error {
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

func (p *parquetSink) close() error {
	if err := p.flush(); err != nil {
		return err
	}
	p.b.Release()
	if err := p.fw.Close(); err != nil {
		return fmt.Errorf("close parquet: %w", err)
	}
	return nil
}
