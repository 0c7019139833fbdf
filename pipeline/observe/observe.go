// Package observe holds the plain data the layers produce for one task and
// the measurements taken of it. It is what the blind detector reads: it has
// no field for a mutation operator, a surface version or an expected label.
package observe

import (
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// ManifestMetric is one metric name the model may use.
type ManifestMetric struct {
	Name    string   `json:"name"`
	Aliases []string `json:"aliases"`
}

// Manifest is the model-visible capability document for a principal.
type Manifest struct {
	Principal  string           `json:"principal"`
	Metrics    []ManifestMetric `json:"metrics"`
	Dimensions []string         `json:"dimensions"`
	TimeRanges []string         `json:"time_ranges"`
	MaxRows    int              `json:"max_rows"`
}

// Names lists every metric name and alias the manifest advertises.
func (m Manifest) Names() []string {
	var out []string
	for _, mm := range m.Metrics {
		out = append(out, mm.Name)
		out = append(out, mm.Aliases...)
	}
	return out
}

// GrammarSchema is the intent language a grammar accepts (the enums of the
// tool-call schema it hands the model).
type GrammarSchema struct {
	Metrics    []string `json:"metrics"`
	Dimensions []string `json:"dimensions"`
	TimeRanges []string `json:"time_ranges"`
}

// Grammar is the grammar layer's output for one intent.
type Grammar struct {
	Schema   GrammarSchema       `json:"schema"`
	Accepted bool                `json:"accepted"`
	Query    *spec.SemanticQuery `json:"query,omitempty"`
	// OutsideSchema lists the intent's names the schema does not advertise
	// (kind:name); they are passed on for the validator to judge.
	OutsideSchema []string `json:"outside_schema"`
	Error         string   `json:"error,omitempty"`
}

// Obligations are what the validator hands downstream.
type Obligations struct {
	TenantScope     []string `json:"tenant_scope"`
	RowBudget       int      `json:"row_budget"`
	MetricSemantics string   `json:"metric_semantics"`
	Cost            int      `json:"cost"`
	// MinCohort is the release threshold: the fewest distinct cohort keys
	// a released group must aggregate (0: none).
	MinCohort int `json:"min_cohort,omitempty"`
}

// Validator is the validator layer's decision.
type Validator struct {
	Allowed     bool        `json:"allowed"`
	Reasons     []string    `json:"reasons"`
	Metric      string      `json:"metric,omitempty"`
	Obligations Obligations `json:"obligations"`
}

// Compiler is the compiler layer's output: SQL text and its plan header.
type Compiler struct {
	SQL           string   `json:"sql"`
	EstimatedCost int      `json:"estimated_cost"`
	RowBudget     int      `json:"row_budget"`
	TenantScope   []string `json:"tenant_scope"`
	// Shadow is true when the validator denied the query and the compiler
	// ran only so downstream containment could be observed.
	Shadow bool   `json:"shadow"`
	Error  string `json:"error,omitempty"`
	// Unresolved lists the request's names the compiler has no definition
	// for, as kind:name (kinds metric, dimension, filter, time_range); the
	// compiler refuses to lower such a request (Error says so) and emits
	// no SQL.
	Unresolved []string `json:"unresolved,omitempty"`
	// Sample is the lineage the compiler hands the release gate: the SAMPLE
	// fraction the SQL reads (0: every row), its answer an estimate.
	Sample float64 `json:"sample,omitempty"`
}

// Probe is what a live session can see of one table the query touches.
type Probe struct {
	Table   string   `json:"table"`
	Visible []string `json:"visible"`
	Columns []string `json:"columns"`
}

// Database is the database layer's output for the compiled SQL.
type Database struct {
	Shadow bool      `json:"shadow"`
	Result db.Result `json:"result"`
	Probes []Probe   `json:"probes"`
}

// Release is the release gate's decision.
type Release struct {
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason"`
	Rows    int    `json:"rows"`
	// Withheld lists the indexes of result rows kept back (groups below
	// the minimum cohort size); Rows counts the others.
	Withheld []int `json:"withheld,omitempty"`
	// Disclosure is what the release says about the answer's provenance
	// (for example that it is an estimate from a sample); "" for an exact
	// answer.
	Disclosure string `json:"disclosure,omitempty"`
}

// Layers are every layer's output for one task; a nil layer was not reached.
type Layers struct {
	Manifest  *Manifest  `json:"manifest,omitempty"`
	Grammar   *Grammar   `json:"grammar,omitempty"`
	Validator *Validator `json:"validator,omitempty"`
	Compiler  *Compiler  `json:"compiler,omitempty"`
	Database  *Database  `json:"database,omitempty"`
	Release   *Release   `json:"release,omitempty"`
}

// Surface returns the output of the named layer (a typed nil pointer when
// it was not reached, nil for an unknown surface).
func (l Layers) Surface(surface string) any {
	switch surface {
	case "manifest":
		return l.Manifest
	case "grammar":
		return l.Grammar
	case "validator":
		return l.Validator
	case "compiler":
		return l.Compiler
	case "database":
		return l.Database
	case "release":
		return l.Release
	}
	return nil
}
