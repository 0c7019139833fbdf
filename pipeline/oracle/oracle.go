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
	// index[table][column][cell] lists row indexes with that value.
	index map[string]map[string]map[string][]int
	// zones maps tenants to their time zones (nil: the policy names none);
	// zoneErrs holds the tenants whose zone did not resolve.
	zones    map[string]*time.Location
	zoneErrs map[string]error
}

// New builds the oracle and its join indexes.
func New(d *spec.Domain, st *state.State) *Oracle {
	o := &Oracle{d: d, st: st, index: map[string]map[string]map[string][]int{}}
	o.zones, o.zoneErrs = loadZones(d, st)
	for _, t := range d.Schema.Tables {
		cols := []string{t.PrimaryKey}
		for _, fk := range t.ForeignKeys {
			cols = append(cols, fk.Column)
		}
		tab := st.Table(t.Name)
		o.index[t.Name] = map[string]map[string][]int{}
		for _, c := range cols {
			ci := tab.Col(c)
			m := map[string][]int{}
			for i, r := range tab.Rows {
				k := key(r[ci])
				m[k] = append(m[k], i)
			}
			o.index[t.Name][c] = m
		}
	}
	return o
}

// Domain returns the oracle's domain.
func (o *Oracle) Domain() *spec.Domain { return o.d }
