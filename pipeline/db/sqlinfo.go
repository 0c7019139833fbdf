package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/policystrata/policystrata/pipeline/scan/sqlast"
)

// SQLInfo is what DuckDB's parser says about a statement, on every engine
// (read from json_serialize_sql's tree, or given by the fast parser for
// the texts it recognizes, with the same answer).
type SQLInfo struct {
	// Valid is false when the parser rejected the statement.
	Valid bool   `json:"valid"`
	Error string `json:"error,omitempty"`
	// Tables are the base tables referenced, sorted.
	Tables []string `json:"tables"`
	// Columns are the qualified base-table columns referenced, sorted.
	Columns []string `json:"columns"`
	// Limit is the outermost constant LIMIT, or -1 when there is none.
	Limit int64 `json:"limit"`
	// Statements counts the statements in the text.
	Statements int `json:"statements"`
	// Qualified lists table references that name a schema or catalog.
	Qualified []string `json:"qualified,omitempty"`
	// TableFunctions lists table functions in FROM clauses (read_csv, ...).
	TableFunctions []string `json:"table_functions,omitempty"`
	// Functions lists the scalar and aggregate functions called, lowercased.
	Functions []string `json:"functions,omitempty"`
	// Bindings maps each qualified base-table column that a WHERE clause
	// constrains, as a top-level conjunct, to constants (col = 'x' or
	// col IN ('x', 'y')) to the sorted union of those constants.
	Bindings map[string][]string `json:"bindings,omitempty"`
	// textColumns marks the outermost select list's items that are casts
	// to text (engines that cannot type a result column, SQLite, render
	// them as the text they are)
	textColumns []bool
}

// parseSQL is the statement that parses its parameter with DuckDB's
// parser.
const parseSQL = "SELECT json_serialize_sql(?::VARCHAR)::VARCHAR"

// rowQuerier runs a one-row query: a DuckDB *sql.DB or *sql.Conn.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// parseOn runs parseSQL on q.
func parseOn(q rowQuerier) func(context.Context, string) *sql.Row {
	return func(ctx context.Context, text string) *sql.Row { return q.QueryRowContext(ctx, parseSQL, text) }
}

// inspectDuck parses text with DuckDB's json_serialize_sql (run by parse,
// which runs parseSQL). Every engine parses with it the texts the fast
// parser does not recognize (inspectText), so their SQLInfo agrees by
// construction.
func inspectDuck(ctx context.Context, parse func(context.Context, string) *sql.Row, text string) (SQLInfo, error) {
	var raw string
	err := parse(ctx, text).Scan(&raw)
	if err != nil {
		if errors.Is(err, context.Canceled) || ctx.Err() != nil {
			return SQLInfo{}, ctx.Err()
		}
		return SQLInfo{Limit: -1, Error: cleanError(err)}, nil
	}
	return parseSerializedSQL(raw)
}

// parseSerializedSQL interprets DuckDB's json_serialize_sql output.
func parseSerializedSQL(raw string) (SQLInfo, error) {
	v, err := sqlast.DecodeJSON([]byte(raw))
	if err != nil {
		return SQLInfo{}, fmt.Errorf("inspect sql: %w", err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return SQLInfo{}, fmt.Errorf("inspect sql: the parser returned %T, not an object", v)
	}
	info := SQLInfo{Limit: -1}
	if failed, _ := doc["error"].(bool); failed {
		info.Error, _ = doc["error_message"].(string)
		return info, nil
	}
	statements, _ := doc["statements"].([]any)
	info.Valid = true
	info.Statements = len(statements)
	tables := map[string]bool{}
	aliases := map[string]string{}
	var refs [][]string
	qualified, tfuncs, funcs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	var wheres []any
	for si, node := range statements {
		walkAST(node, func(m map[string]any) {
			switch m["type"] {
			case "BASE_TABLE":
				name, _ := m["table_name"].(string)
				tables[name] = true
				if a, _ := m["alias"].(string); a != "" {
					aliases[a] = name
				}
				sch, _ := m["schema_name"].(string)
				cat, _ := m["catalog_name"].(string)
				if sch != "" || cat != "" {
					qualified[strings.Trim(cat+"."+sch+"."+name, ".")] = true
				}
			case "TABLE_FUNCTION":
				fn, _ := m["function"].(map[string]any)
				name, _ := fn["function_name"].(string)
				tfuncs[strings.ToLower(name)] = true
			}
			if w, ok := m["where_clause"]; ok && w != nil {
				wheres = append(wheres, w)
			}
			if m["class"] == "FUNCTION" {
				if name, ok := m["function_name"].(string); ok {
					funcs[strings.ToLower(name)] = true
				}
			}
			if m["class"] == "COLUMN_REF" {
				if parts, ok := m["column_names"].([]any); ok && len(parts) >= 2 {
					var ss []string
					for _, p := range parts {
						s, _ := p.(string)
						ss = append(ss, s)
					}
					refs = append(refs, ss)
				}
			}
		})
		if si == 0 {
			info.Limit = outerLimit(node)
			info.textColumns = outerTextColumns(node)
		}
	}
	info.Qualified, info.TableFunctions, info.Functions = sortedSet(qualified), sortedSet(tfuncs), sortedSet(funcs)
	var binds []rawBinding
	for _, w := range wheres {
		for _, c := range conjuncts(w) {
			if col, vals, ok := binding(c); ok {
				binds = append(binds, rawBinding{col, vals})
			}
		}
	}
	finishInfo(&info, tables, aliases, refs, binds)
	return info, nil
}

// rawBinding is a WHERE conjunct binding a column (its reference's parts)
// to constants, as a parser found it.
type rawBinding struct{ col, vals []string }

// finishInfo fills info's tables, columns and bindings from what a parser
// collected: the base tables, the aliases of base tables, the column
// references of two parts or more, and the bindings of WHERE conjuncts.
// A column counts when its qualifier (resolved through the aliases) is a
// base table of the statement.
func finishInfo(info *SQLInfo, tables map[string]bool, aliases map[string]string, refs [][]string, binds []rawBinding) {
	qualify := func(parts []string) (string, bool) {
		q, col := parts[len(parts)-2], parts[len(parts)-1]
		if base, ok := aliases[q]; ok {
			q = base
		}
		return q + "." + col, tables[q]
	}
	cols := map[string]bool{}
	for _, r := range refs {
		if key, ok := qualify(r); ok {
			cols[key] = true
		}
	}
	for t := range tables {
		info.Tables = append(info.Tables, t)
	}
	for c := range cols {
		info.Columns = append(info.Columns, c)
	}
	sort.Strings(info.Tables)
	sort.Strings(info.Columns)
	bind := map[string]map[string]bool{}
	for _, b := range binds {
		if len(b.col) < 2 {
			continue
		}
		key, ok := qualify(b.col)
		if !ok {
			continue
		}
		if bind[key] == nil {
			bind[key] = map[string]bool{}
		}
		for _, v := range b.vals {
			bind[key][v] = true
		}
	}
	if len(bind) > 0 {
		info.Bindings = map[string][]string{}
		for k, vs := range bind {
			info.Bindings[k] = sortedSet(vs)
		}
	}
}

// conjuncts flattens the top-level AND of a WHERE clause.
func conjuncts(n any) []map[string]any {
	m, ok := n.(map[string]any)
	if !ok {
		return nil
	}
	if m["type"] == "CONJUNCTION_AND" {
		var out []map[string]any
		children, _ := m["children"].([]any)
		for _, c := range children {
			out = append(out, conjuncts(c)...)
		}
		return out
	}
	return []map[string]any{m}
}

// binding recognizes col = constant and col IN (constants...).
func binding(m map[string]any) ([]string, []string, bool) {
	colOf := func(n any) []string {
		c, _ := n.(map[string]any)
		if c["class"] != "COLUMN_REF" {
			return nil
		}
		parts, _ := c["column_names"].([]any)
		out := make([]string, 0, len(parts))
		for _, p := range parts {
			s, _ := p.(string)
			out = append(out, s)
		}
		return out
	}
	constOf := func(n any) (string, bool) {
		c, _ := n.(map[string]any)
		if c["class"] != "CONSTANT" {
			return "", false
		}
		v, _ := c["value"].(map[string]any)
		if null, _ := v["is_null"].(bool); null {
			return "", false
		}
		switch x := v["value"].(type) {
		case string:
			return x, true
		case json.Number:
			f, err := x.Float64()
			if err != nil {
				return "", false
			}
			return strconv.FormatFloat(f, 'f', -1, 64), true
		case bool:
			return strconv.FormatBool(x), true
		}
		return "", false
	}
	switch m["type"] {
	case "COMPARE_EQUAL":
		l, r := colOf(m["left"]), colOf(m["right"])
		if l != nil {
			if v, ok := constOf(m["right"]); ok {
				return l, []string{v}, true
			}
		}
		if r != nil {
			if v, ok := constOf(m["left"]); ok {
				return r, []string{v}, true
			}
		}
	case "COMPARE_IN":
		children, _ := m["children"].([]any)
		if len(children) < 2 {
			return nil, nil, false
		}
		col := colOf(children[0])
		if col == nil {
			return nil, nil, false
		}
		var vals []string
		for _, c := range children[1:] {
			v, ok := constOf(c)
			if !ok {
				return nil, nil, false
			}
			vals = append(vals, v)
		}
		return col, vals, true
	}
	return nil, nil, false
}

func sortedSet(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// deniedFunctions can change the session's role or tenant binding, run SQL
// text, or read outside the database; an application session may not call
// them.
var deniedFunctions = map[string]bool{
	"set_config": true, "query": true, "query_table": true, "query_to_xml": true,
	"query_to_xml_and_xmlschema": true, "table_to_xml": true, "cursor_to_xml": true,
	"dblink": true, "dblink_exec": true, "pg_read_file": true, "pg_read_binary_file": true,
	"pg_ls_dir": true, "lo_import": true, "lo_export": true, "getenv": true,
}

// LiveRefusal says why an application session must refuse a statement (""
// when it may run): it must be exactly one SELECT, name tables only through
// the session's own namespace, and call no table function or function that
// could rebind the session or escape the database.
func LiveRefusal(info SQLInfo) string {
	switch {
	case !info.Valid:
		return "not a single valid SELECT: " + info.Error
	case info.Statements != 1:
		return fmt.Sprintf("%d statements; an application session runs exactly one", info.Statements)
	case len(info.Qualified) > 0:
		return "schema-qualified table names are not allowed: " + strings.Join(info.Qualified, ", ")
	case len(info.TableFunctions) > 0:
		return "table functions are not allowed: " + strings.Join(info.TableFunctions, ", ")
	}
	for _, f := range info.Functions {
		if deniedFunctions[f] {
			return "function " + f + " is not allowed"
		}
	}
	return ""
}

func walkAST(n any, visit func(map[string]any)) {
	switch x := n.(type) {
	case map[string]any:
		visit(x)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walkAST(x[k], visit)
		}
	case []any:
		for _, c := range x {
			walkAST(c, visit)
		}
	}
}

// outerTextColumns marks the outermost select list's casts to text.
func outerTextColumns(stmt any) []bool {
	m, _ := stmt.(map[string]any)
	node, _ := m["node"].(map[string]any)
	items, _ := node["select_list"].([]any)
	out := make([]bool, len(items))
	for i, it := range items {
		x, _ := it.(map[string]any)
		ct, _ := x["cast_type"].(map[string]any)
		out[i] = x["class"] == "CAST" && ct["id"] == "VARCHAR"
	}
	return out
}

// outerLimit finds the constant LIMIT of the outermost select node.
func outerLimit(stmt any) int64 {
	m, _ := stmt.(map[string]any)
	node, _ := m["node"].(map[string]any)
	mods, _ := node["modifiers"].([]any)
	for _, md := range mods {
		mm, _ := md.(map[string]any)
		if mm["type"] != "LIMIT_MODIFIER" {
			continue
		}
		lim, _ := mm["limit"].(map[string]any)
		if lim["class"] != "CONSTANT" {
			return -1
		}
		val, _ := lim["value"].(map[string]any)
		switch v := val["value"].(type) {
		case json.Number:
			if n, err := v.Int64(); err == nil {
				return n
			}
			if f, err := v.Float64(); err == nil {
				return int64(f)
			}
		case string:
			var n int64
			if _, err := fmt.Sscan(strings.TrimSpace(v), &n); err == nil {
				return n
			}
		}
	}
	return -1
}
