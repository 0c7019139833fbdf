package minimize

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"sort"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// Subset is a state as the rows it keeps of the full state: per base table,
// increasing row indexes into the full state's rows.
type Subset map[string][]int

// Rows counts the rows s keeps.
func (s Subset) Rows() int {
	n := 0
	for _, ix := range s {
		n += len(ix)
	}
	return n
}

// Key is a canonical string for s (tables sorted), for memos.
func (s Subset) Key() string {
	h := sha256.New()
	var b [8]byte
	for _, t := range spec.SortedKeys(s) {
		h.Write([]byte(t))
		h.Write([]byte{0})
		for _, i := range s[t] {
			binary.LittleEndian.PutUint64(b[:], uint64(i))
			h.Write(b[:])
		}
		h.Write([]byte{1})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Select returns the rows of full that s keeps, in order.
func (s Subset) Select(full map[string][][]any) map[string][][]any {
	out := map[string][][]any{}
	for t, ix := range s {
		rows := make([][]any, len(ix))
		for k, i := range ix {
			rows[k] = full[t][i]
		}
		out[t] = rows
	}
	return out
}

// rowID names one row of the full state.
type rowID struct {
	table string
	index int
}

// Space is the full state a reduction works in: its base tables, each
// table's depth in the foreign-key graph, and which rows reference which.
type Space struct {
	tables []string
	level  map[string]int
	size   map[string]int
	// offset numbers the rows of all tables in one range: row i of table
	// t is offset[t]+i; children lists, by that number, the rows that
	// reference the row
	offset   map[string]int
	total    int
	children [][]rowID
}

// id is r's number in the space's single range.
func (sp *Space) id(r rowID) int { return sp.offset[r.table] + r.index }

// NewSpace indexes the foreign keys of full, the base rows of a state of d.
func NewSpace(d *spec.Domain, full map[string][][]any) *Space {
	sp := &Space{level: map[string]int{}, size: map[string]int{}, offset: map[string]int{}}
	base := map[string]*spec.Table{}
	for _, t := range d.Schema.Tables {
		if t.MaterializedView == nil {
			sp.tables = append(sp.tables, t.Name)
			base[t.Name] = t
			sp.size[t.Name] = len(full[t.Name])
			sp.offset[t.Name] = sp.total
			sp.total += len(full[t.Name])
		}
	}
	sp.children = make([][]rowID, sp.total)
	var depth func(name string, seen int) int
	depth = func(name string, seen int) int {
		if v, ok := sp.level[name]; ok {
			return v
		}
		best := 0
		if seen <= len(sp.tables) {
			for _, fk := range base[name].ForeignKeys {
				rt, _, err := spec.SplitQualified(fk.References)
				if err == nil && base[rt] != nil && rt != name {
					best = max(best, depth(rt, seen+1)+1)
				}
			}
		}
		sp.level[name] = best
		return best
	}
	for _, name := range sp.tables {
		depth(name, 0)
	}
	for _, name := range sp.tables {
		t := base[name]
		for _, fk := range t.ForeignKeys {
			rt, rc, err := spec.SplitQualified(fk.References)
			if err != nil || base[rt] == nil {
				continue
			}
			ci, ri := colIndex(t, fk.Column), colIndex(base[rt], rc)
			if ci < 0 || ri < 0 {
				continue
			}
			byVal := map[any][]int{}
			for j, r := range full[rt] {
				byVal[r[ri]] = append(byVal[r[ri]], j)
			}
			for i, r := range full[name] {
				if r[ci] == nil {
					continue
				}
				for _, j := range byVal[r[ci]] {
					p := sp.id(rowID{rt, j})
					sp.children[p] = append(sp.children[p], rowID{name, i})
				}
			}
		}
	}
	return sp
}

func colIndex(t *spec.Table, name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Full is the subset that keeps every row.
func (sp *Space) Full() Subset {
	s := Subset{}
	for _, t := range sp.tables {
		ix := make([]int, sp.size[t])
		for i := range ix {
			ix[i] = i
		}
		s[t] = ix
	}
	return s
}

// Union is the subset that keeps every row some of ss keeps. Subsets made
// by Without keep a row's parents with it, and so does their union.
func (sp *Space) Union(ss ...Subset) Subset {
	out := make(Subset, len(sp.tables))
	for _, t := range sp.tables {
		in := make([]bool, sp.size[t])
		n := 0
		for _, s := range ss {
			for _, i := range s[t] {
				if !in[i] {
					in[i] = true
					n++
				}
			}
		}
		keep := make([]int, 0, n)
		for i, ok := range in {
			if ok {
				keep = append(keep, i)
			}
		}
		out[t] = keep
	}
	return out
}

// Without returns s minus rows and, transitively, every row that
// references a removed row.
func (sp *Space) Without(s Subset, rows []rowID) Subset {
	gone := make([]bool, sp.total)
	stack := append([]rowID{}, rows...)
	for len(stack) > 0 {
		r := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		id := sp.id(r)
		if gone[id] {
			continue
		}
		gone[id] = true
		stack = append(stack, sp.children[id]...)
	}
	out := make(Subset, len(sp.tables))
	for _, t := range sp.tables {
		off, n := sp.offset[t], 0
		for _, i := range s[t] {
			if !gone[off+i] {
				n++
			}
		}
		keep := make([]int, 0, n)
		for _, i := range s[t] {
			if !gone[off+i] {
				keep = append(keep, i)
			}
		}
		out[t] = keep
	}
	return out
}

// rowsAt lists s's rows of the tables at depth level, in table then index
// order.
func (sp *Space) rowsAt(s Subset, level int) []rowID {
	var out []rowID
	for _, t := range sp.tables {
		if sp.level[t] == level {
			for _, i := range s[t] {
				out = append(out, rowID{t, i})
			}
		}
	}
	return out
}

// all lists s's rows, deepest tables first (leaves before the rows they
// hang from), then in table and index order.
func (sp *Space) all(s Subset) []rowID {
	var out []rowID
	for lvl := sp.maxLevel(); lvl >= 0; lvl-- {
		out = append(out, sp.rowsAt(s, lvl)...)
	}
	return out
}

func (sp *Space) maxLevel() int {
	m := 0
	for _, l := range sp.level {
		m = max(m, l)
	}
	return m
}

// ReduceState shrinks the state from start (which must preserve the
// witness with q) level by level of the foreign-key graph (tenants first):
// at each level, minSet picks the level's rows to keep, each removal
// cascading to the rows below.
func (sp *Space) ReduceState(q spec.SemanticQuery, start Subset, check Check, st *Stats) (Subset, error) {
	s := start
	for lvl := 0; lvl <= sp.maxLevel(); lvl++ {
		items := sp.rowsAt(s, lvl)
		if len(items) == 0 {
			continue
		}
		kept, err := minSet(items, func(keep []rowID) (bool, error) {
			return st.tryState(check, q, sp.Without(s, minus(items, keep)))
		})
		if err != nil {
			return s, err
		}
		s = sp.Without(s, minus(items, kept))
		if st.Exhausted {
			return s, nil
		}
	}
	return s, nil
}

// OneMinimal reduces (q, s) by single steps until no query move and no
// single row removal (with its cascade) preserves the witness, and reports
// whether it got there within the budgets.
func (sp *Space) OneMinimal(q spec.SemanticQuery, s Subset, check Check, st *Stats) (spec.SemanticQuery, Subset, bool, error) {
	for {
		nq, err := ReduceQuery(q, s, check, st)
		if err != nil || st.Exhausted {
			return nq, s, false, err
		}
		changed := nq.Key() != q.Key()
		q = nq
		for _, r := range sp.all(s) {
			cand := sp.Without(s, []rowID{r})
			ok, err := st.tryState(check, q, cand)
			if err != nil || st.Exhausted {
				return q, s, false, err
			}
			if ok {
				s, changed = cand, true
				break
			}
		}
		if !changed {
			return q, s, true, nil
		}
	}
}

// minus lists the items of all that are not in keep.
func minus(all, keep []rowID) []rowID {
	k := map[rowID]bool{}
	for _, r := range keep {
		k[r] = true
	}
	var out []rowID
	for _, r := range all {
		if !k[r] {
			out = append(out, r)
		}
	}
	return out
}

// minSet finds a subset of items that passes test, given that items
// passes, one needed item at a time: with the items found so far (kept)
// and the candidates left (rest), a binary search over prefixes finds the
// shortest rest[:k] that passes with kept; rest[k-1] is then needed (kept
// with rest[:k-1] fails), joins kept, and the search goes on in
// rest[:k-1] until kept passes alone. The empty set is tried first. A
// witness that needs r of n rows costs about r*(log2(n)+1) replays
// (ddmin: about 2*r*log2(n)); a test that is not monotone still ends on a
// passing set, whose 1-minimality OneMinimal checks. (Galloping from the
// front of the list before bisecting, on the guess that needed rows come
// early, took as many replays and the same time: generated 500, paired.)
func minSet(items []rowID, test func([]rowID) (bool, error)) ([]rowID, error) {
	ok, err := test(nil)
	if err != nil || ok {
		return nil, err
	}
	var kept []rowID
	rest := items
	with := func(k int) []rowID {
		return append(append(make([]rowID, 0, len(kept)+k), kept...), rest[:k]...)
	}
	for len(rest) > 0 {
		// kept+rest[:lo] fails, kept+rest[:hi] passes
		lo, hi := 0, len(rest)
		for hi-lo > 1 {
			mid := lo + (hi-lo)/2
			ok, err := test(with(mid))
			if err != nil {
				return items, err
			}
			if ok {
				hi = mid
			} else {
				lo = mid
			}
		}
		kept = append(kept, rest[hi-1])
		rest = rest[:hi-1]
		if len(rest) == 0 {
			break
		}
		ok, err := test(kept)
		if err != nil {
			return items, err
		}
		if ok {
			break
		}
	}
	return kept, nil
}

// Extensions lists s plus one more row, for each row of the full state
// whose foreign keys all point into s (in table and index order).
func (sp *Space) Extensions(s Subset) []Subset {
	in := make([]bool, sp.total)
	for t, ix := range s {
		for _, i := range ix {
			in[sp.offset[t]+i] = true
		}
	}
	// parents counts, per row, its referenced rows outside s
	outside := make([]int, sp.total)
	for p, kids := range sp.children {
		if !in[p] {
			for _, k := range kids {
				outside[sp.id(k)]++
			}
		}
	}
	var out []Subset
	for _, t := range sp.tables {
		for i := 0; i < sp.size[t]; i++ {
			id := sp.offset[t] + i
			if in[id] || outside[id] > 0 {
				continue
			}
			c := make(Subset, len(s))
			for tt, ix := range s {
				c[tt] = ix
			}
			ix := append(append([]int{}, s[t]...), i)
			sort.Ints(ix)
			c[t] = ix
			out = append(out, c)
		}
	}
	return out
}
