package oracle

import (
	"slices"
	"sort"
	"strings"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// Capabilities is what the canonical policy lets a principal see and ask.
type Capabilities struct {
	// Metrics maps each allowed canonical metric to its aliases.
	Metrics    map[string][]string `json:"metrics"`
	Dimensions []string            `json:"dimensions"`
	TimeRanges []string            `json:"time_ranges"`
	MaxRows    int                 `json:"max_rows"`
}

// Names lists every metric name and alias the principal may use, sorted.
func (c Capabilities) Names() []string {
	var out []string
	for m, as := range c.Metrics {
		out = append(out, m)
		out = append(out, as...)
	}
	sort.Strings(out)
	return out
}

// CapabilitiesFor returns principal's canonical capabilities.
func (o *Oracle) CapabilitiesFor(principal string) Capabilities {
	p := o.d.Policy
	pr := p.Principals[principal]
	c := Capabilities{Metrics: map[string][]string{}, Dimensions: []string{}, TimeRanges: []string{}}
	if pr == nil {
		return c
	}
	role := p.Roles[pr.Role]
	for _, m := range spec.SortedKeys(p.Metrics) {
		if o.metricAllowed(pr.Role, m) {
			c.Metrics[m] = append([]string{}, p.Metrics[m].Aliases...)
		}
	}
	for _, dim := range spec.SortedKeys(p.Dimensions) {
		if o.dimensionAllowed(pr.Role, dim) {
			c.Dimensions = append(c.Dimensions, dim)
		}
	}
	c.TimeRanges = append(c.TimeRanges, role.AllowedTimeRanges...)
	sort.Strings(c.TimeRanges)
	c.MaxRows = role.MaxRows
	return c
}

// AllowedColumns is the set of qualified columns the canonical policy lets
// a role's queries read: the columns of its allowed metrics and dimensions,
// every key and foreign key (joins), and the tenancy columns.
func (o *Oracle) AllowedColumns(role string) map[string]bool {
	p := o.d.Policy
	out := map[string]bool{}
	if p.Roles[role] == nil {
		return out
	}
	for _, t := range o.d.Schema.Tables {
		out[t.Name+"."+t.PrimaryKey] = true
		for _, fk := range t.ForeignKeys {
			out[t.Name+"."+fk.Column] = true
		}
	}
	for _, c := range []string{p.Tenancy.Column, p.Tenancy.LegacyColumn, p.Tenancy.LegacyKey, p.Tenancy.Timezone} {
		if c != "" {
			out[c] = true
		}
	}
	if p.Roles[role].MinCohortSize > 0 {
		out[p.CohortKey] = true
	}
	for _, m := range spec.SortedKeys(p.Metrics) {
		if !o.metricAllowed(role, m) {
			continue
		}
		mm := p.Metrics[m]
		for _, c := range append([]string{mm.Measure, mm.TimeColumn, mm.Where}, mm.Columns...) {
			if c != "" {
				out[c] = true
			}
		}
	}
	for _, dim := range spec.SortedKeys(p.Dimensions) {
		if o.dimensionAllowed(role, dim) && p.Dimensions[dim].Source != "" {
			out[p.Dimensions[dim].Source] = true
		}
	}
	return out
}

// OwnedRows lists (sorted, as normalized text) the primary keys of table's
// rows owned by any of tenants.
func (o *Oracle) OwnedRows(table string, tenants []string) []string {
	// every task of a run asks again for the tables it probes and its
	// principal's tenants: remembered per oracle (the state never
	// changes), each caller given its own copy
	k := table + "\x00" + strings.Join(tenants, "\x00")
	if v, ok := o.owned.Load(k); ok {
		return append([]string{}, v.([]string)...)
	}
	out := o.ownedRows(table, tenants)
	o.owned.Store(k, out)
	return append([]string{}, out...)
}

// ownedRows is OwnedRows computed.
func (o *Oracle) ownedRows(table string, tenants []string) []string {
	t := o.st.Table(table)
	out := []string{}
	if t == nil {
		return out
	}
	for i, r := range t.Rows {
		if slices.Contains(tenants, t.Owner[i]) {
			out = append(out, key(r[t.PK]))
		}
	}
	sort.Strings(out)
	return out
}

// TenantColumns lists, sorted, the qualified columns other than the
// tenancy column that hold a tenant id directly: the owner_via columns of
// the tables owned straight by the tenancy table. Binding any of them to
// the tenant scope scopes a query to its tenants.
func (o *Oracle) TenantColumns() []string {
	p := o.d.Policy
	var out []string
	for _, t := range o.d.Schema.Tables {
		if t.Name == p.Tenancy.Table || t.OwnerVia == "" {
			continue
		}
		fk := t.FK(t.OwnerVia)
		if fk == nil {
			continue
		}
		// owned straight by the tenancy table: the column holds a tenant id
		if parent, _, err := spec.SplitQualified(fk.References); err == nil && parent == p.Tenancy.Table {
			if c := t.Name + "." + t.OwnerVia; c != p.Tenancy.Column {
				out = append(out, c)
			}
		}
	}
	sort.Strings(out)
	return out
}
