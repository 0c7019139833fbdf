// Package oracle is the independent reference: the canonical authorization
// of a semantic query for a principal, the capabilities and columns the
// canonical policy grants, the rows each tenant owns, and the reference
// answer of a query computed in Go over the generated state. It shares no code
// with the layers under test (the compiler in particular): a compiler fault
// cannot change a reference answer.
package oracle

import (
	"time"

	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// Oracle answers canonical questions about one domain and state. It is safe
// for concurrent use once built.
type Oracle struct {
	d  *spec.Domain
	st *state.State
	// names resolves metric names and aliases; graph holds the foreign keys
	// attribution chains walk.
	names vocabulary
	graph *fkGraph
	// index[table][column][cell] lists row indexes with that value.
	index map[string]map[string]map[string][]int
	// zones maps tenants to their time zones (nil: the policy names none);
	// zoneErrs holds the tenants whose zone did not resolve.
	zones    map[string]*time.Location
	zoneErrs map[string]error
}

// New builds the oracle and its join indexes.
func New(d *spec.Domain, st *state.State) *Oracle {
	o := &Oracle{d: d, st: st, names: newVocabulary(d.Policy), graph: newFKGraph(d.Schema), index: map[string]map[string]map[string][]int{}}
	o.zones, o.zoneErrs = loadZones(d, st)
	// index both ends of every foreign key: attribution steps walk them
	// either way
	for _, r := range o.graph.refs {
		o.indexColumn(r.child, r.childCol)
		o.indexColumn(r.parent, r.parentCol)
	}
	return o
}

// indexColumn indexes table's rows by their value of column.
func (o *Oracle) indexColumn(table, column string) {
	tab := o.st.Table(table)
	if tab == nil || o.index[table][column] != nil {
		return
	}
	ci := tab.Col(column)
	if ci < 0 {
		return
	}
	m := map[string][]int{}
	for i, r := range tab.Rows {
		k := key(r[ci])
		m[k] = append(m[k], i)
	}
	if o.index[table] == nil {
		o.index[table] = map[string]map[string][]int{}
	}
	o.index[table][column] = m
}

// Domain returns the oracle's domain.
func (o *Oracle) Domain() *spec.Domain { return o.d }
