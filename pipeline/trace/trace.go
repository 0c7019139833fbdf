// Package trace is the trace model of a run (one record per task, with the
// reference's field names plus the real layer outputs, SQL and rows), the
// witness and summary documents, and the sinks that write them: JSONL,
// Parquet, witnesses, summary.json and metadata.json.
package trace

import (
	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// Accounting statuses.
const (
	Killed       = "killed"
	Survived     = "survived"
	Equivalent   = "equivalent"
	Invalid      = "invalid"
	CleanControl = "clean_control"
	FalsePos     = "false_positive"
)

// Decision is an allowed flag with reasons.
type Decision struct {
	Allowed bool     `json:"allowed"`
	Reasons []string `json:"reasons"`
}

// SurfaceDecision is what one layer itself decided.
type SurfaceDecision struct {
	Allowed bool   `json:"allowed"`
	Detail  string `json:"detail"`
}

// DBResult is the database layer's execution, beside the reference answer.
type DBResult struct {
	IntendedValue     string     `json:"intended_value"`
	ActualValue       string     `json:"actual_value"`
	BlockedByDatabase bool       `json:"blocked_by_database"`
	Shadow            bool       `json:"shadow"`
	Error             string     `json:"error,omitempty"`
	Rows              int        `json:"rows"`
	RowsDigest        string     `json:"rows_digest"`
	ReferenceDigest   string     `json:"reference_digest"`
	ExecutedRows      [][]string `json:"executed_rows"`
	ReferenceRows     [][]string `json:"reference_rows"`
}

// Cost is the estimated query cost; this stack calls no LLM, so tokens and
// usd are zero.
type Cost struct {
	Estimated int     `json:"estimated"`
	Tokens    int     `json:"tokens"`
	USD       float64 `json:"usd"`
}

// ProbeSummary is how many rows of a table a session could see.
type ProbeSummary struct {
	Table   string `json:"table"`
	Visible int    `json:"visible"`
	Owned   int    `json:"owned"`
}

// Minimization records how a witness was reduced. It holds no timings:
// witnesses are compared byte for byte across runs (times go to run.json).
type Minimization struct {
	// Attempts counts every replay (query and state).
	Attempts          int  `json:"attempts"`
	QueryAttempts     int  `json:"query_attempts"`
	StateAttempts     int  `json:"state_attempts"`
	DimensionsRemoved int  `json:"dimensions_removed"`
	FiltersRemoved    int  `json:"filters_removed"`
	LimitReset        bool `json:"limit_reset"`
	TimeRangeReset    bool `json:"time_range_reset"`
	// IRFeaturesBefore and IRFeaturesAfter count the query's removable
	// features (dimensions, filters, a non-default limit and time range).
	IRFeaturesBefore int `json:"ir_features_before"`
	IRFeaturesAfter  int `json:"ir_features_after"`
	// StateRowsBefore and StateRowsAfter count the base rows of the suite's
	// state and of the witness's minimal state.
	StateRowsBefore int `json:"state_rows_before"`
	StateRowsAfter  int `json:"state_rows_after"`
	// StateReused is set when the reduction started from the minimal state
	// of an earlier witness of the same failure shape.
	StateReused bool `json:"state_reused"`
	// OriginalBytes is the size of the witness file the unreduced query and
	// full state would have given.
	OriginalBytes int `json:"original_bytes"`
	// OneMinimal is true when no single further move (a query move or the
	// removal of one row with the rows referencing it) preserves the witness.
	OneMinimal bool               `json:"one_minimal"`
	Reduced    spec.SemanticQuery `json:"reduced_semantic_ir"`
}

// Trace is one evaluated task.
type Trace struct {
	TaskID                   string                             `json:"task_id"`
	Domain                   string                             `json:"domain"`
	Suite                    string                             `json:"suite"`
	Request                  string                             `json:"request"`
	Principal                string                             `json:"principal"`
	Mutation                 string                             `json:"mutation"`
	SemanticIR               spec.SemanticQuery                 `json:"semantic_ir"`
	PolicyVersion            string                             `json:"policy_version"`
	SurfaceVersions          map[string]string                  `json:"surface_versions"`
	CanonicalDecision        Decision                           `json:"canonical_decision"`
	SurfaceDecisions         map[string]SurfaceDecision         `json:"surface_decisions"`
	SurfaceContracts         map[string]*spec.Contract          `json:"surface_contracts"`
	ContractDecisions        map[string]detect.ContractDecision `json:"contract_decisions"`
	TransitionObligations    []string                           `json:"transition_obligations"`
	CompiledSQL              string                             `json:"compiled_sql"`
	DBResult                 DBResult                           `json:"db_result"`
	ReleaseDecision          Decision                           `json:"release_decision"`
	WitnessClass             string                             `json:"witness_class"`
	ExpectedWitnessClass     string                             `json:"expected_witness_class"`
	LocalizedSurface         string                             `json:"localized_surface"`
	ExpectedLocalizedSurface string                             `json:"expected_localized_surface"`
	ContainmentLayer         string                             `json:"containment_layer"`
	ExpectedContainmentLayer string                             `json:"expected_containment_layer"`
	AccountingStatus         string                             `json:"accounting_status"`
	AccountingReason         string                             `json:"accounting_reason"`
	SemanticDifference       bool                               `json:"semantic_difference"`
	WitnessPath              string                             `json:"witness_path"`
	Cost                     Cost                               `json:"cost"`
	Reasons                  []string                           `json:"reasons"`
	Findings                 []detect.Finding                   `json:"findings"`
	Layers                   *observe.Layers                    `json:"layer_outputs,omitempty"`
	Probes                   []ProbeSummary                     `json:"probes,omitempty"`
	Measured                 *observe.Measurements              `json:"measured,omitempty"`
	Minimization             *Minimization                      `json:"minimization,omitempty"`
	// FaultReached, for a mutant, says whether its faulty layer produced
	// an output different from the correct layer's on some state tried
	// (always true for a killed mutant).
	FaultReached *bool `json:"fault_reached,omitempty"`
	// EquivalenceProof is why an equivalent mutant is accounted equivalent.
	EquivalenceProof *EquivalenceProof `json:"equivalence_proof,omitempty"`
	// KillingState names the state on which a survivor is killed.
	KillingState *StateRef `json:"killing_state,omitempty"`
}

// Equivalence proof kinds: the first four rest on evidence that cannot
// depend on the database state; search_exhausted records a search.
const (
	// ProofIdenticalOutput: a state-independent layer (manifest, grammar,
	// validator) produced exactly the correct layer's output from the same
	// input.
	ProofIdenticalOutput = "identical_output"
	// ProofIdenticalSQL: the faulty compiler emitted exactly the correct
	// compiler's SQL and plan header.
	ProofIdenticalSQL = "identical_sql"
	// ProofIdenticalConfig: the faulty containment defines exactly the
	// correct one's views/policies and grants for every table the SQL reads.
	ProofIdenticalConfig = "identical_config"
	// ProofUnreachable: the faulty layer never ran for this request, or its
	// fault cannot fire for this request's shape.
	ProofUnreachable = "unreachable"
	// ProofSearchExhausted: no state the distinguishing-state search tried
	// made a contract fail (the states are listed).
	ProofSearchExhausted = "search_exhausted"
)

// EquivalenceProof is the evidence behind an equivalent mutant.
type EquivalenceProof struct {
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
	// StatesTried names, in order, the states a search tried.
	StatesTried []string `json:"states_tried,omitempty"`
	// Notes records states the search could not use (the correct stack
	// was flagged there too, so they distinguish nothing).
	Notes []string `json:"notes,omitempty"`
}

// StateRef names a database state of a run: an aimed state derived from
// the suite's state, or a random probe state of the same generator.
type StateRef struct {
	Name string `json:"name"`
	// Seed is the generator seed of the state (the suite's seed for aimed
	// states, which derive from the suite's state).
	Seed uint64 `json:"seed"`
	// Derivation says how to rebuild it.
	Derivation string `json:"derivation"`
}

// Compact drops the bulky observation fields (layer outputs, measurements,
// probes), keeping the reference's fields, the SQL, digests and capped rows:
// for runs of millions of tasks.
func (t *Trace) Compact() {
	t.Layers, t.Measured, t.Probes = nil, nil, nil
}

// WitnessFormat identifies the witness file format.
const WitnessFormat = "policystrata-witness/2"

// Witness is the minimized, self-contained reproduction of a non-clean
// trace: with the domain's files, the layer variant of every surface, the
// principal, the reduced query and the minimal state, `policystrata replay`
// rebuilds the stack and a fresh database from the file alone.
type Witness struct {
	Format                  string                             `json:"format"`
	TaskID                  string                             `json:"task_id"`
	WitnessClass            string                             `json:"witness_class"`
	LocalizedSurface        string                             `json:"localized_surface"`
	ContainmentLayer        string                             `json:"containment_layer"`
	SemanticDifference      bool                               `json:"semantic_difference"`
	Principal               string                             `json:"principal"`
	Request                 string                             `json:"request"`
	Mutation                string                             `json:"mutation"`
	SemanticIR              spec.SemanticQuery                 `json:"semantic_ir"`
	OriginalSemanticIR      spec.SemanticQuery                 `json:"original_semantic_ir"`
	SurfaceVersions         map[string]string                  `json:"surface_versions"`
	LayerVariants           map[string]string                  `json:"layer_variants"`
	SurfaceResponsibilities map[string][]string                `json:"surface_responsibilities"`
	ContractDecisions       map[string]detect.ContractDecision `json:"contract_decisions"`
	TransitionObligations   []string                           `json:"transition_obligations"`
	CanonicalDecision       Decision                           `json:"canonical_decision"`
	CompiledSQL             string                             `json:"compiled_sql"`
	DBResult                DBResult                           `json:"db_result"`
	ReleaseAllowed          bool                               `json:"release_allowed"`
	Reasons                 []string                           `json:"reasons"`
	Findings                []detect.Finding                   `json:"findings"`
	LayerOutputs            *observe.Layers                    `json:"layer_outputs"`
	Domain                  WitnessDomain                      `json:"domain"`
	State                   []state.EncodedTable               `json:"state"`
	Minimization            *Minimization                      `json:"minimization,omitempty"`
	// Engine is the embedded engine the witness was minimized and
	// recorded on ("" for witnesses written before engines were recorded:
	// DuckDB); a replay runs on the same engine, since refusal messages are
	// the engine's own.
	Engine string `json:"engine,omitempty"`
}

// WitnessDomain is the domain a witness runs in: its name and the bytes of
// its four files (policy.yaml, schema.yaml, surfaces.yaml, state.yaml).
type WitnessDomain struct {
	Name  string            `json:"name"`
	Files map[string]string `json:"files"`
}

// ReferenceOf is a helper: the rows of a possibly nil answer.
func ReferenceOf(a *oracle.Answer) [][]string {
	if a == nil {
		return [][]string{}
	}
	return a.Rows
}
