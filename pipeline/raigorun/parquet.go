package raigorun

import (
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/policystrata/policystrata/pipeline/trace"
)

var pqColumns = []trace.Column[TraceRecord]{
	trace.StringColumn("freeze_hash", func(r *TraceRecord) string { return r.FreezeHash }),
	trace.StringColumn("suite", func(r *TraceRecord) string { return r.Suite }),
	trace.StringColumn("suite_file", func(r *TraceRecord) string { return r.SuiteFile }),
	trace.Int64Column("case_index", func(r *TraceRecord) int64 { return int64(r.CaseIndex) }),
	trace.StringColumn("case_id", func(r *TraceRecord) string { return r.CaseID }),
	trace.StringColumn("case_name", func(r *TraceRecord) string { return r.CaseName }),
	trace.StringColumn("kind", func(r *TraceRecord) string { return r.Kind }),
	trace.Int64Column("variant", func(r *TraceRecord) int64 { return int64(r.Variant) }),
	trace.StringColumn("mutations", func(r *TraceRecord) string { return trace.JSONText(r.Mutations) }),
	trace.StringColumn("prompt", func(r *TraceRecord) string { return r.Prompt }),
	trace.StringColumn("context", func(r *TraceRecord) string { return trace.JSONText(r.Context) }),
	trace.StringColumn("engine_mode", func(r *TraceRecord) string { return string(r.EngineMode) }),
	trace.StringColumn("expected_action", func(r *TraceRecord) string { return r.ExpectedAction }),
	trace.StringColumn("action", func(r *TraceRecord) string { return r.Action }),
	trace.StringColumn("enforced_action", func(r *TraceRecord) string { return string(r.Evaluation.EnforcedAction) }),
	trace.StringColumn("rule_id", func(r *TraceRecord) string { return r.RuleID }),
	trace.StringColumn("severity", func(r *TraceRecord) string { return r.Severity }),
	trace.StringColumn("deciding_policy", func(r *TraceRecord) string { return r.DecidingPolicy }),
	trace.BoolColumn("observe_override", func(r *TraceRecord) bool { return r.Evaluation.ObserveOverride }),
	trace.StringColumn("triggered_rules", func(r *TraceRecord) string { return trace.JSONText(r.Evaluation.TriggeredRules) }),
	trace.StringColumn("status", func(r *TraceRecord) string { return r.Status }),
	trace.StringColumn("failures", func(r *TraceRecord) string { return trace.JSONText(r.Failures) }),
	trace.StringColumn("minimized_prompt", func(r *TraceRecord) string { return r.MinimizedPrompt }),
	trace.LineColumn[TraceRecord]("trace_json"),
}

// TraceSchema is the Arrow schema of traces.parquet: flat columns for
// queries and trace_json, the full record (the same bytes as its JSONL
// line).
func TraceSchema() *arrow.Schema { return trace.Schema(pqColumns) }

// newParquetSink starts raigo's traces.parquet on w.
func newParquetSink(w io.Writer) (*trace.ColumnWriter[TraceRecord], error) {
	return trace.NewColumnWriter(w, "raigo test", pqColumns)
}
