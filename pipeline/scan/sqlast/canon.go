package sqlast

import (
	"encoding/json"
	"strings"
)

// Canonical returns a canonical text of an expression: locations and
// aliases dropped, function names lowercased, and each column reference
// replaced by what column(names) returns (for instance the qualified
// base-table column it resolves to). Two expressions that compute the same
// thing over the same columns in the same way have the same text.
func Canonical(n Node, column func(names []string) string) string {
	b, _ := json.Marshal(canon(n, column))
	return string(b)
}

func canon(v any, column func([]string) string) any {
	switch x := v.(type) {
	case map[string]any:
		if Class(x) == "COLUMN_REF" {
			return map[string]any{"col": column(ColumnNames(x))}
		}
		if Class(x) == "SUBQUERY" {
			return map[string]any{"subquery": true}
		}
		out := make(map[string]any, len(x))
		for k, c := range x {
			switch k {
			case "alias", "query_location":
				continue
			case "function_name":
				s, _ := c.(string)
				out[k] = strings.ToLower(s)
				continue
			}
			out[k] = canon(c, column)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, c := range x {
			out[i] = canon(c, column)
		}
		return out
	}
	return v
}

// Expressions calls fn on every expression of the SELECT's own clauses
// (select list, WHERE, GROUP BY, HAVING, QUALIFY, ORDER BY, join
// conditions), not descending into subqueries, which are Selects of their
// own.
func (s *Select) Expressions(fn func(Node)) {
	var visit func(v any)
	visit = func(v any) {
		Walk(v, func(n Node) bool {
			if Class(n) == "SUBQUERY" {
				return false
			}
			if Class(n) != "" {
				fn(n)
			}
			return true
		})
	}
	for _, k := range []string{"select_list", "where_clause", "group_expressions", "having", "qualify"} {
		visit(s.Node[k])
	}
	for _, m := range Children(s.Node, "modifiers") {
		if Type(m) == "ORDER_MODIFIER" {
			visit(m["orders"])
		}
	}
	var joins func(n Node)
	joins = func(n Node) {
		if n == nil || Type(n) != "JOIN" {
			return
		}
		joins(Child(n, "left"))
		joins(Child(n, "right"))
		visit(n["condition"])
	}
	joins(Child(s.Node, "from_table"))
}

// QualifiedColumn resolves names in s to "table.column" (the base table's
// name, or the CTE or alias name for derived sources); an unresolvable
// reference keeps its written, lowercased form.
func (s *Select) QualifiedColumn(names []string) string {
	ref, col, ok := s.Resolve(names)
	if !ok {
		lower := make([]string, len(names))
		for i, n := range names {
			lower[i] = strings.ToLower(n)
		}
		return strings.Join(lower, ".")
	}
	if ref.Name != "" {
		return ref.Name + "." + col
	}
	return ref.Alias + "." + col
}
