package sqlast

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Canonical returns a canonical text of an expression: locations and
// aliases dropped, function names lowercased, and each column reference
// replaced by what column(names) returns (for instance the qualified
// base-table column it resolves to). Two expressions that compute the same
// thing over the same columns in the same way have the same text.
func Canonical(n Node, column func(names []string) string) string {
	var b strings.Builder
	writeCanon(&b, n, column)
	return b.String()
}

func writeCanon(b *strings.Builder, v any, column func([]string) string) {
	switch x := v.(type) {
	case map[string]any:
		if Class(x) == "COLUMN_REF" {
			b.WriteString("col(")
			b.WriteString(column(ColumnNames(x)))
			b.WriteByte(')')
			return
		}
		if Class(x) == "SUBQUERY" {
			b.WriteString("subquery")
			return
		}
		var buf [24]string
		keys := buf[:0]
		for k := range x {
			if k != "alias" && k != "query_location" {
				keys = append(keys, k)
			}
		}
		for i := 1; i < len(keys); i++ {
			for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
				keys[j], keys[j-1] = keys[j-1], keys[j]
			}
		}
		b.WriteByte('{')
		for _, k := range keys {
			b.WriteString(k)
			b.WriteByte(':')
			if k == "function_name" {
				s, _ := x[k].(string)
				b.WriteString(strconv.Quote(strings.ToLower(s)))
			} else {
				writeCanon(b, x[k], column)
			}
			b.WriteByte(',')
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for _, c := range x {
			writeCanon(b, c, column)
			b.WriteByte(',')
		}
		b.WriteByte(']')
	case string:
		b.WriteString(strconv.Quote(x))
	case json.Number:
		b.WriteString(x.String())
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case nil:
		b.WriteString("null")
	default:
		fmt.Fprint(b, x)
	}
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
