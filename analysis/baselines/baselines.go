package baselines

import (
	"slices"
	"strings"

	"github.com/policystrata/policystrata/domains"
)

// Config is the domain configuration a team's checks are written against
// (the tenancy column from the schema, the row budget from the policy).
type Config struct {
	// TenantColumn is the qualified column that carries tenant ownership.
	TenantColumn string
}

// ConfigFor reads a built-in domain's configuration; an unknown domain
// gives an empty Config (checks needing it do not fire).
func ConfigFor(domain string) Config {
	d, err := domains.Load(domain)
	if err != nil {
		return Config{}
	}
	return Config{TenantColumn: d.Policy.Tenancy.Column}
}

// Baseline is one comparator: a name, what it checks, and its predicate.
type Baseline struct {
	Name string
	Doc  string
	// Flag reports whether the check fails for this trace.
	Flag func(o *Observables, c Config) bool
}

// All lists the baselines in report order.
func All() []Baseline { return all }

var all = []Baseline{
	{"grammar_only", "the grammar accepted, inside its advertised schema, an intent whose metric or dimension the written policy denies", grammarOnly},
	{"semantic_validator_only", "the validator's decision differs from the written policy's", validatorOnly},
	{"sql_ast_policy_checker", "the parsed SQL lacks the tenant predicate bound to constants, reads a column the policy does not expose, has no LIMIT or one over the validator's row budget, or reads outside the domain (schema-qualified tables, table functions)", sqlAST},
	{"db_rls_only", "a live session's row-visibility probe sees more rows of a table than its tenants own", dbRLS},
	{"release_filter_only", "the release gate let rows out that the written policy denies, or more rows than the validator's budget", releaseOnly},
	{"final_answer_only", "a released answer differs from the golden answer for the test database", finalAnswer},
	{"naive_surface_equality", "some layer's allow/deny decision differs from the written policy's", surfaceEquality},
	{"property_differential", "a layer does not preserve what it was handed (the grammar's query vs the intent, the compiler's tenant scope and row budget vs the validator's obligations), or the release decision differs from the written policy's", propertyDifferential},
	{"conventional_test_suite", "the OR of a team's usual tests: tenant column absent from the SQL text, validator allows a denied metric or dimension, no LIMIT or more rows than it, denied but released, golden answer mismatch", conventional},
	{"defense_in_depth", "the OR of semantic_validator_only, sql_ast_policy_checker, db_rls_only and final_answer_only", nil},
}

func init() {
	parts := []string{"semantic_validator_only", "sql_ast_policy_checker", "db_rls_only", "final_answer_only"}
	var fs []func(*Observables, Config) bool
	for _, b := range all {
		if slices.Contains(parts, b.Name) {
			fs = append(fs, b.Flag)
		}
	}
	all[len(all)-1].Flag = func(o *Observables, c Config) bool {
		for _, f := range fs {
			if f(o, c) {
				return true
			}
		}
		return false
	}
}

func deniedFor(o *Observables, prefixes ...string) bool {
	for _, r := range o.Policy.Reasons {
		for _, p := range prefixes {
			if strings.HasPrefix(r, p+":") {
				return true
			}
		}
	}
	return false
}

func grammarOnly(o *Observables, _ Config) bool {
	if o.Layers == nil || o.Layers.Grammar == nil {
		return false
	}
	g := o.Layers.Grammar
	return g.Accepted && len(g.OutsideSchema) == 0 && deniedFor(o, "metric_denied", "dimension_denied")
}

func validatorOnly(o *Observables, _ Config) bool {
	if o.Layers == nil || o.Layers.Validator == nil {
		return false
	}
	return o.Layers.Validator.Allowed != o.Policy.Allowed
}

// sqlAST checks the emitted SQL of a request the validator allowed.
func sqlAST(o *Observables, c Config) bool {
	if o.Layers == nil || o.Layers.Validator == nil || !o.Layers.Validator.Allowed || o.Measured == nil || o.SQL == "" {
		return false
	}
	a := o.Measured.AST
	if !a.Valid || a.Statements != 1 || len(a.Qualified) > 0 || len(a.TableFunctions) > 0 {
		return true
	}
	if c.TenantColumn != "" {
		reads := false
		table, _, _ := strings.Cut(c.TenantColumn, ".")
		for _, t := range a.Tables {
			reads = reads || t == table
		}
		if reads && len(a.Bindings[c.TenantColumn]) == 0 {
			return true
		}
	}
	budget := o.Layers.Validator.Obligations.RowBudget
	return a.Limit < 0 || (budget > 0 && a.Limit > int64(budget))
}

func dbRLS(o *Observables, _ Config) bool {
	for _, p := range o.Probes {
		if p.Visible > p.Owned {
			return true
		}
	}
	return false
}

func releaseOnly(o *Observables, _ Config) bool {
	if !o.Release.Allowed {
		return false
	}
	if !o.Policy.Allowed {
		return true
	}
	if o.Layers != nil && o.Layers.Validator != nil && o.Layers.Release != nil {
		if b := o.Layers.Validator.Obligations.RowBudget; b > 0 && o.Layers.Release.Rows > b {
			return true
		}
	}
	return false
}

func finalAnswer(o *Observables, _ Config) bool {
	return o.Release.Allowed && o.DB.GoldenDigest != "" && o.DB.RowsDigest != o.DB.GoldenDigest
}

func surfaceEquality(o *Observables, _ Config) bool {
	for _, d := range o.Decisions {
		if d.Allowed != o.Policy.Allowed {
			return true
		}
	}
	return false
}

// propertyDifferential checks that each layer preserves what it was
// handed: the grammar's query keeps the intent's dimensions, filters, time
// range and limit; the compiler's plan header keeps the validator's
// tenant scope and row budget; the release decision matches the written
// policy's.
func propertyDifferential(o *Observables, _ Config) bool {
	if o.Release.Allowed != o.Policy.Allowed {
		return true
	}
	if o.Layers == nil {
		return false
	}
	if g := o.Layers.Grammar; g != nil && g.Accepted && g.Query != nil {
		q, in := g.Query, o.Intent
		if !slices.Equal(q.Dimensions, in.Dimensions) || len(q.Filters) != len(in.Filters) || q.TimeRange != in.TimeRange || q.Limit != in.Limit {
			return true
		}
	}
	v, c := o.Layers.Validator, o.Layers.Compiler
	if v != nil && c != nil && v.Allowed && c.Error == "" {
		if !slices.Equal(c.TenantScope, v.Obligations.TenantScope) || c.RowBudget != v.Obligations.RowBudget {
			return true
		}
	}
	return false
}

func conventional(o *Observables, c Config) bool {
	if c.TenantColumn != "" && o.SQL != "" && o.Layers != nil && o.Layers.Validator != nil && o.Layers.Validator.Allowed &&
		!strings.Contains(o.SQL, c.TenantColumn) {
		return true
	}
	if validatorOnly(o, c) && deniedFor(o, "metric_denied", "dimension_denied") {
		return true
	}
	if o.Release.Allowed && o.SQL != "" {
		lower := strings.ToLower(o.SQL)
		if !strings.Contains(lower, "limit ") {
			return true
		}
		if o.Intent.Limit > 0 && o.DB.Rows > o.Intent.Limit {
			return true
		}
	}
	if !o.Policy.Allowed && o.Release.Allowed {
		return true
	}
	return finalAnswer(o, c)
}
