// Package source reads imported traces (the reference's JSONL trace
// contract, including records of its Node recorder) as a stream: one trace
// at a time, in file and line order, so a scan's memory does not grow with
// the trace file.
package source

import (
	"encoding/json"
	"strings"
)

// Trace is one imported SQL trace, normalised.
type Trace struct {
	ID        string   `json:"id"`
	Principal string   `json:"principal"`
	SQL       string   `json:"sql"`
	TenantIDs []string `json:"tenant_ids"`
	// IR is the semantic intent, nil when the trace carries none.
	IR     *IR    `json:"semantic_ir,omitempty"`
	Source string `json:"source"`
	// Timestamp is kept as written (not validated).
	Timestamp json.RawMessage `json:"timestamp,omitempty"`
	// ReleaseAllowed is nil when absent or null.
	ReleaseAllowed *bool  `json:"release_allowed"`
	EvidenceLevel  string `json:"evidence_level,omitempty"`
	// ExpectedPolicy is advisory: it never suppresses a finding.
	ExpectedPolicy json.RawMessage `json:"expected_policy,omitempty"`
	RegressionCase string          `json:"regression_case"`

	// File is the trace file as the config names it; Line its 1-based line.
	File string `json:"-"`
	Line int    `json:"-"`
	// Index is the trace's position in the whole input (0-based).
	Index int `json:"-"`
}

// IR is a trace's semantic intent.
type IR struct {
	Metric     string         `json:"metric"`
	Dimensions []string       `json:"dimensions"`
	Filters    map[string]any `json:"filters"`
	TimeRange  string         `json:"time_range"`
	Grain      string         `json:"grain"`
	Limit      int            `json:"limit"`
}

// Clone returns a deep copy of the IR.
func (ir *IR) Clone() *IR {
	if ir == nil {
		return nil
	}
	out := *ir
	out.Dimensions = append([]string{}, ir.Dimensions...)
	out.Filters = map[string]any{}
	for k, v := range ir.Filters {
		out.Filters[k] = v
	}
	return &out
}

// Clone returns a deep copy of the trace.
func (t *Trace) Clone() *Trace {
	out := *t
	out.TenantIDs = append([]string{}, t.TenantIDs...)
	out.IR = t.IR.Clone()
	if t.ReleaseAllowed != nil {
		v := *t.ReleaseAllowed
		out.ReleaseAllowed = &v
	}
	return &out
}

// Redacted tenant id prefixes: such ids cannot bind SQL or a tenant context.
var redactedPrefixes = []string{"hmac-sha256:", "sha256:"}

// IsRedacted reports whether a tenant id is a redacted hash.
func IsRedacted(id string) bool {
	for _, p := range redactedPrefixes {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}

// UsableTenantIDs are the trace's raw (not redacted) tenant ids.
func (t *Trace) UsableTenantIDs() []string {
	var out []string
	for _, id := range t.TenantIDs {
		if !IsRedacted(id) {
			out = append(out, id)
		}
	}
	return out
}

// RegressionCases are the values a trace's regression_case may take.
var RegressionCases = []string{"fail_to_pass", "pass_to_pass", "contain_to_contain", "deny_to_deny", "allow_to_allow", "unclassified"}

// EvidenceLevels are the values of an evidence level.
var EvidenceLevels = []string{"deterministic_fixture", "property_generated", "imported_trace", "real_db", "blinded_suite"}
