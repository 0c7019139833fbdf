package db

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
)

// The fast parser reads the SELECT statements this tool's compilers emit
// (and the small grammar around them) in Go, and answers the same SQLInfo
// DuckDB's json_serialize_sql gives, without a call into DuckDB. It is a
// recognizer, not a second authority: any text outside its grammar (other
// statements, comments, set operations, subqueries in expressions, CASE,
// casts with ::, unknown functions, schema-qualified names, parameters,
// escape strings, exponents, non-ASCII outside literals, ...) is reported
// as not recognized and parsed by DuckDB as before. FuzzFastParse and
// TestFastParseAgreesWithDuckDB hold the two to the same answer on every
// text the fast parser accepts; `policystrata run --parse-check` checks
// every parse of a run the same way.

// fastFunctions are the functions the fast parser accepts in a call:
// ones DuckDB's parser keeps as a plain FUNCTION node named as written
// (unlike coalesce, nullif, extract, grouping, ... which it rewrites).
var fastFunctions = map[string]bool{
	"count": true, "sum": true, "avg": true, "min": true, "max": true,
	"date_trunc": true, "lower": true, "upper": true, "abs": true, "round": true,
	"todatetime": true, "todate": true, "tostartofmonth": true, "uniqexact": true,
	"uniqexactif": true, "countif": true, "sumif": true, "insample": true,
}

// fastCastTypes maps the cast types the fast parser accepts to the type id
// DuckDB's parser records.
var fastCastTypes = map[string]string{
	"VARCHAR": "VARCHAR", "TEXT": "VARCHAR", "DATE": "DATE", "INTEGER": "INTEGER",
	"BIGINT": "BIGINT", "DOUBLE": "DOUBLE", "BOOLEAN": "BOOLEAN", "TIMESTAMP": "TIMESTAMP",
}

// fexpr is an expression node of the fast parser.
type fexpr struct {
	kind  fexprKind
	name  string   // function name (lowercased), comparison or cast type
	parts []string // column reference parts
	value string   // string constant, or integer constant as written
	kids  []*fexpr
	// sel is the select of x IN (SELECT ...).
	sel *fselect
}

type fexprKind uint8

const (
	fxColumn   fexprKind = iota
	fxString             // a VARCHAR constant
	fxInt                // an INTEGER or BIGINT constant
	fxDecimal            // a DECIMAL constant (DuckDB records it scaled: no binding reads it here)
	fxOther              // a constant or node no binding reads (NULL, CAST of a literal, *)
	fxFunction           // a FUNCTION node (calls and arithmetic operators)
	fxCast               // CAST(x AS type)
	fxEqual              // x = y
	fxIn                 // x IN (...)
	fxAnd                // x AND y AND ...
	fxOp                 // any other operator or comparison (OR, NOT, <, IS NULL, NOT IN, ...)
)

// fselect is one SELECT of the fast parser.
type fselect struct {
	items  []*fexpr
	tables []ftable
	exprs  []*fexpr // ON conditions, GROUP BY, HAVING, ORDER BY
	where  *fexpr
	subs   []*fselect
	limit  int64
}

// ftable is a base table reference with its alias.
type ftable struct{ name, alias string }

// fastParser is a recursive-descent parser over fastLex's tokens.
type fastParser struct {
	toks []fastTok
	pos  int
	// depth bounds nesting so a hostile text cannot exhaust the stack.
	depth int
}

// errFast is the parser's one failure: not recognized.
type errFast struct{}

// fastMaxDepth bounds the parser's nesting and fastMaxTokens a text's
// tokens (the compilers' statements have a few hundred): deeper or longer
// texts go to DuckDB, whose parser has limits of its own.
const (
	fastMaxDepth  = 64
	fastMaxTokens = 2048
)

// fastInspect answers text's SQLInfo when the fast parser recognizes it;
// ok is false when the text must go to DuckDB.
func fastInspect(text string) (info SQLInfo, ok bool) {
	toks, ok := fastLex(text)
	if !ok || len(toks) > fastMaxTokens {
		return SQLInfo{}, false
	}
	p := &fastParser{toks: toks}
	defer func() {
		if r := recover(); r != nil {
			if _, fast := r.(errFast); !fast {
				panic(r)
			}
			info, ok = SQLInfo{}, false
		}
	}()
	sel := p.selectStmt()
	if p.peek().kind != tokEOF {
		p.fail()
	}
	return sel.info(), true
}

func (p *fastParser) fail()         { panic(errFast{}) }
func (p *fastParser) peek() fastTok { return p.toks[p.pos] }
func (p *fastParser) next() fastTok { t := p.toks[p.pos]; p.pos++; return t }
func (p *fastParser) isKw(w string) bool {
	t := p.toks[p.pos]
	return t.kind == tokKeyword && t.text == w
}
func (p *fastParser) isOp(op string) bool {
	t := p.toks[p.pos]
	return t.kind == tokOp && t.text == op
}

func (p *fastParser) acceptKw(w string) bool {
	if p.isKw(w) {
		p.pos++
		return true
	}
	return false
}

func (p *fastParser) acceptOp(op string) bool {
	if p.isOp(op) {
		p.pos++
		return true
	}
	return false
}

func (p *fastParser) expectKw(w string) {
	if !p.acceptKw(w) {
		p.fail()
	}
}

func (p *fastParser) expectOp(op string) {
	if !p.acceptOp(op) {
		p.fail()
	}
}

func (p *fastParser) enter() {
	p.depth++
	if p.depth > fastMaxDepth {
		p.fail()
	}
}

func (p *fastParser) leave() { p.depth-- }

// ident reads an identifier: unquoted (not a keyword) or quoted.
func (p *fastParser) ident() string {
	t := p.next()
	if t.kind != tokIdent && t.kind != tokQuoted {
		p.fail()
	}
	return t.text
}

func (p *fastParser) isIdent() bool {
	k := p.peek().kind
	return k == tokIdent || k == tokQuoted
}

// selectStmt := SELECT [DISTINCT] items [FROM from] [WHERE e] [GROUP BY es]
// [HAVING e] [ORDER BY es] [LIMIT int]
func (p *fastParser) selectStmt() *fselect {
	p.enter()
	defer p.leave()
	s := &fselect{limit: -1}
	p.expectKw("SELECT")
	p.acceptKw("DISTINCT")
	for {
		if p.acceptOp("*") {
			s.items = append(s.items, &fexpr{kind: fxOther})
		} else {
			e := p.expr()
			if p.acceptKw("AS") {
				p.ident()
			}
			s.items = append(s.items, e)
		}
		if !p.acceptOp(",") {
			break
		}
	}
	if p.acceptKw("FROM") {
		p.fromItem(s)
		for {
			if p.acceptOp(",") {
				p.fromItem(s)
				continue
			}
			if p.acceptKw("JOIN") || p.joinKeyword() {
				p.fromItem(s)
				p.expectKw("ON")
				s.exprs = append(s.exprs, p.expr())
				continue
			}
			break
		}
	}
	if p.acceptKw("WHERE") {
		s.where = p.expr()
	}
	if p.acceptKw("GROUP") {
		p.expectKw("BY")
		s.exprs = append(s.exprs, p.exprList()...)
	}
	if p.acceptKw("HAVING") {
		s.exprs = append(s.exprs, p.expr())
	}
	if p.acceptKw("ORDER") {
		p.expectKw("BY")
		for {
			s.exprs = append(s.exprs, p.expr())
			if !p.acceptKw("ASC") {
				p.acceptKw("DESC")
			}
			if p.acceptKw("NULLS") {
				if !p.acceptKw("FIRST") {
					p.expectKw("LAST")
				}
			}
			if !p.acceptOp(",") {
				break
			}
		}
	}
	if p.acceptKw("LIMIT") {
		t := p.next()
		if t.kind != tokInt {
			p.fail()
		}
		n, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			p.fail()
		}
		s.limit = n
	}
	return s
}

// joinKeyword reads INNER JOIN or LEFT [OUTER] JOIN.
func (p *fastParser) joinKeyword() bool {
	switch {
	case p.acceptKw("INNER"):
	case p.acceptKw("LEFT"):
		p.acceptKw("OUTER")
	default:
		return false
	}
	p.expectKw("JOIN")
	return true
}

// fromItem := name [[AS] alias] | ( select ) [[AS] alias]
func (p *fastParser) fromItem(s *fselect) {
	if p.acceptOp("(") {
		sub := p.selectStmt()
		p.expectOp(")")
		p.alias()
		s.subs = append(s.subs, sub)
		return
	}
	name := p.ident()
	if p.isOp(".") || p.isOp("(") {
		p.fail() // schema-qualified names and table functions: DuckDB's to read
	}
	s.tables = append(s.tables, ftable{name: name, alias: p.alias()})
}

func (p *fastParser) alias() string {
	if p.acceptKw("AS") {
		return p.ident()
	}
	if p.isIdent() {
		return p.ident()
	}
	return ""
}

func (p *fastParser) exprList() []*fexpr {
	var out []*fexpr
	for {
		out = append(out, p.expr())
		if !p.acceptOp(",") {
			return out
		}
	}
}

// expr := and {OR and}
func (p *fastParser) expr() *fexpr {
	p.enter()
	defer p.leave()
	e := p.and()
	if !p.isKw("OR") {
		return e
	}
	or := &fexpr{kind: fxOp, kids: []*fexpr{e}}
	for p.acceptKw("OR") {
		or.kids = append(or.kids, p.and())
	}
	return or
}

func (p *fastParser) and() *fexpr {
	e := p.not()
	if !p.isKw("AND") {
		return e
	}
	and := &fexpr{kind: fxAnd, kids: []*fexpr{e}}
	for p.acceptKw("AND") {
		and.kids = append(and.kids, p.not())
	}
	return and
}

func (p *fastParser) not() *fexpr {
	if p.acceptKw("NOT") {
		p.enter()
		defer p.leave()
		return &fexpr{kind: fxOp, kids: []*fexpr{p.not()}}
	}
	return p.comparison()
}

// comparison := additive [cmp additive | [NOT] IN (list) | IS [NOT] NULL];
// a second comparison after the first (a = b = c, a = b IN (...)) is
// DuckDB's to read.
func (p *fastParser) comparison() *fexpr {
	left := p.additive()
	var e *fexpr
	switch t := p.peek(); {
	case t.kind == tokOp && (t.text == "=" || t.text == "<" || t.text == ">" || t.text == "<=" ||
		t.text == ">=" || t.text == "<>" || t.text == "!="):
		p.pos++
		kind := fxOp
		if t.text == "=" {
			kind = fxEqual
		}
		e = &fexpr{kind: kind, kids: []*fexpr{left, p.additive()}}
	case p.isKw("IN") || p.isKw("NOT") && p.toks[p.pos+1].kind == tokKeyword && p.toks[p.pos+1].text == "IN":
		kind := fxIn
		if p.acceptKw("NOT") {
			kind = fxOp
		}
		p.expectKw("IN")
		p.expectOp("(")
		if p.isKw("SELECT") {
			// x IN (SELECT ...): DuckDB's SUBQUERY node, which no
			// binding reads; its select is walked like any other
			e = &fexpr{kind: fxOp, kids: []*fexpr{left}, sel: p.selectStmt()}
		} else {
			e = &fexpr{kind: kind, kids: append([]*fexpr{left}, p.exprList()...)}
		}
		p.expectOp(")")
	case p.isKw("IS"):
		p.pos++
		p.acceptKw("NOT")
		p.expectKw("NULL")
		e = &fexpr{kind: fxOp, kids: []*fexpr{left}}
	default:
		return left
	}
	if t := p.peek(); t.kind == tokOp && strings.ContainsAny(t.text, "=<>!") || p.isKw("IN") || p.isKw("IS") ||
		p.isKw("NOT") || p.isKw("LIKE") || p.isKw("ILIKE") || p.isKw("BETWEEN") {
		p.fail()
	}
	return e
}

// additive := multiplicative {(+|-|'||') multiplicative}
func (p *fastParser) additive() *fexpr {
	e := p.multiplicative()
	for {
		t := p.peek()
		if t.kind != tokOp || (t.text != "+" && t.text != "-" && t.text != "||") {
			return e
		}
		p.pos++
		e = &fexpr{kind: fxFunction, name: t.text, kids: []*fexpr{e, p.multiplicative()}}
	}
}

// multiplicative := primary {(*|/|%) primary}
func (p *fastParser) multiplicative() *fexpr {
	e := p.primary()
	for {
		t := p.peek()
		if t.kind != tokOp || (t.text != "*" && t.text != "/" && t.text != "%") {
			return e
		}
		p.pos++
		e = &fexpr{kind: fxFunction, name: t.text, kids: []*fexpr{e, p.primary()}}
	}
}

// primary := literal | DATE 'x' | NULL | TRUE | FALSE | CAST(e AS type) |
// function call | column reference | ( expr )
func (p *fastParser) primary() *fexpr {
	t := p.next()
	switch t.kind {
	case tokString:
		return &fexpr{kind: fxString, value: t.text}
	case tokInt:
		if _, err := strconv.ParseInt(t.text, 10, 64); err != nil {
			p.fail() // HUGEINT constants: DuckDB's to read
		}
		return &fexpr{kind: fxInt, value: t.text}
	case tokDecimal:
		return &fexpr{kind: fxDecimal}
	case tokKeyword:
		switch t.text {
		case "NULL":
			return &fexpr{kind: fxOther}
		case "TRUE", "FALSE":
			return &fexpr{kind: fxCast, name: "BOOLEAN"}
		case "DATE":
			if p.next().kind != tokString {
				p.fail()
			}
			return &fexpr{kind: fxCast, name: "DATE"}
		case "CAST":
			p.expectOp("(")
			inner := p.expr()
			p.expectKw("AS")
			tt := p.next()
			typ, ok := fastCastTypes[strings.ToUpper(tt.text)]
			if !ok || (tt.kind != tokIdent && tt.kind != tokKeyword) {
				p.fail()
			}
			p.expectOp(")")
			return &fexpr{kind: fxCast, name: typ, kids: []*fexpr{inner}}
		}
	case tokOp:
		if t.text == "(" {
			if p.isKw("SELECT") {
				p.fail()
			}
			e := p.expr()
			p.expectOp(")")
			return e
		}
	case tokIdent, tokQuoted:
		if p.isOp("(") {
			if t.kind != tokIdent {
				p.fail()
			}
			return p.call(t.text)
		}
		parts := []string{t.text}
		for p.acceptOp(".") {
			if len(parts) == 4 {
				p.fail()
			}
			parts = append(parts, p.ident())
		}
		if p.isOp("(") {
			p.fail() // schema.function(...)
		}
		return &fexpr{kind: fxColumn, parts: parts}
	}
	p.fail()
	return nil
}

// call := name ( [DISTINCT] args | * ) [FILTER (WHERE expr)]
func (p *fastParser) call(name string) *fexpr {
	lower := strings.ToLower(name)
	if !fastFunctions[lower] {
		p.fail()
	}
	p.expectOp("(")
	f := &fexpr{kind: fxFunction, name: lower}
	switch {
	case p.isOp("*"):
		if lower != "count" {
			p.fail()
		}
		p.pos++
		f.name = "count_star"
	case p.isOp(")"):
		if lower == "count" {
			f.name = "count_star" // DuckDB's name for count() too
		}
	default:
		p.acceptKw("DISTINCT")
		f.kids = p.exprList()
	}
	p.expectOp(")")
	if p.acceptKw("FILTER") {
		p.expectOp("(")
		p.expectKw("WHERE")
		f.kids = append(f.kids, p.expr())
		p.expectOp(")")
	}
	if p.isKw("OVER") || p.isKw("WITHIN") {
		p.fail()
	}
	return f
}

// info computes the SQLInfo parseSerializedSQL computes from DuckDB's tree
// of the same statement.
func (s *fselect) info() SQLInfo {
	info := SQLInfo{Valid: true, Statements: 1, Limit: s.limit}
	info.textColumns = make([]bool, len(s.items))
	for i, it := range s.items {
		info.textColumns[i] = it.kind == fxCast && it.name == "VARCHAR"
	}
	tables := map[string]bool{}
	aliases := map[string]string{}
	funcs := map[string]bool{}
	var refs [][]string
	var wheres []*fexpr
	var walk func(e *fexpr)
	var visit func(s *fselect)
	walk = func(e *fexpr) {
		switch e.kind {
		case fxFunction:
			funcs[e.name] = true
		case fxColumn:
			if len(e.parts) >= 2 {
				refs = append(refs, e.parts)
			}
		}
		for _, k := range e.kids {
			walk(k)
		}
		if e.sel != nil {
			visit(e.sel)
		}
	}
	visit = func(s *fselect) {
		for _, t := range s.tables {
			tables[t.name] = true
			if t.alias != "" {
				if prev, ok := aliases[t.alias]; ok && prev != t.name {
					// DuckDB's tree walk keeps one of the two by key
					// order; rather than copy that, let DuckDB answer
					panic(errFast{})
				}
				aliases[t.alias] = t.name
			}
		}
		for _, e := range s.items {
			walk(e)
		}
		for _, e := range s.exprs {
			walk(e)
		}
		if s.where != nil {
			walk(s.where)
			wheres = append(wheres, s.where)
		}
		for _, sub := range s.subs {
			visit(sub)
		}
	}
	visit(s)
	info.Functions = sortedSet(funcs)
	var binds []rawBinding
	for _, w := range wheres {
		for _, c := range fastConjuncts(w) {
			if col, vals, ok := fastBinding(c); ok {
				binds = append(binds, rawBinding{col, vals})
			}
		}
	}
	finishInfo(&info, tables, aliases, refs, binds)
	return info
}

func fastConjuncts(e *fexpr) []*fexpr {
	if e.kind != fxAnd {
		return []*fexpr{e}
	}
	var out []*fexpr
	for _, k := range e.kids {
		out = append(out, fastConjuncts(k)...)
	}
	return out
}

// fastBinding is binding over the fast parser's nodes.
func fastBinding(e *fexpr) ([]string, []string, bool) {
	constOf := func(c *fexpr) (string, bool) {
		switch c.kind {
		case fxDecimal:
			panic(errFast{}) // DuckDB binds its scaled integer: DuckDB's to answer
		case fxString:
			return c.value, true
		case fxInt:
			f, err := strconv.ParseFloat(c.value, 64)
			if err != nil {
				return "", false
			}
			return strconv.FormatFloat(f, 'f', -1, 64), true
		}
		return "", false
	}
	switch e.kind {
	case fxEqual:
		l, r := e.kids[0], e.kids[1]
		if l.kind == fxColumn {
			if v, ok := constOf(r); ok {
				return l.parts, []string{v}, true
			}
		}
		if r.kind == fxColumn {
			if v, ok := constOf(l); ok {
				return r.parts, []string{v}, true
			}
		}
	case fxIn:
		col := e.kids[0]
		if col.kind != fxColumn {
			return nil, nil, false
		}
		var vals []string
		for _, c := range e.kids[1:] {
			v, ok := constOf(c)
			if !ok {
				return nil, nil, false
			}
			vals = append(vals, v)
		}
		return col.parts, vals, true
	}
	return nil, nil, false
}

// parseCheck makes every fast parse also run on DuckDB and compare.
var parseCheck atomic.Bool

// SetParseCheck turns on (or off) checking every text the fast parser
// answers against DuckDB's parser: a disagreement fails the Inspect that
// met it. It returns the previous setting. It is process-wide (`run
// --parse-check`, the tests).
func SetParseCheck(on bool) bool { return parseCheck.Swap(on) }

// inspectText answers text's SQLInfo: the fast parser's when it recognizes
// the text, otherwise duck's (DuckDB's json_serialize_sql). fast reports
// which answered.
func inspectText(ctx context.Context, text string, duck func(context.Context, string) (SQLInfo, error)) (info SQLInfo, fast bool, err error) {
	info, ok := fastInspect(text)
	if !ok {
		info, err = duck(ctx, text)
		return info, false, err
	}
	if parseCheck.Load() {
		want, err := duck(ctx, text)
		if err != nil {
			return SQLInfo{}, true, err
		}
		if !reflect.DeepEqual(info, want) {
			return SQLInfo{}, true, fmt.Errorf("parse check: the fast parser and DuckDB disagree on %q: fast %+v, DuckDB %+v", text, info, want)
		}
	}
	return info, true, nil
}
