package trace

import (
	"io"

	"github.com/apache/arrow-go/v18/arrow"
)

var columns = []Column[Trace]{
	PlainStringColumn("task_id", func(t *Trace) string { return t.TaskID }),
	StringColumn("domain", func(t *Trace) string { return t.Domain }),
	StringColumn("suite", func(t *Trace) string { return t.Suite }),
	StringColumn("principal", func(t *Trace) string { return t.Principal }),
	StringColumn("mutation", func(t *Trace) string { return t.Mutation }),
	PlainStringColumn("request", func(t *Trace) string { return t.Request }),
	StringColumn("policy_version", func(t *Trace) string { return t.PolicyVersion }),
	PlainStringColumn("semantic_ir", func(t *Trace) string { return JSONText(t.SemanticIR) }),
	StringColumn("surface_versions", func(t *Trace) string { return JSONText(t.SurfaceVersions) }),
	BoolColumn("canonical_allowed", func(t *Trace) bool { return t.CanonicalDecision.Allowed }),
	StringColumn("canonical_reasons", func(t *Trace) string { return JSONText(t.CanonicalDecision.Reasons) }),
	PlainStringColumn("compiled_sql", func(t *Trace) string { return t.CompiledSQL }),
	BoolColumn("blocked_by_database", func(t *Trace) bool { return t.DBResult.BlockedByDatabase }),
	Int64Column("executed_rows", func(t *Trace) int64 { return int64(t.DBResult.Rows) }),
	StringColumn("rows_digest", func(t *Trace) string { return t.DBResult.RowsDigest }),
	StringColumn("reference_digest", func(t *Trace) string { return t.DBResult.ReferenceDigest }),
	BoolColumn("release_allowed", func(t *Trace) bool { return t.ReleaseDecision.Allowed }),
	StringColumn("witness_class", func(t *Trace) string { return t.WitnessClass }),
	StringColumn("expected_witness_class", func(t *Trace) string { return t.ExpectedWitnessClass }),
	StringColumn("localized_surface", func(t *Trace) string { return t.LocalizedSurface }),
	StringColumn("expected_localized_surface", func(t *Trace) string { return t.ExpectedLocalizedSurface }),
	StringColumn("containment_layer", func(t *Trace) string { return t.ContainmentLayer }),
	StringColumn("expected_containment_layer", func(t *Trace) string { return t.ExpectedContainmentLayer }),
	StringColumn("accounting_status", func(t *Trace) string { return t.AccountingStatus }),
	StringColumn("accounting_reason", func(t *Trace) string { return t.AccountingReason }),
	BoolColumn("semantic_difference", func(t *Trace) bool { return t.SemanticDifference }),
	StringColumn("witness_path", func(t *Trace) string { return t.WitnessPath }),
	Int64Column("estimated_cost", func(t *Trace) int64 { return int64(t.Cost.Estimated) }),
	StringColumn("reasons", func(t *Trace) string { return JSONText(t.Reasons) }),
	BoolColumn("fault_reached", func(t *Trace) bool { return t.FaultReached != nil && *t.FaultReached }),
	StringColumn("equivalence_proof", func(t *Trace) string {
		if t.EquivalenceProof == nil {
			return ""
		}
		return t.EquivalenceProof.Kind
	}),
	StringColumn("killing_state", func(t *Trace) string {
		if t.KillingState == nil {
			return ""
		}
		return t.KillingState.Name
	}),
	LineColumn[Trace]("trace_json"),
}

// ParquetSchema is the Arrow schema of traces.parquet: the flat fields
// analyses query, and trace_json holding the full record (the same bytes as
// the JSONL line).
func ParquetSchema() *arrow.Schema { return Schema(columns) }

// ParquetWriter streams traces into a Parquet file, one row group per
// RowGroupSize traces.
type ParquetWriter = ColumnWriter[Trace]

// NewParquetWriter starts a traces.parquet file on w.
func NewParquetWriter(w io.Writer) (*ParquetWriter, error) {
	return NewColumnWriter(w, "policystrata", columns)
}
