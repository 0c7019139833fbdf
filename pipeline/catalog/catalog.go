// Package catalog is the mutation-operator catalog: for each operator, the
// surface it faults, the layer variant that implements the fault, and the
// labels the fault model expects (witness class, localized surface,
// containment layer). The expected labels are ground truth for accounting
// only; the detector never imports this package.
package catalog

import (
	"fmt"

	"github.com/policystrata/policystrata/pipeline/layers"
)

// None is the mutation of a clean control.
const None = "none"

// Operator is one catalog entry.
type Operator struct {
	ID          string `json:"id"`
	Surface     string `json:"affected_surface"`
	Variant     string `json:"variant"`
	Version     string `json:"version"`
	Family      string `json:"family"`
	Description string `json:"description"`
	// ExpectedClass, ExpectedSurface and ExpectedContainment are the fault
	// model's prediction ("" containment: the fault is expected to leak).
	ExpectedClass       string `json:"expected_witness_class"`
	ExpectedSurface     string `json:"expected_localized_surface"`
	ExpectedContainment string `json:"expected_containment_layer"`
}

var operators = []Operator{
	{ID: "stale_metric_alias_manifest", Surface: "manifest", Variant: layers.ManifestStaleAliases, Version: "v6", Family: "capability_exposure",
		Description:   "The manifest is built from the pre-restriction alias table and still advertises retired aliases (bookings, gross_bookings) of metrics the role may no longer use.",
		ExpectedClass: "over_permissive", ExpectedSurface: "manifest", ExpectedContainment: "validator"},
	{ID: "grammar_permits_forbidden_dimension", Surface: "grammar", Variant: layers.GrammarAllDimensions, Version: "v6", Family: "intent_space",
		Description:   "The intent grammar takes its dimension enum from the whole policy instead of the manifest, so the model may ask for sensitive dimensions the manifest hides.",
		ExpectedClass: "over_permissive", ExpectedSurface: "grammar", ExpectedContainment: "validator"},
	{ID: "validator_omits_sensitive_column", Surface: "validator", Variant: layers.ValidatorSkipSensitive, Version: "v6", Family: "authorization",
		Description:   "The validator skips the role check for sensitive dimensions, leaving it to a downstream step that never runs.",
		ExpectedClass: "over_permissive", ExpectedSurface: "validator", ExpectedContainment: "database"},
	{ID: "compiler_drops_tenant_predicate", Surface: "compiler", Variant: layers.CompilerDropTenant, Version: "v5", Family: "tenant_scope",
		Description:   "The compiler emits SQL without the tenant predicate; only database containment keeps other tenants' rows out.",
		ExpectedClass: "lowering_violation", ExpectedSurface: "compiler", ExpectedContainment: "database"},
	{ID: "compiler_uses_old_tenant_key", Surface: "compiler", Variant: layers.CompilerLegacyTenantKey, Version: "v5", Family: "tenant_scope",
		Description:   "The compiler scopes on the pre-migration tenant column through the tenants' legacy keys, so accounts that moved tenants land on the wrong side: the views drop the moved-away accounts, but nothing restores the moved-in ones, so a wrong answer leaves.",
		ExpectedClass: "lowering_violation", ExpectedSurface: "compiler", ExpectedContainment: ""},
	{ID: "db_rls_old_ownership_field", Surface: "database", Variant: layers.DatabaseLegacyOwnership, Version: "v5", Family: "database_containment",
		Description:   "Tenant isolation in the database tests the old ownership column, so rows that moved tenants stay visible to their former tenant and hidden from their new one: the compiler's tenant predicate filters the foreign rows, but the missing own rows change the answer that leaves.",
		ExpectedClass: "over_permissive", ExpectedSurface: "database", ExpectedContainment: ""},
	{ID: "gross_net_metric_drift", Surface: "compiler", Variant: layers.CompilerMetricByTable, Version: "v6", Family: "metric_semantics",
		Description:   "The compiler resolves a metric's expression by (table, aggregate) instead of by name, so net revenue lowers to gross revenue. Where the role's column grants hide the gross column the database refuses the query.",
		ExpectedClass: "semantic_drift", ExpectedSurface: "compiler", ExpectedContainment: "database"},
	{ID: "fanout_join_drift", Surface: "compiler", Variant: layers.CompilerEagerContextJoin, Version: "v6", Family: "join_grain",
		Description:   "The compiler joins a one-to-many context table (tickets) into every query and drops the per-group de-duplication, so sums fan out.",
		ExpectedClass: "semantic_drift", ExpectedSurface: "compiler", ExpectedContainment: ""},
	{ID: "fiscal_calendar_mismatch", Surface: "compiler", Variant: layers.CompilerCalendarForFiscal, Version: "v6", Family: "time_semantics",
		Description:   "The compiler lowers fiscal time ranges with calendar months, moving rows on fiscal-month boundaries in or out.",
		ExpectedClass: "semantic_drift", ExpectedSurface: "compiler", ExpectedContainment: ""},
	{ID: "cost_estimate_ignores_expansion", Surface: "compiler", Variant: layers.CompilerIgnoreExpansion, Version: "v6", Family: "row_budget",
		Description:   "The compiler's cost estimate ignores the expansion of one-to-many joins, under-pricing fan-out breakdowns in the containment request.",
		ExpectedClass: "lowering_violation", ExpectedSurface: "compiler", ExpectedContainment: "validator"},
	{ID: "app_deny_missing_db_policy", Surface: "database", Variant: layers.DatabaseTableGrants, Version: "v6", Family: "database_containment",
		Description:   "The database grants whole tables instead of the role's columns: the application's deny is the only thing keeping restricted columns (gross amounts, customer emails) from the role.",
		ExpectedClass: "over_permissive", ExpectedSurface: "database", ExpectedContainment: "validator"},
}

// Catalog is a set of operators. Default() is the built-in catalog; tests
// build others (for example with scrambled ids) to show that detection does
// not depend on operator names.
type Catalog struct {
	ops  []Operator
	byID map[string]int
}

// New builds a catalog from ops; ids must be unique.
func New(ops []Operator) (*Catalog, error) {
	c := &Catalog{ops: append([]Operator{}, ops...), byID: map[string]int{}}
	for i, o := range c.ops {
		if _, dup := c.byID[o.ID]; dup || o.ID == "" || o.ID == None {
			return nil, fmt.Errorf("catalog: invalid or duplicate operator id %q", o.ID)
		}
		if _, err := layers.CorrectStack().With(o.Surface, o.Variant); err != nil {
			return nil, fmt.Errorf("catalog: operator %s: %w", o.ID, err)
		}
		c.byID[o.ID] = i
	}
	return c, nil
}

var defaultCatalog = func() *Catalog {
	c, err := New(operators)
	if err != nil {
		panic(err)
	}
	return c
}()

// Default returns the built-in catalog.
func Default() *Catalog { return defaultCatalog }

// All returns every operator in catalog order.
func (c *Catalog) All() []Operator { return append([]Operator{}, c.ops...) }

// IDs lists the operator ids in catalog order.
func (c *Catalog) IDs() []string {
	out := make([]string, len(c.ops))
	for i, o := range c.ops {
		out[i] = o.ID
	}
	return out
}

// Get returns the operator with id.
func (c *Catalog) Get(id string) (Operator, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Operator{}, false
	}
	return c.ops[i], true
}

// Stack returns the layer stack that injects mutation (the correct stack
// for None).
func (c *Catalog) Stack(mutation string) (layers.Stack, error) {
	s := layers.CorrectStack()
	if mutation == None || mutation == "" {
		return s, nil
	}
	op, ok := c.Get(mutation)
	if !ok {
		return s, fmt.Errorf("unknown mutation operator %q", mutation)
	}
	return s.With(op.Surface, op.Variant)
}

// All returns every built-in operator in catalog order.
func All() []Operator { return defaultCatalog.All() }

// IDs lists the built-in operator ids in catalog order.
func IDs() []string { return defaultCatalog.IDs() }

// Get returns the built-in operator with id.
func Get(id string) (Operator, bool) { return defaultCatalog.Get(id) }

// Stack returns the built-in catalog's stack for mutation.
func Stack(mutation string) (layers.Stack, error) { return defaultCatalog.Stack(mutation) }
