package resolve

import (
	"fmt"
	"sort"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// Edge is one step of a join path.
type Edge struct {
	// From and To are table names; the path walks From -> To.
	From, To string
	// FromColumn = ToColumn is the join condition.
	FromColumn, ToColumn string
	// FanOut is true when the step goes from a referenced row to the rows
	// that reference it (one-to-many).
	FanOut bool
	// Expansion is the foreign key's expansion factor (fan-out steps only).
	Expansion int
}

// Path finds the shortest join path from table `from` to table `to` over the
// foreign-key graph, preferring many-to-one steps, with ties broken by table
// name so the result is deterministic. A nil path with ok=true means from==to.
func Path(s *spec.Schema, from, to string) ([]Edge, bool) {
	if from == to {
		return nil, true
	}
	return cachedPath(s, from, to)
}

// shortestPath is Path over the adjacency adj (from != to).
func shortestPath(adj map[string][]Edge, from, to string) ([]Edge, bool) {
	type state struct {
		table string
		path  []Edge
		key   string // each step's "table.column/", for ties
		fans  int
	}
	best := map[string]int{from: 0}
	frontier := []state{{table: from}}
	var found *state
	for len(frontier) > 0 && found == nil {
		var next []state
		for _, st := range frontier {
			for _, e := range adj[st.table] {
				fans := st.fans
				if e.FanOut {
					fans++
				}
				if prev, seen := best[e.To]; seen && prev <= fans {
					continue
				}
				best[e.To] = fans
				p := append(append(make([]Edge, 0, len(st.path)+1), st.path...), e)
				next = append(next, state{table: e.To, path: p, key: st.key + e.To + "." + e.ToColumn + "/", fans: fans})
			}
		}
		sort.SliceStable(next, func(i, j int) bool {
			if next[i].fans != next[j].fans {
				return next[i].fans < next[j].fans
			}
			return next[i].key < next[j].key
		})
		for i := range next {
			if next[i].table == to {
				found = &next[i]
				break
			}
		}
		frontier = next
	}
	if found == nil {
		return nil, false
	}
	return found.path, true
}

// adjacency lists every table's join steps, from one pass over the
// schema: a foreign key is a many-to-one step from its table and a fan-out
// step back from the table it references; each table's steps are sorted
// (sortEdges).
func adjacency(s *spec.Schema) map[string][]Edge {
	adj := make(map[string][]Edge, len(s.Tables))
	for _, t := range s.Tables {
		for _, fk := range t.ForeignKeys {
			rt, rc, _ := spec.SplitQualified(fk.References)
			adj[t.Name] = append(adj[t.Name], Edge{From: t.Name, To: rt, FromColumn: fk.Column, ToColumn: rc})
			adj[rt] = append(adj[rt], Edge{From: rt, To: t.Name, FromColumn: rc, ToColumn: fk.Column, FanOut: true, Expansion: max(fk.Expansion, 1)})
		}
	}
	for t, es := range adj {
		sortEdges(es)
		adj[t] = es
	}
	return adj
}

// Ambiguous reports whether the join path Path picks from `from` to `to` is
// one of several that rank first: as short, with as few fan-out steps. Path
// then breaks the tie by table name, which says nothing about which rows the
// query means, so the correct validator refuses a dimension or filter whose
// table is reached ambiguously. Two foreign keys between the same tables are
// two paths. Unreachable tables are not ambiguous (Path reports them).
func Ambiguous(s *spec.Schema, from, to string) bool {
	if from == to {
		return false
	}
	// level by level: the fewest fan-outs at this distance and how many
	// paths achieve it (capped at 2)
	type rank struct{ fans, paths int }
	adj := adjacencyOf(s)
	seen := map[string]bool{from: true}
	level := map[string]rank{from: {0, 1}}
	for len(level) > 0 {
		next := map[string]rank{}
		for _, t := range spec.SortedKeys(level) {
			r := level[t]
			for _, e := range adj[t] {
				if seen[e.To] {
					continue
				}
				fans := r.fans
				if e.FanOut {
					fans++
				}
				cur, ok := next[e.To]
				switch {
				case !ok || fans < cur.fans:
					next[e.To] = rank{fans, r.paths}
				case fans == cur.fans:
					next[e.To] = rank{fans, min(cur.paths+r.paths, 2)}
				}
			}
		}
		if r, ok := next[to]; ok {
			return r.paths > 1
		}
		for t := range next {
			seen[t] = true
		}
		level = next
	}
	return false
}

// sortEdges orders join steps: many-to-one first, then by target table and
// column (stable, so two keys between the same columns keep schema order).
func sortEdges(out []Edge) {
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].FanOut != out[j].FanOut {
			return !out[i].FanOut
		}
		if out[i].To != out[j].To {
			return out[i].To < out[j].To
		}
		return out[i].ToColumn < out[j].ToColumn
	})
}

// Children lists the tables holding a foreign key to table, sorted by name.
func Children(s *spec.Schema, table string) []Edge {
	var out []Edge
	for _, e := range adjacencyOf(s)[table] {
		if e.FanOut {
			out = append(out, e)
		}
	}
	return out
}

// OwnerChain returns the foreign-key steps from table up to the tenancy
// table following OwnerVia, e.g. invoices -> subscriptions -> accounts -> tenants.
func OwnerChain(s *spec.Schema, table, tenancyTable string) ([]Edge, error) {
	var chain []Edge
	cur := table
	for i := 0; cur != tenancyTable; i++ {
		if i > len(s.Tables) {
			return nil, fmt.Errorf("owner_via cycle from table %s", table)
		}
		t := s.Table(cur)
		if t == nil {
			return nil, fmt.Errorf("unknown table %s", cur)
		}
		if t.OwnerVia == "" {
			return nil, fmt.Errorf("table %s has no owner_via and is not the tenancy table", cur)
		}
		fk := t.FK(t.OwnerVia)
		if fk == nil {
			return nil, fmt.Errorf("table %s: owner_via %s is not a foreign key", cur, t.OwnerVia)
		}
		rt, rc, _ := spec.SplitQualified(fk.References)
		chain = append(chain, Edge{From: cur, To: rt, FromColumn: fk.Column, ToColumn: rc})
		cur = rt
	}
	return chain, nil
}

// DirectlyOwned reports whether table carries its tenant id itself: its
// owner_via foreign key references the tenancy table.
func DirectlyOwned(s *spec.Schema, table, tenancyTable string) bool {
	t := s.Table(table)
	if t == nil || t.Name == tenancyTable {
		return false
	}
	fk := t.FK(t.OwnerVia)
	if fk == nil {
		return false
	}
	rt, _, _ := spec.SplitQualified(fk.References)
	return rt == tenancyTable
}
