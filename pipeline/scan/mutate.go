package scan

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/policystrata/policystrata/pipeline/scan/source"
	"github.com/policystrata/policystrata/pipeline/scan/sqlast"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// Mutation kinds, in the order they are tried.
const (
	MutTenantRemoved      = "tenant_predicate_removed"
	MutJoinFanout         = "join_path_fanout"
	MutTimeShifted        = "time_bounds_shifted"
	MutSensitiveDimension = "sensitive_dimension_added"
	MutAliasReplaced      = "metric_alias_replaced"
	MutLimitExpanded      = "limit_expanded"
	MutReleaseUnsafe      = "release_unauthorized_result"
)

// MutationKinds lists the kinds in generation order.
var MutationKinds = []string{MutTenantRemoved, MutJoinFanout, MutTimeShifted, MutSensitiveDimension, MutAliasReplaced, MutLimitExpanded, MutReleaseUnsafe}

// Mutant statuses.
const (
	StatusKilled     = "killed"
	StatusSurvived   = "survived"
	StatusEquivalent = "equivalent"
	StatusStillborn  = "stillborn"
)

// mutationClass is the witness class of the fault a mutation injects: the
// class a survivor reports.
var mutationClass = map[string]string{
	MutTenantRemoved:      ClassLowering,
	MutJoinFanout:         ClassSemanticDrift,
	MutTimeShifted:        ClassSemanticDrift,
	MutSensitiveDimension: ClassOverPermissive,
	MutAliasReplaced:      ClassSemanticDrift,
	MutLimitExpanded:      ClassOverPermissive,
	MutReleaseUnsafe:      ClassUnsafeRelease,
}

var mutationSurface = map[string]string{
	MutTenantRemoved:      "compiler",
	MutJoinFanout:         "compiler",
	MutTimeShifted:        "compiler",
	MutSensitiveDimension: "validator",
	MutAliasReplaced:      "validator",
	MutLimitExpanded:      "validator",
	MutReleaseUnsafe:      "release",
}

// MutantResult is one mutant and how the checks judged it.
type MutantResult struct {
	Kind   string `json:"mutation"`
	Status string `json:"status"`
	// Detail says why: the verdicts that killed it, the proof of
	// equivalence, or why it could not be built.
	Detail string     `json:"detail"`
	SQL    string     `json:"sql,omitempty"`
	IR     *source.IR `json:"semantic_ir,omitempty"`
}

// mutant is a rewritten trace and statement tree before re-scanning.
type mutant struct {
	trace *source.Trace
	root  sqlast.Node
	// stmt, when set, is the original statement (a mutation of the trace's
	// fields only leaves the tree as it is).
	stmt *sqlast.Statement
	// proof, when set, argues the mutant cannot change what the checks
	// guard (used only if the checks find nothing new).
	proof string
}

// pick chooses deterministically among n candidates from the seed, the
// trace id and the mutation kind.
func pick(seed int, id, kind string, n int) int {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d:%s:%s", seed, id, kind)
	return int(h.Sum64() % uint64(n))
}

// fuzz generates up to max mutants of tr as rewrites of its syntax tree,
// re-scans each (every check runs on the rewritten tree) and accounts it by
// what the checks found; a survivor's tree is printed back to SQL.
func (c *Checker) fuzz(ctx context.Context, p *sqlast.Parser, tr *source.Trace, st *sqlast.Statement, orig *evaluation, max int, seed int) ([]MutantResult, []Finding, error) {
	kinds := MutationKinds
	if max < len(kinds) {
		kinds = kinds[:max]
	}
	origSig := orig.signature()
	var results []MutantResult
	var survivors []Finding
	for _, kind := range kinds {
		m, reason := c.mutate(ctx, p, kind, tr, st, orig, seed)
		if m == nil {
			results = append(results, MutantResult{Kind: kind, Status: StatusStillborn, Detail: reason})
			continue
		}
		// the rewritten tree is re-scanned as it stands: every check runs
		// on it (the parser is needed again only to print a survivor)
		mst := m.stmt
		if mst == nil {
			mst = &sqlast.Statement{Root: m.root}
		}
		ev := c.evaluate(m.trace, mst)
		var news []string
		for sig := range ev.signature() {
			if !origSig[sig] {
				news = append(news, sig)
			}
		}
		slices.Sort(news)
		r := MutantResult{Kind: kind, IR: normalizedIR(m.trace.IR)}
		switch {
		case len(news) > 0:
			r.Status, r.Detail = StatusKilled, strings.Join(news, "; ")
		case m.proof != "":
			r.Status, r.Detail = StatusEquivalent, m.proof
		default:
			r.Status, r.Detail = StatusSurvived, "no check reported a verdict the original trace did not have"
			sqlText, err := p.Deparse(ctx, m.root)
			if err != nil {
				if ctx.Err() != nil {
					return nil, nil, ctx.Err()
				}
				sqlText = "(the rewritten tree does not print as SQL: " + err.Error() + ")"
			}
			r.SQL, m.trace.SQL = sqlText, sqlText
			survivors = append(survivors, c.survivorFinding(tr, m.trace, kind))
		}
		results = append(results, r)
	}
	return results, survivors, nil
}

func (c *Checker) survivorFinding(orig, mt *source.Trace, kind string) Finding {
	f := c.baseFinding(mt)
	class := mutationClass[kind]
	f.Check = CheckFuzzSurvived
	f.ID = SanitizeID(CheckFuzzSurvived + "_" + orig.ID + "_" + kind)
	f.Title = fmt.Sprintf("Mutant %s of %s survived every check", kind, orig.ID)
	f.Severity, f.Confidence = SevWarning, ConfMedium
	f.Surface, f.Owner, f.WitnessClass = mutationSurface[kind], mutationSurface[kind], class
	f.EvidenceLevel = EvProperty
	f.RegressionCase = "fail_to_pass"
	f.Mutation, f.MutantStatus = kind, StatusSurvived
	f.Reasons = []string{fmt.Sprintf("the %s mutant of trace %s was re-scanned and no check reported a new verdict", kind, orig.ID)}
	f.WhatChanged = "A generated fault (" + kind + ") passed every scan check: the checks cannot see this kind of drift for this trace."
	f.ProbableFix = fixForSurvivor[kind]
	f.Location = &Location{File: orig.File, Line: orig.Line, SQLOffset: -1}
	f.Metadata = map[string]any{"original_trace": orig.ID}
	return f
}

// mutate builds one mutant, or returns why the mutation does not apply.
func (c *Checker) mutate(ctx context.Context, p *sqlast.Parser, kind string, tr *source.Trace, st *sqlast.Statement, orig *evaluation, seed int) (*mutant, string) {
	pol := c.Domain.Policy
	var m *mutant
	// onSelects copies the paths down to the given SELECT nodes of the
	// original tree (everything else is shared, see sqlast.CopyPath) and
	// hands each copy to edit, which may set its fields only; the mutant
	// is then re-scanned on the new tree
	onSelects := func(sels []*sqlast.Select, edit func(s *sqlast.Select)) *mutant {
		nodes := make([]sqlast.Node, len(sels))
		for i, s := range sels {
			nodes[i] = s.Node
		}
		root, copies, ok := sqlast.CopyPaths(st.Root, nodes)
		if !ok {
			return nil
		}
		for i, s := range sels {
			edit(&sqlast.Select{Node: copies[i], Tables: s.Tables, CTEs: s.CTEs, Root: s.Root})
		}
		return &mutant{trace: tr.Clone(), root: root, stmt: &sqlast.Statement{Text: st.Text, Root: root}}
	}
	switch kind {
	case MutTenantRemoved:
		if len(orig.Scope.Bound) == 0 {
			return nil, "the statement binds no tenant predicate to remove"
		}
		keys := map[string]bool{}
		for _, b := range orig.Scope.Bound {
			keys[conjunctKey(b)] = true
		}
		// DropRestrictions sets the WHERE clause of a SELECT and the
		// conditions of its joins: the paths to those nodes are copied,
		// the rest is shared
		sels := st.Selects()
		var targets []sqlast.Node
		for _, s := range sels {
			targets = append(targets, s.Node)
			targets = append(targets, s.ConditionalJoins()...)
		}
		root, copies, ok := sqlast.CopyPaths(st.Root, targets)
		if !ok {
			return nil, "the tenant predicate could not be located in the tree"
		}
		removed, k := 0, 0
		for _, s := range sels {
			cs := &sqlast.Select{Node: copies[k], Tables: s.Tables, CTEs: s.CTEs, Root: s.Root}
			k += 1 + len(s.ConditionalJoins())
			removed += cs.DropRestrictions(func(n sqlast.Node) bool { return keys[conjunctKey(n)] })
		}
		if removed == 0 {
			return nil, "the tenant predicate could not be located in the tree"
		}
		return &mutant{trace: tr.Clone(), root: root, stmt: &sqlast.Statement{Text: st.Text, Root: root}}, ""
	case MutJoinFanout:
		f := c.metricOf(tr)
		if f == nil {
			return nil, "the trace names no known metric"
		}
		use, ok := orig.Use, orig.HasUse && orig.Metric == f
		if !ok {
			// the checks stopped early (an unknown principal): find it here
			use, ok = findMetric(st, f)
		}
		if !ok {
			return nil, "the statement does not compute the metric's aggregate"
		}
		// the join to add: a child table of a table already read, on its
		// foreign key, or else the metric's table again, unconstrained
		right, cond, left := sqlast.BaseTableNode(f.Table, "ps_fanout"), sqlast.Node(nil), false
		if sch := c.Domain.Schema(); sch != nil {
		search:
			for _, t := range use.Select.Tables {
				if !t.Base() {
					continue
				}
				for _, child := range sch.Tables {
					for _, fk := range child.ForeignKeys {
						pt, pc, _ := spec.SplitQualified(fk.References)
						if pt != t.Name || slices.Contains(use.Select.BaseTables(), child.Name) {
							continue
						}
						right = sqlast.BaseTableNode(child.Name, "ps_fanout")
						cond, left = sqlast.EqualsNode(sqlast.ColumnRefNode("ps_fanout", fk.Column), sqlast.ColumnRefNode(t.Alias, pc)), true
						break search
					}
				}
			}
		}
		// AddJoin sets from_table to a new join over the old one
		m = onSelects([]*sqlast.Select{use.Select}, func(s *sqlast.Select) { s.AddJoin(right, cond, left) })
		if m == nil {
			return nil, "the metric's SELECT could not be located in the tree"
		}
		m.stmt = nil // the FROM clause changed: scopes are recomputed
		if !f.DupSensitive {
			m.proof = fmt.Sprintf("%s is duplicate-insensitive: repeating its input rows cannot change it", c.Domain.Policy.Metrics[f.Name].Expression)
		}
		return m, ""
	case MutTimeShifted:
		f := c.metricOf(tr)
		if f == nil || f.TimeColumn == "" {
			return nil, "the metric has no declared time column"
		}
		use, ok := orig.Use, orig.HasUse && orig.Metric == f
		if !ok {
			use, ok = findMetric(st, f)
		}
		if !ok {
			return nil, "the statement does not compute the metric's aggregate"
		}
		vals, texts := dateBounds(use.Select, f.TimeColumn)
		if len(vals) == 0 {
			return nil, "the statement has no date bound on " + f.TimeColumn
		}
		// only the paths down to the constants' values are copied
		root, copies, ok := sqlast.CopyPaths(st.Root, vals)
		if !ok {
			return nil, "the date bounds could not be located in the tree"
		}
		for i, v := range copies {
			v["value"] = texts[i]
		}
		return &mutant{trace: tr.Clone(), root: root, stmt: &sqlast.Statement{Text: st.Text, Root: root}}, ""
	case MutSensitiveDimension:
		if tr.IR == nil {
			return nil, "the trace has no semantic intent"
		}
		var cands []string
		for _, name := range spec.SortedKeys(pol.Dimensions) {
			if d := pol.Dimensions[name]; d.Sensitive && c.dimExprs[name] != nil && !slices.Contains(tr.IR.Dimensions, name) {
				cands = append(cands, name)
			}
		}
		if len(cands) == 0 {
			return nil, "the policy has no sensitive dimension the trace does not already read"
		}
		dim := cands[pick(seed, tr.ID, kind, len(cands))]
		expr := c.dimExprs[dim]
		roots := rootSelects(st)
		if len(roots) == 0 {
			return nil, "the statement has no SELECT to extend"
		}
		// AddGroupedColumn appends to the select list and the groups and
		// edits the grouping sets: those are copied first
		m = onSelects(roots, func(s *sqlast.Select) {
			for _, k := range []string{"select_list", "group_expressions", "group_sets"} {
				if v, ok := s.Node[k].([]any); ok {
					s.Node[k] = sqlast.Clone(v)
				}
			}
			s.AddGroupedColumn(expr, dim)
		})
		if m == nil {
			return nil, "the statement's SELECT could not be located in the tree"
		}
		m.trace.IR.Dimensions = append(m.trace.IR.Dimensions, dim)
		m.proof = heldBack(tr)
		return m, ""
	case MutAliasReplaced:
		if tr.IR == nil {
			return nil, "the trace has no semantic intent"
		}
		cur, _ := c.Domain.ResolveMetric(tr.IR.Metric)
		type cand struct{ metric, alias string }
		var cands []cand
		for _, name := range spec.SortedKeys(pol.Metrics) {
			if name == cur {
				continue
			}
			for _, a := range pol.Metrics[name].Aliases {
				cands = append(cands, cand{name, a})
			}
		}
		if len(cands) == 0 {
			return nil, "no other metric has an alias to swap in"
		}
		ch := cands[pick(seed, tr.ID, kind, len(cands))]
		m = &mutant{trace: tr.Clone(), root: st.Root, stmt: st}
		m.trace.IR.Metric = ch.alias
		m.proof = heldBack(tr)
		if cur != "" && c.metrics[cur] != nil && c.metrics[ch.metric].Canon == c.metrics[cur].Canon {
			m.proof = fmt.Sprintf("metrics %s and %s have the same expression", cur, ch.metric)
		}
		return m, ""
	case MutLimitExpanded:
		if tr.IR == nil || !c.Domain.KnownPrincipal(tr.Principal) {
			return nil, "the trace has no semantic intent or no known principal"
		}
		n := pol.Roles[pol.Principals[tr.Principal].Role].MaxRows + 1
		// SetLimit edits the LIMIT constant: the modifiers are copied first
		m = onSelects(rootSelects(st), func(s *sqlast.Select) {
			if v, ok := s.Node["modifiers"].([]any); ok {
				s.Node["modifiers"] = sqlast.Clone(v)
			}
			s.SetLimit(n)
		})
		if m == nil {
			return nil, "the statement's SELECT could not be located in the tree"
		}
		m.trace.IR.Limit = n
		m.proof = heldBack(tr)
		return m, ""
	case MutReleaseUnsafe:
		if tr.IR == nil || !c.Domain.KnownPrincipal(tr.Principal) {
			return nil, "the trace has no semantic intent or no known principal"
		}
		role := pol.Principals[tr.Principal].Role
		var cands []string
		for _, name := range spec.SortedKeys(pol.Metrics) {
			if !slices.Contains(pol.Roles[role].AllowedMetrics, name) || !slices.Contains(pol.Metrics[name].AllowedRoles, role) {
				cands = append(cands, name)
			}
		}
		if len(cands) == 0 {
			return nil, "the role may read every metric: no unauthorized request to release"
		}
		m = &mutant{trace: tr.Clone(), root: st.Root, stmt: st}
		m.trace.IR.Metric = cands[pick(seed, tr.ID, kind, len(cands))]
		t := true
		m.trace.ReleaseAllowed = &t
		return m, ""
	}
	return nil, "unknown mutation"
}

// heldBack is the equivalence proof of a mutation of the intent alone
// when the trace's release layer held the result back: no row leaves,
// whatever the validator decides.
func heldBack(tr *source.Trace) string {
	if tr.ReleaseAllowed != nil && !*tr.ReleaseAllowed {
		return "release_allowed is false: the request's rows never leave, so a change to its intent cannot change what is released"
	}
	return ""
}

// metricOf is the compiled form of the trace's metric (nil without one).
func (c *Checker) metricOf(tr *source.Trace) *metricForm {
	if tr.IR == nil {
		return nil
	}
	name, ok := c.Domain.ResolveMetric(tr.IR.Metric)
	if !ok {
		return nil
	}
	return c.metrics[name]
}

// conjunctKey identifies a conjunct across a clone: its location and shape.
func conjunctKey(n sqlast.Node) string {
	return fmt.Sprint(sqlast.Location(n)) + sqlast.Canonical(n, func(names []string) string { return strings.Join(names, ".") })
}

// rootSelects are the SELECT nodes producing the statement's rows.
func rootSelects(st *sqlast.Statement) []*sqlast.Select {
	var out []*sqlast.Select
	for _, s := range st.Selects() {
		if s.Root {
			out = append(out, s)
		}
	}
	return out
}

// dateBounds finds the date constants compared with column in the
// SELECT's restrictions: the constants' value nodes and their texts moved
// one month later.
func dateBounds(s *sqlast.Select, column string) ([]sqlast.Node, []string) {
	var vals []sqlast.Node
	var texts []string
	for _, rs := range s.Restrictions() {
		e := rs.Expr
		if sqlast.Class(e) != "COMPARISON" {
			continue
		}
		for _, side := range [][2]string{{"left", "right"}, {"right", "left"}} {
			col := unwrapCast(sqlast.Child(e, side[0]))
			if sqlast.ColumnNames(col) == nil || s.QualifiedColumn(sqlast.ColumnNames(col)) != column {
				continue
			}
			val := unwrapCast(sqlast.Child(e, side[1]))
			if val == nil || sqlast.Class(val) != "CONSTANT" {
				continue
			}
			v := sqlast.Child(val, "value")
			txt, _ := v["value"].(string)
			if len(txt) < 10 {
				continue
			}
			d, err := time.Parse(time.DateOnly, txt[:10])
			if err != nil {
				continue
			}
			vals = append(vals, v)
			texts = append(texts, d.AddDate(0, 1, 0).Format(time.DateOnly)+txt[10:])
		}
	}
	return vals, texts
}
