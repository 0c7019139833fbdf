package observe

import (
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// Verdict is the oracle's side of a task: the canonical decision and
// capabilities, and what the reference says the answer and the visible rows
// should be.
type Verdict struct {
	Decision       oracle.Decision     `json:"decision"`
	Capabilities   oracle.Capabilities `json:"capabilities"`
	AllowedColumns []string            `json:"allowed_columns"`
	// TenantColumn is the qualified column that carries tenant ownership.
	TenantColumn string `json:"tenant_column"`
	// TenantColumns are the other qualified columns holding a tenant id
	// directly (tables owned straight by the tenancy table).
	TenantColumns []string `json:"tenant_columns,omitempty"`
	// Reference is the reference answer; nil when the query names an
	// unknown metric or dimension.
	Reference *oracle.Answer `json:"reference,omitempty"`
	// Owned maps each probed table to the keys the principal's tenants own.
	Owned map[string][]string `json:"owned"`
}

// Measurements are independent executions and parses of the compiled SQL.
type Measurements struct {
	SQL db.SQLInfo `json:"sql"`
	// Base is the SQL run on the unrestricted base tables.
	Base *db.Result `json:"base,omitempty"`
	// Restricted is the SQL run on the oracle's tenant-restricted rows.
	Restricted *db.Result `json:"restricted,omitempty"`
}

// Observation is everything the detector may read for one task.
type Observation struct {
	Principal string `json:"principal"`
	// Intent is the request as the model expressed it (the task's input).
	Intent   spec.SemanticQuery `json:"intent"`
	Layers   Layers             `json:"layers"`
	Verdict  Verdict            `json:"verdict"`
	Measured Measurements       `json:"measured"`
}
