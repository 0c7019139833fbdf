// Package oracle is the independent reference: the canonical authorization
// of a semantic query for a principal, the capabilities and columns the
// canonical policy grants, the rows each tenant owns, and the reference
// answer of a query computed in Go over the generated state.
//
// It shares no code with the layers it judges. It does not import the
// layers' resolution (pipeline/resolve), the layers, the database, the
// catalog, the detector or the evaluator, and from pipeline/spec it calls
// only pure data accessors (Table, Column, FK, SplitQualified, SortedKeys);
// tests enforce both. Metric names and aliases, join paths, fan-out,
// sampling factors and calendar arithmetic are resolved here, from the raw
// policy maps and the schema's foreign keys, so a fault in the layers'
// resolution shows up as a disagreement instead of being shared.
//
// Semantics of the reference answer:
//
//   - Names. A metric is named by its key in policy.yaml or by one of its
//     aliases; a word claimed by two metrics names neither.
//   - Attribution. A dimension or filter reading a column of table T is
//     attached to the metric's rows (table M) along the shortest chain of
//     foreign-key references between M and T. Each step follows one
//     foreign key, upward (from a row to the one row it references) or
//     downward (from a row to every row referencing it: a fan-out). Among
//     equally short chains the one with fewer downward steps is taken. When
//     two or more chains remain (two foreign keys between the same tables,
//     or two routes through different tables), the query has no reference
//     answer: which rows it means is not written anywhere, and picking one
//     by table name would be arbitrary. The canonical policy refuses it
//     (ambiguous_attribution), and so does the correct validator. No chain
//     at all is no_attribution.
//   - Joined rows. For each metric row in the time window and the
//     principal's tenants, the joined rows are one row per table of the
//     query's chains (a table shared by two chains is the same row), every
//     one owned by the principal's tenants, consecutive rows equal on their
//     foreign key (NULL matches nothing). A metric row with no joined row
//     drops out, as in an inner join.
//   - Fan-out. When a chain fans out, one metric row has several joined
//     rows. It counts once in every distinct group (tuple of dimension
//     values) one of its joined rows belongs to, and never twice in the
//     same group; a filter keeps it in a group only when one joined row
//     carries both the filter's value and the group's values. Groups may
//     therefore overlap and add up to more than the total. In support_saas,
//     "net revenue by ticket severity" is, for each severity s, the net
//     amount of the invoices in the window whose account (invoices ->
//     subscriptions -> accounts) has at least one ticket of severity s
//     owned by the principal's tenants, whatever the ticket's date (the
//     time range applies to the metric's rows); an invoice whose account
//     has tickets of three severities counts in three groups, and one whose
//     account has no ticket is in none. The aggregate (sum, count, count_distinct, avg)
//     then runs over the distinct metric rows of each group.
//   - Cost. The metric's cost plus each dimension's, times the expansion
//     factor of every downward step of the query's chains.
package oracle

import (
	"sync"
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
	// index[table][column] lists, by cell, the row indexes with that
	// value, for both ends of every foreign key, each built on first use
	index map[string]map[string]*columnIndex
	// zones maps tenants to their time zones (nil: the policy names none);
	// zoneErrs holds the tenants whose zone did not resolve.
	zones    map[string]*time.Location
	zoneErrs map[string]error
	// owned remembers OwnedRows by table and tenants
	owned sync.Map
}

// New builds the oracle and its join indexes.
func New(d *spec.Domain, st *state.State) *Oracle {
	return (&Oracle{d: d, names: newVocabulary(d.Policy), graph: newFKGraph(d.Schema)}).On(st)
}

// On is the oracle of the same domain on the state st: it shares o's
// name resolution and foreign-key routes (they depend on the policy and
// the schema only, and never change once built) and indexes st's rows.
// The minimizer judges thousands of candidate states of one domain.
func (o *Oracle) On(st *state.State) *Oracle {
	n := &Oracle{d: o.d, st: st, names: o.names, graph: o.graph, index: map[string]map[string]*columnIndex{}}
	n.zones, n.zoneErrs = loadZones(n.d, st)
	// both ends of every foreign key: attribution steps walk them either
	// way; each is indexed when a step first walks it (a replay's state
	// is judged on a few of them)
	for _, r := range n.graph.refs {
		n.addIndex(r.child, r.childCol)
		n.addIndex(r.parent, r.parentCol)
	}
	return n
}

// columnIndex is one column's index of its table's rows by value, built
// once, on first use (safe for concurrent use: an oracle is shared).
type columnIndex struct {
	once sync.Once
	rows map[string][]int
}

// addIndex declares table's column indexed (a table or column the state
// does not have is not).
func (o *Oracle) addIndex(table, column string) {
	tab := o.st.Table(table)
	if tab == nil || tab.Col(column) < 0 || o.index[table][column] != nil {
		return
	}
	if o.index[table] == nil {
		o.index[table] = map[string]*columnIndex{}
	}
	o.index[table][column] = &columnIndex{}
}

// indexed is the index of table's column by value (nil when it has none).
func (o *Oracle) indexed(table, column string) map[string][]int {
	ix := o.index[table][column]
	if ix == nil {
		return nil
	}
	ix.once.Do(func() {
		tab := o.st.Table(table)
		ci := tab.Col(column)
		m := map[string][]int{}
		for i, r := range tab.Rows {
			k := key(r[ci])
			m[k] = append(m[k], i)
		}
		ix.rows = m
	})
	return ix.rows
}

// Domain returns the oracle's domain.
func (o *Oracle) Domain() *spec.Domain { return o.d }
