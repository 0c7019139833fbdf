package scan

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/policystrata/policystrata/pipeline/scan/config"
	"github.com/policystrata/policystrata/pipeline/scan/sqlast"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// tenantRule is one way a statement may scope a table to the principal:
// a comparison of a column with the tenant binding or with constants, or
// (for a predicate of another shape) a conjunct structurally equal to it.
type tenantRule struct {
	Text string
	// Table is the lowercased table the column belongs to, "" for any.
	Table  string
	Column string
	// Tenant is true when the value side is the principal's tenant
	// binding; otherwise the constants must be a subset of Consts.
	Tenant bool
	Consts []string
	// Shape is the canonical text of a predicate that is not a simple
	// comparison; such a rule matches a conjunct with the same text.
	Shape string
}

// compileTenancy turns the config's tenancy (predicates first, then
// per-table columns, then tenant columns) into rules. Without any, a domain
// with a tenancy column (built-in domains, full domain directories) falls
// back to it; the reference dropped that fallback for domain_path.
func compileTenancy(ctx context.Context, p *sqlast.Parser, c *config.Config, d *Domain) ([]tenantRule, error) {
	t := c.Tenancy
	var rules []tenantRule
	if len(t.CanonicalPredicates) > 0 {
		for _, pred := range t.CanonicalPredicates {
			r, err := compilePredicate(ctx, p, pred)
			if err != nil {
				return nil, strictyaml.Errorf(c.Path, t.Line, "tenancy.canonical_predicates: %q: %v", pred, err)
			}
			rules = append(rules, r)
		}
		return rules, nil
	}
	for _, table := range sortedMapKeys(t.TableTenantColumns) {
		for _, col := range t.TableTenantColumns[table] {
			rules = append(rules, columnRule(table+"."+lastPart(col)))
		}
	}
	for _, col := range t.TenantColumns {
		rules = append(rules, columnRule(col))
	}
	if len(rules) == 0 && d.Policy.Tenancy.Column != "" {
		rules = append(rules, columnRule(d.Policy.Tenancy.Column))
	}
	return rules, nil
}

func lastPart(s string) string {
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func columnRule(col string) tenantRule {
	col = strings.ToLower(col)
	r := tenantRule{Text: col, Column: lastPart(col), Tenant: true}
	if parts := strings.Split(col, "."); len(parts) >= 2 {
		r.Table = parts[len(parts)-2]
	}
	return r
}

func compilePredicate(ctx context.Context, p *sqlast.Parser, pred string) (tenantRule, error) {
	n, err := p.ParsePredicate(ctx, pred)
	if err != nil {
		return tenantRule{}, err
	}
	r := tenantRule{Text: pred}
	if col, vals, ok := comparison(n); ok {
		names := sqlast.ColumnNames(col)
		r.Column = strings.ToLower(names[len(names)-1])
		if len(names) >= 2 {
			r.Table = strings.ToLower(names[len(names)-2])
		}
		for _, v := range vals {
			switch {
			case v.IsParam:
				r.Tenant = true
			case v.IsConst:
				r.Consts = append(r.Consts, v.Const)
			default:
				return tenantRule{}, fmt.Errorf("the compared value is neither a constant nor the :principal.tenant_id binding")
			}
		}
		if r.Tenant && len(r.Consts) > 0 {
			return tenantRule{}, fmt.Errorf("mixes the tenant binding with constants")
		}
		return r, nil
	}
	r.Shape = sqlast.Canonical(n, func(names []string) string { return strings.ToLower(strings.Join(names, ".")) })
	return r, nil
}

// comparison recognizes `col = v`, `v = col` and `col IN (v, ...)`.
func comparison(n sqlast.Node) (sqlast.Node, []sqlast.Value, bool) {
	switch {
	case sqlast.Class(n) == "COMPARISON" && sqlast.Type(n) == "COMPARE_EQUAL":
		l, r := sqlast.Child(n, "left"), sqlast.Child(n, "right")
		if sqlast.ColumnNames(unwrapCast(l)) != nil && sqlast.ColumnNames(unwrapCast(r)) == nil {
			return unwrapCast(l), []sqlast.Value{sqlast.ValueOf(r)}, true
		}
		if sqlast.ColumnNames(unwrapCast(r)) != nil && sqlast.ColumnNames(unwrapCast(l)) == nil {
			return unwrapCast(r), []sqlast.Value{sqlast.ValueOf(l)}, true
		}
	case sqlast.Type(n) == "COMPARE_IN":
		ch := sqlast.Children(n, "children")
		if len(ch) >= 2 && sqlast.ColumnNames(unwrapCast(ch[0])) != nil {
			var vals []sqlast.Value
			for _, c := range ch[1:] {
				vals = append(vals, sqlast.ValueOf(c))
			}
			return unwrapCast(ch[0]), vals, true
		}
	}
	return nil, nil, false
}

func unwrapCast(n sqlast.Node) sqlast.Node {
	for n != nil && sqlast.Class(n) == "CAST" {
		n = sqlast.Child(n, "child")
	}
	return n
}

// tenantBinding is what the statement may compare a tenant column with.
type tenantBinding struct {
	Tenants      []string
	Placeholders bool
}

// scopeResult is the tenant-scope verdict of a statement.
type scopeResult struct {
	OK bool
	// Reasons explain a failure; Offset locates the unscoped source.
	Reasons []string
	Offset  int
	// Bound are the restrictions that satisfied a rule (for mutation).
	Bound []sqlast.Node
}

// checkTenantScope decides whether the statement is scoped: every
// reference to a table a rule names is filtered by a satisfied rule (a
// predicate under AND from the root of its WHERE tree, or of a join
// condition that restricts that side), and the statement's result rows all
// come from scoped sources.
func checkTenantScope(st *sqlast.Statement, rules []tenantRule, b tenantBinding) scopeResult {
	if len(rules) == 0 {
		return scopeResult{OK: true}
	}
	selects := st.Selects()
	scoped := map[*sqlast.Select]bool{}
	res := scopeResult{OK: true, Offset: -1}
	byNode := map[any]*sqlast.Select{}
	for _, s := range selects {
		byNode[nodeKey(s.Node)] = s
	}
	ruleTables := map[string]bool{}
	for _, r := range rules {
		if r.Table != "" {
			ruleTables[r.Table] = true
		}
	}
	for _, s := range selects {
		restricted := map[string]bool{} // aliases restricted by a satisfied rule
		bound := false
		for _, rs := range s.Restrictions() {
			for _, r := range rules {
				alias, ok := satisfies(s, rs.Expr, r, b)
				if !ok {
					continue
				}
				if alias == "" { // a shape rule: restricts what rs restricts
					bound = true
					res.Bound = append(res.Bound, rs.Expr)
					continue
				}
				if rs.Restricts(alias) {
					restricted[alias] = true
					bound = true
					res.Bound = append(res.Bound, rs.Expr)
				}
			}
		}
		scoped[s] = bound
		for _, t := range s.Tables {
			if t.Base() && ruleTables[t.Name] && !restricted[t.Alias] {
				res.OK = false
				res.Reasons = append(res.Reasons, fmt.Sprintf("table %s (as %s) is read without a predicate satisfying the tenancy rule (%s) under AND from the root of its WHERE or ON tree", t.Name, t.Alias, ruleList(rules, t.Name)))
				if res.Offset < 0 {
					res.Offset = sqlast.Location(t.Node)
				}
			}
		}
	}
	// the result rows must come from a scoped SELECT or a scoped source
	var isScoped func(s *sqlast.Select, depth int) bool
	isScoped = func(s *sqlast.Select, depth int) bool {
		if scoped[s] {
			return true
		}
		if depth > 32 {
			return false
		}
		for _, t := range s.Tables {
			var inner sqlast.Node
			switch {
			case t.Derived != nil:
				inner = t.Derived
			case t.CTE:
				inner = s.CTEs[t.Name]
			}
			if inner == nil {
				continue
			}
			if ok := selectsUnder(inner, byNode, func(x *sqlast.Select) bool { return isScoped(x, depth+1) }); ok {
				return true
			}
		}
		return false
	}
	for _, s := range selects {
		if s.Root && len(s.Tables) > 0 && res.OK && !isScoped(s, 0) {
			res.OK = false
			res.Reasons = append(res.Reasons, fmt.Sprintf("the query's rows are not filtered by any predicate satisfying the tenancy rules (expected one of: %s)", ruleList(rules, "")))
			if res.Offset < 0 && len(s.Tables) > 0 {
				res.Offset = sqlast.Location(s.Tables[0].Node)
			}
		}
	}
	slices.Sort(res.Reasons)
	res.Reasons = slices.Compact(res.Reasons)
	return res
}

// selectsUnder reports whether every root SELECT of the query node n (the
// branches of a set operation) satisfies ok.
func selectsUnder(n sqlast.Node, byNode map[any]*sqlast.Select, ok func(*sqlast.Select) bool) bool {
	switch sqlast.Type(n) {
	case "SELECT_NODE":
		s := byNode[nodeKey(n)]
		return s != nil && ok(s)
	case "SET_OPERATION_NODE":
		return selectsUnder(sqlast.Child(n, "left"), byNode, ok) && selectsUnder(sqlast.Child(n, "right"), byNode, ok)
	}
	return false
}

// nodeKey identifies a map node by its address.
func nodeKey(n sqlast.Node) any { return fmt.Sprintf("%p", n) }

func ruleList(rules []tenantRule, table string) string {
	var out []string
	for _, r := range rules {
		if table == "" || r.Table == table || r.Table == "" {
			out = append(out, r.Text)
		}
	}
	return strings.Join(out, " | ")
}

// satisfies reports whether expr (a restriction of s) satisfies rule r
// under binding b, and the alias of the source it binds ("" for a shape
// rule).
func satisfies(s *sqlast.Select, expr sqlast.Node, r tenantRule, b tenantBinding) (string, bool) {
	if r.Shape != "" {
		got := sqlast.Canonical(expr, func(names []string) string { return s.QualifiedColumn(names) })
		return "", got == r.Shape
	}
	col, vals, ok := comparison(expr)
	if !ok || len(vals) == 0 {
		return "", false
	}
	names := sqlast.ColumnNames(col)
	ref, column, resolved := s.Resolve(names)
	if column != r.Column {
		return "", false
	}
	if !resolved {
		// an unqualified column among several sources: it belongs to the
		// rule's table when that table is read here
		if len(names) != 1 {
			return "", false
		}
		found := false
		for _, t := range s.Tables {
			if t.Base() && (r.Table == "" || t.Name == r.Table) {
				ref, found = t, true
				break
			}
		}
		if !found {
			return "", false
		}
	}
	if r.Table != "" && (!ref.Base() || ref.Name != r.Table) {
		return "", false
	}
	for _, v := range vals {
		switch {
		case r.Tenant && v.IsConst && slices.Contains(b.Tenants, v.Const):
		case r.Tenant && v.IsParam && b.Placeholders:
		case !r.Tenant && v.IsConst && slices.Contains(r.Consts, v.Const):
		default:
			return "", false
		}
	}
	return ref.Alias, true
}

func sortedMapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
