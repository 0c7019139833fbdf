// Package baselines defines the comparators a real team could run beside
// PolicyStrata's detector, each over the layer outputs a real stack exposes
// (the written policy's decision, the layers' own decisions, the SQL and
// its parsed AST, the executed rows, the release decision) and nothing
// else: a baseline is a predicate over Observables, a type with no field
// for the mutation operator, the expected labels, the detector's
// localization or findings, the surface versions, or the task id and
// request text (which name the operator in generated suites). Scoring over
// every injected, non-equivalent mutant and over the clean and adversarial
// controls happens apart, in Score.
package baselines

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// Observables is what a baseline may read of one trace. It is decoded
// straight from the trace JSON; fields it does not name are never read.
type Observables struct {
	Domain    string             `json:"domain"`
	Principal string             `json:"principal"`
	Intent    spec.SemanticQuery `json:"semantic_ir"`
	// Policy is the written policy's decision for the request (a
	// policy-as-code evaluation a team runs in its own tests).
	Policy struct {
		Allowed bool     `json:"allowed"`
		Reasons []string `json:"reasons"`
	} `json:"canonical_decision"`
	// Decisions are the layers' own allow/deny decisions.
	Decisions map[string]struct {
		Allowed bool `json:"allowed"`
	} `json:"surface_decisions"`
	SQL string `json:"compiled_sql"`
	DB  struct {
		Blocked bool   `json:"blocked_by_database"`
		Shadow  bool   `json:"shadow"`
		Error   string `json:"error"`
		Rows    int    `json:"rows"`
		// RowsDigest digests the executed rows; GoldenDigest digests the
		// golden answer for the test database (what a team's golden-answer
		// test holds).
		RowsDigest   string `json:"rows_digest"`
		GoldenDigest string `json:"reference_digest"`
	} `json:"db_result"`
	Release struct {
		Allowed bool `json:"allowed"`
	} `json:"release_decision"`
	Layers *struct {
		Grammar   *observe.Grammar   `json:"grammar"`
		Validator *observe.Validator `json:"validator"`
		Compiler  *observe.Compiler  `json:"compiler"`
		Release   *observe.Release   `json:"release"`
	} `json:"layer_outputs"`
	// Probes are row-visibility probes of the live session: how many rows
	// of each table it saw against how many its tenants own.
	Probes []struct {
		Table   string `json:"table"`
		Visible int    `json:"visible"`
		Owned   int    `json:"owned"`
	} `json:"probes"`
	Measured *struct {
		// AST is the parse of the compiled SQL (DuckDB's
		// json_serialize_sql).
		AST db.SQLInfo `json:"sql"`
	} `json:"measured"`
}

// DecodeObservables reads the observable fields of one trace JSON value
// (unknown fields are skipped: that is how labels stay out).
func DecodeObservables(line []byte) (*Observables, error) {
	var o Observables
	if err := json.NewDecoder(bytes.NewReader(line)).Decode(&o); err != nil {
		return nil, fmt.Errorf("decode observables: %w", err)
	}
	return &o, nil
}

// Accounting is the part of a trace the scoring reads and no baseline
// does: whether it is an injected mutant (and which), a control, and how
// the detector accounted it.
type Accounting struct {
	TaskID   string `json:"task_id"`
	Suite    string `json:"suite"`
	Mutation string `json:"mutation"`
	Status   string `json:"accounting_status"`
}

// DecodeAccounting reads the accounting fields of one trace JSON value.
func DecodeAccounting(line []byte) (*Accounting, error) {
	var a Accounting
	if err := json.NewDecoder(bytes.NewReader(line)).Decode(&a); err != nil {
		return nil, fmt.Errorf("decode accounting: %w", err)
	}
	return &a, nil
}
