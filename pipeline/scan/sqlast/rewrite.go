package sqlast

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"unsafe"
)

// TrueConstant is a boolean TRUE literal node.
func TrueConstant() Node {
	return Node{"class": "CONSTANT", "type": "VALUE_CONSTANT", "alias": "", "query_location": json.Number("18446744073709551615"),
		"value": map[string]any{"type": map[string]any{"id": "BOOLEAN", "type_info": nil}, "is_null": false, "value": true}}
}

// RemoveConjuncts rebuilds the AND tree n without the conjuncts drop
// selects; nil when nothing is left.
func RemoveConjuncts(n Node, drop func(Node) bool) Node {
	if n == nil {
		return nil
	}
	if Class(n) == "CONJUNCTION" && Type(n) == "CONJUNCTION_AND" {
		var kept []any
		for _, c := range Children(n, "children") {
			if r := RemoveConjuncts(c, drop); r != nil {
				kept = append(kept, r)
			}
		}
		switch len(kept) {
		case 0:
			return nil
		case 1:
			return kept[0].(map[string]any)
		}
		out := Node{}
		for k, v := range n {
			out[k] = v
		}
		out["children"] = kept
		return out
	}
	if drop(n) {
		return nil
	}
	return n
}

// DropRestrictions removes, from the SELECT's WHERE clause and join
// conditions, every conjunct drop selects (an emptied join condition
// becomes TRUE). It reports how many were removed.
func (s *Select) DropRestrictions(drop func(Node) bool) int {
	removed := 0
	counting := func(n Node) bool {
		if drop(n) {
			removed++
			return true
		}
		return false
	}
	if w := Child(s.Node, "where_clause"); w != nil {
		if r := RemoveConjuncts(w, counting); r != nil {
			s.Node["where_clause"] = r
		} else {
			s.Node["where_clause"] = nil
		}
	}
	var joins func(n Node)
	joins = func(n Node) {
		if n == nil || Type(n) != "JOIN" {
			return
		}
		joins(Child(n, "left"))
		joins(Child(n, "right"))
		if c := Child(n, "condition"); c != nil {
			if r := RemoveConjuncts(c, counting); r != nil {
				n["condition"] = r
			} else {
				n["condition"] = TrueConstant()
			}
		}
	}
	joins(Child(s.Node, "from_table"))
	return removed
}

// ConditionalJoins lists the JOIN nodes of the SELECT's FROM clause that
// have a condition (the nodes DropRestrictions may change).
func (s *Select) ConditionalJoins() []Node {
	var out []Node
	var walk func(n Node)
	walk = func(n Node) {
		if n == nil || Type(n) != "JOIN" {
			return
		}
		walk(Child(n, "left"))
		walk(Child(n, "right"))
		if Child(n, "condition") != nil {
			out = append(out, n)
		}
	}
	walk(Child(s.Node, "from_table"))
	return out
}

// BaseTableNode builds a FROM reference to table under alias.
func BaseTableNode(table, alias string) Node {
	return Node{"type": "BASE_TABLE", "alias": alias, "sample": nil, "query_location": json.Number("18446744073709551615"),
		"schema_name": "", "table_name": table, "column_name_alias": []any{}, "catalog_name": "", "at_clause": nil}
}

// ColumnRefNode builds a column reference.
func ColumnRefNode(names ...string) Node {
	parts := make([]any, len(names))
	for i, n := range names {
		parts[i] = n
	}
	return Node{"class": "COLUMN_REF", "type": "COLUMN_REF", "alias": "", "query_location": json.Number("18446744073709551615"), "column_names": parts}
}

// EqualsNode builds `left = right`.
func EqualsNode(left, right Node) Node {
	return Node{"class": "COMPARISON", "type": "COMPARE_EQUAL", "alias": "", "query_location": json.Number("18446744073709551615"), "left": left, "right": right}
}

// AddJoin joins right to the SELECT's FROM clause with condition (nil for
// a cross join), as a LEFT join when left is true.
func (s *Select) AddJoin(right Node, condition Node, left bool) {
	jt, rt := "INNER", "CROSS"
	if condition != nil {
		rt = "REGULAR"
		if left {
			jt = "LEFT"
		}
	}
	s.Node["from_table"] = Node{"type": "JOIN", "alias": "", "sample": nil, "query_location": json.Number("18446744073709551615"),
		"left": Child(s.Node, "from_table"), "right": right, "condition": condition, "join_type": jt, "ref_type": rt,
		"using_columns": []any{}, "delim_flipped": false, "duplicate_eliminated_columns": []any{}}
}

// AddGroupedColumn appends expr to the SELECT list under alias and, when
// the SELECT groups, to its GROUP BY.
func (s *Select) AddGroupedColumn(expr Node, alias string) {
	e := Clone(expr).(map[string]any)
	e["alias"] = alias
	list, _ := s.Node["select_list"].([]any)
	s.Node["select_list"] = append(list, e)
	groups, _ := s.Node["group_expressions"].([]any)
	if len(groups) == 0 {
		return
	}
	idx := len(groups)
	s.Node["group_expressions"] = append(groups, Clone(expr))
	sets, _ := s.Node["group_sets"].([]any)
	for i, set := range sets {
		members, _ := set.([]any)
		sets[i] = append(members, json.Number(itoa(idx)))
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// SetLimit sets the constant LIMIT of the SELECT; false when it has none.
func (s *Select) SetLimit(n int) bool {
	for _, m := range Children(s.Node, "modifiers") {
		if Type(m) != "LIMIT_MODIFIER" {
			continue
		}
		lim := Child(m, "limit")
		if lim == nil || Class(lim) != "CONSTANT" {
			return false
		}
		v := Child(lim, "value")
		v["value"] = json.Number(itoa(n))
		return true
	}
	return false
}

// CopyPath returns a copy of root sharing everything with it but the
// containers (maps and lists) on the path from root down to target, a
// node of root's tree found by identity, which are copied one level deep;
// and the copy of target. A rewrite may then set target's fields (never
// mutate what they hold: copy that first) without touching root. ok is
// false when target is not in the tree.
func CopyPath(root, target Node) (Node, Node, bool) {
	nr, ts, ok := CopyPaths(root, []Node{target})
	if !ok {
		return nil, nil, false
	}
	return nr, ts[0], true
}

// CopyPaths is CopyPath for several targets at once: the containers on
// the paths to all of them are copied once each, so the copies stay in one
// tree. ok is false when a target is not in the tree.
func CopyPaths(root Node, targets []Node) (Node, []Node, bool) {
	type step struct {
		key string
		idx int // -1 for a map key
	}
	want := map[unsafe.Pointer]int{}
	for i, t := range targets {
		want[reflect.ValueOf(t).UnsafePointer()] = i
	}
	paths := make([][]step, len(targets))
	found := make([]bool, len(targets))
	var path []step
	var find func(v any)
	find = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if i, ok := want[reflect.ValueOf(x).UnsafePointer()]; ok && !found[i] {
				found[i], paths[i] = true, slices.Clone(path)
			}
			for k, c := range x {
				switch c.(type) {
				case map[string]any, []any:
					path = append(path, step{key: k, idx: -1})
					find(c)
					path = path[:len(path)-1]
				}
			}
		case []any:
			for i, c := range x {
				path = append(path, step{idx: i})
				find(c)
				path = path[:len(path)-1]
			}
		}
	}
	find(root)
	for _, f := range found {
		if !f {
			return nil, nil, false
		}
	}
	// copies maps each original container on a path to its copy
	copies := map[unsafe.Pointer]any{}
	copyOf := func(v any) any {
		k := reflect.ValueOf(v).UnsafePointer()
		if c, ok := copies[k]; ok {
			return c
		}
		var c any
		switch x := v.(type) {
		case map[string]any:
			c = maps.Clone(x)
		case []any:
			c = slices.Clone(x)
		}
		copies[k] = c
		return c
	}
	newRoot := copyOf(root).(map[string]any)
	out := make([]Node, len(targets))
	for i, p := range paths {
		var orig any = root
		cur := any(newRoot)
		for _, st := range p {
			var child any
			switch x := orig.(type) {
			case map[string]any:
				child = x[st.key]
			case []any:
				child = x[st.idx]
			}
			c := copyOf(child)
			switch x := cur.(type) {
			case map[string]any:
				x[st.key] = c
			case []any:
				x[st.idx] = c
			}
			orig, cur = child, c
		}
		out[i] = cur.(map[string]any)
	}
	return newRoot, out, true
}
