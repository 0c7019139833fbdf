package sqlast

import "strings"

// TableRef is one source in a SELECT's FROM clause.
type TableRef struct {
	// Name is the lowercased base-table name (its last part), empty for a
	// derived table or table function.
	Name string
	// Alias is the lowercased name the query refers to it by.
	Alias string
	// CTE is true when Name is a common table expression in scope.
	CTE bool
	// Derived is the inner query node of a subquery in FROM.
	Derived Node
	// Node is the table reference node itself.
	Node Node
}

// Base reports whether the reference reads a base table.
func (t TableRef) Base() bool { return t.Name != "" && !t.CTE }

// Select is one SELECT_NODE of a statement with its FROM scope.
type Select struct {
	Node   Node
	Tables []TableRef
	// CTEs are the common table expressions visible here, by name.
	CTEs map[string]Node
	// Root is true for the statement's outermost query node.
	Root bool
}

// Selects returns every SELECT node of the statement (the root first, then
// CTEs and subqueries in tree order). The list is computed once: rewrite a
// tree through a new Statement.
func (s *Statement) Selects() []*Select {
	if s.selects == nil {
		collect(s.Root, map[string]Node{}, &s.selects, true)
	}
	return s.selects
}

// collect walks v, recording SELECT nodes with the CTE names visible.
func collect(v any, ctes map[string]Node, out *[]*Select, root bool) {
	switch x := v.(type) {
	case map[string]any:
		scope := ctes
		if cm := Child(x, "cte_map"); cm != nil {
			entries := Children(cm, "map")
			if len(entries) > 0 {
				scope = make(map[string]Node, len(ctes)+len(entries))
				for k, v := range ctes {
					scope[k] = v
				}
				for _, e := range entries {
					name := strings.ToLower(Str(e, "key"))
					q := Child(Child(Child(e, "value"), "query"), "node")
					scope[name] = q
				}
			}
		}
		if Type(x) == "SELECT_NODE" {
			sel := &Select{Node: x, CTEs: scope, Root: root}
			sel.Tables = tableRefs(Child(x, "from_table"), scope)
			*out = append(*out, sel)
		}
		var buf [16]string
		for _, k := range childKeys(x, buf[:0]) {
			collect(x[k], scope, out, root && Type(x) == "SET_OPERATION_NODE" && (k == "left" || k == "right"))
		}
	case []any:
		for _, c := range x {
			collect(c, ctes, out, false)
		}
	}
}

func tableRefs(n Node, ctes map[string]Node) []TableRef {
	if n == nil {
		return nil
	}
	switch Type(n) {
	case "JOIN":
		return append(tableRefs(Child(n, "left"), ctes), tableRefs(Child(n, "right"), ctes)...)
	case "BASE_TABLE":
		name := strings.ToLower(Str(n, "table_name"))
		alias := strings.ToLower(Str(n, "alias"))
		if alias == "" {
			alias = name
		}
		_, isCTE := ctes[name]
		isCTE = isCTE && Str(n, "schema_name") == ""
		return []TableRef{{Name: name, Alias: alias, CTE: isCTE, Node: n}}
	case "SUBQUERY":
		inner := Child(Child(n, "subquery"), "node")
		return []TableRef{{Alias: strings.ToLower(Str(n, "alias")), Derived: inner, Node: n}}
	case "EMPTY":
		return nil
	default:
		return []TableRef{{Alias: strings.ToLower(Str(n, "alias")), Node: n}}
	}
}

// BaseTables lists the distinct base tables the SELECT reads directly.
func (s *Select) BaseTables() []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range s.Tables {
		if t.Base() && !seen[t.Name] {
			seen[t.Name] = true
			out = append(out, t.Name)
		}
	}
	return out
}

// Resolve maps a column reference of this SELECT to its table reference
// and column name. ok is false when the qualifier names no source here
// (an outer reference) or an unqualified column has several candidate
// sources.
func (s *Select) Resolve(names []string) (ref TableRef, column string, ok bool) {
	if len(names) == 0 {
		return TableRef{}, "", false
	}
	column = strings.ToLower(names[len(names)-1])
	if len(names) == 1 {
		if len(s.Tables) == 1 {
			return s.Tables[0], column, true
		}
		return TableRef{}, column, false
	}
	q := strings.ToLower(names[len(names)-2])
	for _, t := range s.Tables {
		if t.Alias == q {
			return t, column, true
		}
	}
	return TableRef{}, column, false
}

// Restriction is a predicate under AND from the root of a WHERE or ON tree,
// with the table references (by alias) whose rows it restricts.
type Restriction struct {
	Expr Node
	// Aliases whose rows the predicate filters; nil means every source.
	Aliases map[string]bool
	// InOn is true for a join condition.
	InOn bool
}

// Restrictions lists the predicates that filter this SELECT's rows: the
// WHERE clause's conjuncts (restricting every source) and the conjuncts of
// each join condition, which restrict both sides of an inner join, only the
// right side of a LEFT join and only the left side of a RIGHT join (a FULL
// join restricts neither). Predicates under OR or NOT are never split out.
func (s *Select) Restrictions() []Restriction {
	var out []Restriction
	for _, c := range Conjuncts(Child(s.Node, "where_clause")) {
		out = append(out, Restriction{Expr: c})
	}
	var walk func(n Node)
	walk = func(n Node) {
		if n == nil || Type(n) != "JOIN" {
			return
		}
		left, right := Child(n, "left"), Child(n, "right")
		walk(left)
		walk(right)
		cond := Child(n, "condition")
		if cond == nil {
			return
		}
		aliases := map[string]bool{}
		add := func(side Node) {
			for _, t := range tableRefs(side, s.CTEs) {
				aliases[t.Alias] = true
			}
		}
		switch strings.ToUpper(Str(n, "join_type")) {
		case "INNER", "SEMI":
			add(left)
			add(right)
		case "LEFT":
			add(right)
		case "RIGHT":
			add(left)
		default:
			return
		}
		for _, c := range Conjuncts(cond) {
			out = append(out, Restriction{Expr: c, Aliases: aliases, InOn: true})
		}
	}
	walk(Child(s.Node, "from_table"))
	return out
}

// Restricts reports whether r filters the rows of the source alias.
func (r Restriction) Restricts(alias string) bool { return r.Aliases == nil || r.Aliases[alias] }
