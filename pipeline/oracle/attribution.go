package oracle

import (
	"fmt"
	"slices"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// This file is the oracle's own join and attribution semantics, read from
// the raw foreign keys of the schema (see the package documentation). It
// does not pick among equally good join paths: a tie is a question the
// canonical policy cannot answer, and the query is refused.

// reference is one foreign key of the raw schema: each row of child holds in
// childCol the parentCol value of at most one row of parent.
type reference struct {
	child, childCol   string
	parent, parentCol string
	// expansion is the expected number of child rows per parent row.
	expansion int
}

// step crosses one reference: upward (child to parent, at most one row) or
// downward (parent to its child rows: a fan-out).
type step struct {
	ref  *reference
	down bool
}

// origin and target are the tables a step leaves and enters.
func (s step) origin() string {
	if s.down {
		return s.ref.parent
	}
	return s.ref.child
}

func (s step) target() string {
	if s.down {
		return s.ref.child
	}
	return s.ref.parent
}

// keys are the columns the step matches: fromCol of the origin row equals
// toCol of the target row.
func (s step) keys() (fromCol, toCol string) {
	if s.down {
		return s.ref.parentCol, s.ref.childCol
	}
	return s.ref.childCol, s.ref.parentCol
}

// fkGraph is the schema's tables linked by their foreign keys, walkable in
// both directions, with the attribution route between every two tables.
type fkGraph struct {
	refs  []*reference
	steps map[string][]step // table -> the steps leaving it
	// routes[from][to] is route(from, to), computed once
	routes map[string]map[string]routed
}

type routed struct {
	chain  []step
	status int
}

// newFKGraph reads the foreign keys of s.
func newFKGraph(s *spec.Schema) *fkGraph {
	g := &fkGraph{steps: map[string][]step{}}
	for _, t := range s.Tables {
		for _, fk := range t.ForeignKeys {
			pt, pc, err := spec.SplitQualified(fk.References)
			if err != nil {
				continue
			}
			r := &reference{child: t.Name, childCol: fk.Column, parent: pt, parentCol: pc, expansion: max(fk.Expansion, 1)}
			g.refs = append(g.refs, r)
			g.steps[r.child] = append(g.steps[r.child], step{ref: r})
			g.steps[r.parent] = append(g.steps[r.parent], step{ref: r, down: true})
		}
	}
	g.routes = map[string]map[string]routed{}
	for _, from := range s.Tables {
		g.routes[from.Name] = map[string]routed{}
		for _, to := range s.Tables {
			chain, status := g.search(from.Name, to.Name)
			g.routes[from.Name][to.Name] = routed{chain, status}
		}
	}
	return g
}

// route is the attribution chain from table from to table to (see search).
func (g *fkGraph) route(from, to string) ([]step, int) {
	if r, ok := g.routes[from][to]; ok {
		return r.chain, r.status
	}
	return g.search(from, to)
}

// Attribution outcomes of a route.
const (
	routeFound = iota
	routeAmbiguous
	routeMissing
)

// search finds the attribution chain from table from to table to: the
// shortest chain of references between them; among the shortest, the one
// with the fewest downward steps. It reports routeAmbiguous when two or
// more chains tie on both counts and routeMissing when no chain exists.
func (g *fkGraph) search(from, to string) ([]step, int) {
	if from == to {
		return nil, routeFound
	}
	// distance of every table to the target, walking references either way
	dist := map[string]int{to: 0}
	queue := []string{to}
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		for _, s := range g.steps[t] {
			if _, ok := dist[s.target()]; !ok {
				dist[s.target()] = dist[t] + 1
				queue = append(queue, s.target())
			}
		}
	}
	if _, ok := dist[from]; !ok {
		return nil, routeMissing
	}
	// every shortest chain moves one table closer to the target per step
	var best []step
	bestDown, ties := -1, 0
	var walk func(at string, chain []step, down int)
	walk = func(at string, chain []step, down int) {
		if at == to {
			switch {
			case bestDown < 0 || down < bestDown:
				best, bestDown, ties = slices.Clone(chain), down, 1
			case down == bestDown:
				ties++
			}
			return
		}
		for _, s := range g.steps[at] {
			if d, ok := dist[s.target()]; ok && d == dist[at]-1 {
				n := down
				if s.down {
					n++
				}
				walk(s.target(), append(chain, s), n)
			}
		}
	}
	walk(from, nil, 0)
	if ties > 1 {
		return nil, routeAmbiguous
	}
	return best, routeFound
}

// plan is how a query's dimensions and filters attach to the metric's rows:
// node 0 is the metric's table; every other node is a table reached by one
// step from an earlier node. A table appears once, so two dimensions of one
// table read the same row.
type plan struct {
	nodes []planNode
	// at maps a table to its node.
	at map[string]int
}

type planNode struct {
	table  string
	parent int
	via    step
}

// attributionError is why a dimension has no reference answer.
type attributionError struct {
	reason string // ReasonAmbiguousAttribution or ReasonNoAttribution
	detail string
}

func (e *attributionError) Error() string { return e.reason + ": " + e.detail }

// attribute builds the plan joining the metric table root to the tables of
// the named dimensions and filters (time buckets add nothing: they read the
// metric's own time column).
func (o *Oracle) attribute(root string, names []string) (*plan, error) {
	pl := &plan{nodes: []planNode{{table: root, parent: -1}}, at: map[string]int{root: 0}}
	for _, name := range names {
		dd := o.d.Policy.Dimensions[name]
		if dd == nil {
			return nil, fmt.Errorf("unknown dimension %q", name)
		}
		if dd.Source == "" {
			continue
		}
		table, _, err := spec.SplitQualified(dd.Source)
		if err != nil {
			return nil, fmt.Errorf("dimension %s: %w", name, err)
		}
		chain, status := o.graph.route(root, table)
		switch status {
		case routeAmbiguous:
			return nil, &attributionError{ReasonAmbiguousAttribution,
				fmt.Sprintf("%s: %s is reached from %s by more than one shortest join path with as few fan-outs", name, table, root)}
		case routeMissing:
			return nil, &attributionError{ReasonNoAttribution, fmt.Sprintf("%s: no join path from %s to %s", name, root, table)}
		}
		cur := 0
		for _, s := range chain {
			if n, ok := pl.at[s.target()]; ok {
				// already attached: it must be by this same step, or the
				// two dimensions disagree on which rows the table holds
				if pl.nodes[n].parent != cur || pl.nodes[n].via != s {
					return nil, &attributionError{ReasonAmbiguousAttribution,
						fmt.Sprintf("%s: %s is reached from %s along another path than for an earlier dimension", name, s.target(), root)}
				}
				cur = n
				continue
			}
			pl.nodes = append(pl.nodes, planNode{table: s.target(), parent: cur, via: s})
			pl.at[s.target()] = len(pl.nodes) - 1
			cur = len(pl.nodes) - 1
		}
	}
	return pl, nil
}

// fanOut is the product of the expansion factors of the plan's downward
// steps: how many joined rows one metric row is expected to become.
func (pl *plan) fanOut() int {
	f := 1
	for _, n := range pl.nodes[1:] {
		if n.via.down {
			f *= n.via.ref.expansion
		}
	}
	return f
}

// joined lists the plan's joined rows for row ri of the root table: one row
// index per node, every row owned by one of tenants, consecutive nodes
// matching on their step's keys (SQL equality: NULL matches nothing). No
// joined row at all means the metric row joins nothing, as in an inner join.
func (o *Oracle) joined(pl *plan, ri int, tenants []string) [][]int {
	out := [][]int{{ri}}
	for _, n := range pl.nodes[1:] {
		parent := o.st.Table(pl.nodes[n.parent].table)
		tab := o.st.Table(n.table)
		fromCol, toCol := n.via.keys()
		fc := parent.Col(fromCol)
		var next [][]int
		for _, rows := range out {
			v := parent.Rows[rows[n.parent]][fc]
			if v == nil {
				continue
			}
			for _, ti := range o.lookup(n.table, toCol, v) {
				if slices.Contains(tenants, tab.Owner[ti]) {
					next = append(next, append(slices.Clip(rows), ti))
				}
			}
		}
		out = next
	}
	return out
}

// lookup lists the rows of table whose column equals v.
func (o *Oracle) lookup(table, column string, v any) []int {
	return o.indexed(table, column)[key(v)]
}
