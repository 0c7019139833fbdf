// Package catalog is the mutation-operator catalog: for each operator, the
// surface it faults, the layer variant that implements the fault, and the
// labels the fault model expects (witness class, localized surface,
// containment layer). The expected labels are ground truth for accounting
// only; the detector never imports this package.
package catalog

import (
	"fmt"
	"slices"
	"strings"

	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/spec"
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
	// Origin is "reference" for the Python reference's operators and
	// "added" for the real failure modes this project added.
	Origin string `json:"origin"`
	// Hint tells generators which queries exercise the fault. It shapes
	// inputs only; the detector never sees it.
	Hint Hint `json:"hint"`
	// Requires, when set, lists the domain features (see Features) the
	// operator's fault acts on; it is offered only to domains that declare
	// them all.
	Requires []string `json:"requires,omitempty"`
}

// DeclaredBy reports whether domain d declares every feature o requires.
func (o Operator) DeclaredBy(d *spec.Domain) bool {
	return len(o.Missing(d)) == 0
}

// Missing lists the features o requires that domain d does not declare.
func (o Operator) Missing(d *spec.Domain) []string {
	have := Features(d)
	var out []string
	for _, f := range o.Requires {
		if !slices.Contains(have, f) {
			out = append(out, f)
		}
	}
	return out
}

// Hint describes the inputs that exercise an operator's fault.
type Hint struct {
	// TimeRange prefers this time range.
	TimeRange string `json:"time_range,omitempty"`
	// MinFilters asks for at least this many filters.
	MinFilters int `json:"min_filters,omitempty"`
	// FanOut asks for a dimension reached through a one-to-many join.
	FanOut bool `json:"fan_out,omitempty"`
	// Month asks for a month bucket dimension.
	Month bool `json:"month,omitempty"`
	// Alias asks for the metric by one of its aliases.
	Alias bool `json:"alias,omitempty"`
	// DeniedMetric asks for a metric the principal's role is not granted.
	DeniedMetric bool `json:"denied_metric,omitempty"`
	// Sensitive asks for a sensitive dimension.
	Sensitive bool `json:"sensitive,omitempty"`
	// OverLimit asks for a limit above the role's max_rows.
	OverLimit bool `json:"over_limit,omitempty"`
	// DeniedTimeRange asks for a time range the role is not granted.
	DeniedTimeRange bool `json:"denied_time_range,omitempty"`
	// Day asks for a day bucket dimension.
	Day bool `json:"day,omitempty"`
	// DistinctCount asks for a metric that counts distinct values.
	DistinctCount bool `json:"distinct_count,omitempty"`
	// Rollup asks for a metric and dimensions a materialized view holds.
	Rollup bool `json:"rollup,omitempty"`
	// Sampled asks for a sampled metric, by a principal granted one.
	Sampled bool `json:"sampled,omitempty"`
	// Cohort asks for a principal whose role has a minimum cohort size and
	// for fine groups (at least two dimensions).
	Cohort bool `json:"cohort,omitempty"`
	// Authorized asks for a request the principal's role grants: a granted
	// metric, dimensions and time range, within the row limit (for faults
	// that act on released answers).
	Authorized bool `json:"authorized,omitempty"`
}

// operators is the built-in catalog, in catalog order: the reference
// operators that apply to every domain, then the operators this project
// added, then the reference's ClickHouse operators.
var operators = append(append(append([]Operator{}, referenceOperators...), addedOperators...), clickHouseOperators...)

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

// Applies reports why operator o cannot be injected into domain d: the
// domain does not declare a feature the operator requires, or its layer
// variant has nothing to act on there (see layers.Applicable). nil means it
// applies.
func Applies(o Operator, d *spec.Domain) error {
	if missing := o.Missing(d); len(missing) > 0 {
		return fmt.Errorf("operator %s needs a domain that declares %s; domain %s does not", o.ID, strings.Join(missing, " and "), d.Name)
	}
	if err := layers.Applicable(o.Variant, d); err != nil {
		return fmt.Errorf("operator %s is inapplicable to domain %s: %w", o.ID, d.Name, err)
	}
	return nil
}

// For returns, in catalog order, the operators that apply to domain d.
func (c *Catalog) For(d *spec.Domain) []Operator {
	var out []Operator
	for _, o := range c.ops {
		if Applies(o, d) == nil {
			out = append(out, o)
		}
	}
	return out
}

// Inapplicable maps the operators whose required features d declares but
// that cannot act on d to the reason (the generators skip them; a suite
// task naming one is accounted invalid).
func (c *Catalog) Inapplicable(d *spec.Domain) map[string]string {
	out := map[string]string{}
	for _, o := range c.ops {
		if !o.DeclaredBy(d) {
			continue
		}
		if err := Applies(o, d); err != nil {
			out[o.ID] = err.Error()
		}
	}
	return out
}

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

// For returns the built-in operators that apply to domain d.
func For(d *spec.Domain) []Operator { return defaultCatalog.For(d) }

// Inapplicable maps the built-in operators whose required features d
// declares but that cannot act on d to the reason.
func Inapplicable(d *spec.Domain) map[string]string { return defaultCatalog.Inapplicable(d) }

// IDsFor lists the ids of the built-in operators that apply to domain d.
func IDsFor(d *spec.Domain) []string {
	ops := For(d)
	out := make([]string, len(ops))
	for i, o := range ops {
		out[i] = o.ID
	}
	return out
}

// Get returns the built-in operator with id.
func Get(id string) (Operator, bool) { return defaultCatalog.Get(id) }

// Stack returns the built-in catalog's stack for mutation.
func Stack(mutation string) (layers.Stack, error) { return defaultCatalog.Stack(mutation) }
