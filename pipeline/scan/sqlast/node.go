package sqlast

import (
	"encoding/json"
	"strings"
)

// Node is one object of DuckDB's serialized syntax tree.
type Node = map[string]any

// Str returns n[key] as a string ("" when absent).
func Str(n Node, key string) string {
	s, _ := n[key].(string)
	return s
}

// Child returns n[key] as a Node (nil when absent or null).
func Child(n Node, key string) Node {
	c, _ := n[key].(map[string]any)
	return c
}

// Children returns n[key] as a list of Nodes.
func Children(n Node, key string) []Node {
	list, _ := n[key].([]any)
	out := make([]Node, 0, len(list))
	for _, v := range list {
		if c, ok := v.(map[string]any); ok {
			out = append(out, c)
		}
	}
	return out
}

// Class and Type of an expression node.
func Class(n Node) string { return Str(n, "class") }

// Type is the node's "type" field.
func Type(n Node) string { return Str(n, "type") }

// ColumnNames returns the name parts of a COLUMN_REF (nil otherwise).
func ColumnNames(n Node) []string {
	if Class(n) != "COLUMN_REF" {
		return nil
	}
	list, _ := n["column_names"].([]any)
	out := make([]string, 0, len(list))
	for _, v := range list {
		s, _ := v.(string)
		out = append(out, s)
	}
	return out
}

// Location is the node's byte offset in the parsed text, or -1.
func Location(n Node) int {
	num, ok := n["query_location"].(json.Number)
	if !ok {
		return -1
	}
	v, err := num.Int64()
	if err != nil || v < 0 || v > 1<<40 {
		return -1
	}
	return int(v)
}

// Value is what an expression means as a bound value: a constant (Const
// holds its text), a parameter, or neither.
type Value struct {
	Const   string
	IsConst bool
	IsParam bool
}

// ValueOf unwraps casts and reads a constant or a parameter.
func ValueOf(n Node) Value {
	for n != nil && Class(n) == "CAST" {
		n = Child(n, "child")
	}
	if n == nil {
		return Value{}
	}
	switch Class(n) {
	case "PARAMETER":
		return Value{IsParam: true}
	case "CONSTANT":
		v := Child(n, "value")
		if v == nil {
			return Value{}
		}
		if null, _ := v["is_null"].(bool); null {
			return Value{}
		}
		switch x := v["value"].(type) {
		case string:
			return Value{Const: x, IsConst: true}
		case json.Number:
			return Value{Const: x.String(), IsConst: true}
		case bool:
			if x {
				return Value{Const: "true", IsConst: true}
			}
			return Value{Const: "false", IsConst: true}
		}
	}
	return Value{}
}

// Walk calls fn on every Node below (and including) v, depth first, in
// key order. fn returns false to skip a node's children.
func Walk(v any, fn func(Node) bool) {
	switch x := v.(type) {
	case map[string]any:
		if !fn(x) {
			return
		}
		var buf [16]string
		for _, k := range childKeys(x, buf[:0]) {
			Walk(x[k], fn)
		}
	case []any:
		for _, c := range x {
			Walk(c, fn)
		}
	}
}

// Clone deep-copies a tree.
func Clone(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, c := range x {
			out[k] = Clone(c)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, c := range x {
			out[i] = Clone(c)
		}
		return out
	}
	return v
}

// childKeys appends to keys, in order, the keys of m whose values may hold
// nodes (maps and lists); scalar fields are skipped.
func childKeys(m map[string]any, keys []string) []string {
	for k, v := range m {
		switch v.(type) {
		case map[string]any, []any:
			keys = append(keys, k)
		}
	}
	// insertion sort: nodes have few keys
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// Conjuncts flattens the AND tree rooted at n (nil gives none).
func Conjuncts(n Node) []Node {
	if n == nil {
		return nil
	}
	if Class(n) == "CONJUNCTION" && Type(n) == "CONJUNCTION_AND" {
		var out []Node
		for _, c := range Children(n, "children") {
			out = append(out, Conjuncts(c)...)
		}
		return out
	}
	return []Node{n}
}

// IsAggregate reports whether a FUNCTION node is a common aggregate.
func IsAggregate(n Node) bool {
	if Class(n) != "FUNCTION" {
		return false
	}
	switch strings.ToLower(Str(n, "function_name")) {
	case "sum", "count", "count_star", "avg", "min", "max", "uniqexact", "uniq", "count_distinct", "approx_count_distinct", "sumif", "countif", "median", "quantile", "stddev", "variance", "list", "string_agg", "array_agg", "any_value", "first", "last", "arg_max", "arg_min":
		return true
	}
	return false
}
