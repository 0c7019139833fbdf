package db

import (
	"fmt"
	"strings"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// The SQLite engine runs the SQL every layer produces (DuckDB's dialect, or
// ClickHouse's through compatibility functions) through a dialect adapter
// working on tokens, never inside string literals, comments or quoted
// identifiers:
//
//	DATE 'x', TIMESTAMP 'x'      the text 'x' (dates are stored as
//	                             YYYY-MM-DD and timestamps as
//	                             YYYY-MM-DD HH:MM:SS text, which order
//	                             and compare as the typed values do)
//	CAST(e AS DATE)              date(e)
//	CAST(e AS TIMESTAMP)         datetime(e)
//	CAST(c AS VARCHAR)           for a boolean column c: 'true' or 'false'
//	                             (SQLite stores booleans as 0 and 1);
//	                             otherwise CAST(e AS TEXT)
//	e::type                      CAST(e AS type), then as above (e is a
//	                             name, literal, or parenthesized group,
//	                             with the function name before it)
//	a / b                        a * 1.0 / b (DuckDB's / divides as real
//	                             numbers; SQLite's divides integers as
//	                             integers)
//	ORDER BY e [ASC|DESC]        ORDER BY e [ASC|DESC] NULLS LAST (DuckDB's
//	                             default order; SQLite's puts NULL first)
//	date_trunc('month', t.c)     (substr(t.c, 1, 7) || '-01 00:00:00'), and
//	                             'year' and 'day' alike, for a date or
//	                             timestamp column c of the domain's table
//	                             t (stored in the canonical text form,
//	                             sqliteValue): the registered function's
//	                             result without a call into Go per row
//	                             (a tenth of a compact run's CPU went to
//	                             those calls); any other part or argument
//	                             calls the registered function
//
// Functions of both dialects that SQLite lacks are registered on every
// connection (sqlite_funcs.go). Anything else SQLite does not support is
// refused by SQLite itself, as a blocked statement.

// sqlToken is one lexical token of a statement.
type sqlToken struct {
	text string
	// kind: 'w' word, 's' string literal, 'q' quoted identifier, 'p'
	// punctuation, ' ' whitespace or comment
	kind byte
}

// lexSQL splits text into tokens; concatenating them gives text back.
func lexSQL(text string) []sqlToken {
	var out []sqlToken
	i := 0
	for i < len(text) {
		c := text[i]
		start := i
		switch {
		case c == '\'' || c == '"':
			i++
			for i < len(text) {
				if text[i] == c {
					if i+1 < len(text) && text[i+1] == c {
						i += 2
						continue
					}
					i++
					break
				}
				i++
			}
			kind := byte('s')
			if c == '"' {
				kind = 'q'
			}
			out = append(out, sqlToken{text[start:i], kind})
		case c == '-' && i+1 < len(text) && text[i+1] == '-':
			for i < len(text) && text[i] != '\n' {
				i++
			}
			out = append(out, sqlToken{text[start:i], ' '})
		case c == '/' && i+1 < len(text) && text[i+1] == '*':
			end := strings.Index(text[i+2:], "*/")
			if end < 0 {
				i = len(text)
			} else {
				i += end + 4
			}
			out = append(out, sqlToken{text[start:i], ' '})
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			for i < len(text) && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r') {
				i++
			}
			out = append(out, sqlToken{text[start:i], ' '})
		case isWordByte(c):
			for i < len(text) && isWordByte(text[i]) {
				i++
			}
			out = append(out, sqlToken{text[start:i], 'w'})
		default:
			i++
			out = append(out, sqlToken{text[start:i], 'p'})
		}
	}
	return out
}

func isWordByte(c byte) bool {
	return c == '_' || c == '.' || c == '$' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

// sqliteDialect adapts statements to SQLite for domain d.
type sqliteDialect struct {
	// booleans holds the boolean columns, qualified and bare
	booleans map[string]bool
	// times holds the date and timestamp columns, qualified
	times map[string]bool
}

func newSQLiteDialect(d *spec.Domain) *sqliteDialect {
	a := &sqliteDialect{booleans: map[string]bool{}, times: map[string]bool{}}
	for _, t := range d.Schema.Tables {
		for _, c := range t.Columns {
			if c.Type == "date" || c.Type == "timestamp" {
				a.times[strings.ToLower(t.Name+"."+c.Name)] = true
			}
			if c.Type == "boolean" {
				a.booleans[strings.ToLower(t.Name+"."+c.Name)] = true
				a.booleans[strings.ToLower(c.Name)] = true
			}
		}
	}
	return a
}

// adapt rewrites text for SQLite.
func (a *sqliteDialect) adapt(text string) string {
	toks := nullsLast(colonCasts(lexSQL(text)))
	var b strings.Builder
	b.Grow(len(text) + 16)
	a.write(&b, toks)
	return b.String()
}

// next returns the index of the first non-space token at or after i.
func nextTok(toks []sqlToken, i int) int {
	for i < len(toks) && toks[i].kind == ' ' {
		i++
	}
	return i
}

func (a *sqliteDialect) write(b *strings.Builder, toks []sqlToken) {
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind == 'p' && t.text == "/" {
			b.WriteString(" * 1.0 /")
			continue
		}
		if t.kind != 'w' {
			b.WriteString(t.text)
			continue
		}
		up := strings.ToUpper(t.text)
		if up == "DATE" || up == "TIMESTAMP" {
			// a typed literal: the keyword, then a string literal
			if j := nextTok(toks, i+1); j < len(toks) && toks[j].kind == 's' {
				b.WriteString(toks[j].text)
				i = j
				continue
			}
		}
		if up == "CAST" {
			if end, ok := a.writeCast(b, toks, i); ok {
				i = end
				continue
			}
		}
		if up == "DATE_TRUNC" {
			if end, ok := a.writeDateTrunc(b, toks, i); ok {
				i = end
				continue
			}
		}
		b.WriteString(t.text)
	}
}

// truncPrefix is, per date_trunc part the adapter writes natively, how
// many leading characters of the stored date or timestamp it keeps and
// what it appends to make the truncated timestamp.
var truncPrefix = map[string]struct {
	keep int
	tail string
}{
	"year":  {4, "-01-01 00:00:00"},
	"month": {7, "-01 00:00:00"},
	"day":   {10, " 00:00:00"},
}

// writeDateTrunc rewrites date_trunc('part', t.c) starting at toks[i]
// when part is in truncPrefix and t.c is a date or timestamp column,
// returning the index of the closing parenthesis.
func (a *sqliteDialect) writeDateTrunc(b *strings.Builder, toks []sqlToken, i int) (int, bool) {
	open := nextTok(toks, i+1)
	if open >= len(toks) || toks[open].text != "(" {
		return i, false
	}
	part := nextTok(toks, open+1)
	if part >= len(toks) || toks[part].kind != 's' {
		return i, false
	}
	lit := toks[part].text
	p, ok := truncPrefix[strings.ToLower(lit[1:len(lit)-1])]
	if !ok {
		return i, false
	}
	comma := nextTok(toks, part+1)
	if comma >= len(toks) || toks[comma].text != "," {
		return i, false
	}
	col := nextTok(toks, comma+1)
	if col >= len(toks) || toks[col].kind != 'w' || !a.times[strings.ToLower(toks[col].text)] {
		return i, false
	}
	closing := nextTok(toks, col+1)
	if closing >= len(toks) || toks[closing].text != ")" {
		return i, false
	}
	fmt.Fprintf(b, "(substr(%s, 1, %d) || '%s')", toks[col].text, p.keep, p.tail)
	return closing, true
}

// writeCast rewrites CAST(expr AS type) starting at toks[i] when type is
// one the adapter maps, returning the index of the closing parenthesis.
func (a *sqliteDialect) writeCast(b *strings.Builder, toks []sqlToken, i int) (int, bool) {
	open := nextTok(toks, i+1)
	if open >= len(toks) || toks[open].text != "(" {
		return 0, false
	}
	depth, as := 0, -1
	for j := open; j < len(toks); j++ {
		switch {
		case toks[j].text == "(":
			depth++
		case toks[j].text == ")":
			depth--
			if depth == 0 {
				if as < 0 {
					return 0, false
				}
				var typ []string
				for _, t := range toks[as+1 : j] {
					if t.kind != ' ' {
						typ = append(typ, strings.ToUpper(t.text))
					}
				}
				inner := toks[open+1 : as]
				var ib strings.Builder
				a.write(&ib, inner)
				expr := strings.TrimSpace(ib.String())
				switch strings.Join(typ, " ") {
				case "DATE":
					fmt.Fprintf(b, "date(%s)", expr)
				case "TIMESTAMP":
					fmt.Fprintf(b, "datetime(%s)", expr)
				case "VARCHAR", "TEXT", "STRING":
					if a.isBooleanColumn(inner) {
						fmt.Fprintf(b, "(CASE WHEN %s IS NULL THEN NULL WHEN %s THEN 'true' ELSE 'false' END)", expr, expr)
					} else {
						fmt.Fprintf(b, "CAST(%s AS TEXT)", expr)
					}
				default:
					return 0, false
				}
				return j, true
			}
		case depth == 1 && toks[j].kind == 'w' && strings.EqualFold(toks[j].text, "AS"):
			as = j
		}
	}
	return 0, false
}

// isBooleanColumn reports whether toks is a single (possibly qualified)
// reference to a boolean column.
func (a *sqliteDialect) isBooleanColumn(toks []sqlToken) bool {
	var words []sqlToken
	for _, t := range toks {
		if t.kind != ' ' {
			words = append(words, t)
		}
	}
	if len(words) != 1 || words[0].kind != 'w' {
		return false
	}
	return a.booleans[strings.ToLower(words[0].text)]
}

// isWord reports whether t is the keyword kw.
func isWord(t sqlToken, kw string) bool { return t.kind == 'w' && strings.EqualFold(t.text, kw) }

// nullsLast appends NULLS LAST to every ORDER BY item that does not say
// where NULLs go.
func nullsLast(toks []sqlToken) []sqlToken {
	out := make([]sqlToken, 0, len(toks)+4)
	// stack of ORDER BY lists open at each parenthesis depth
	depth := 0
	open := map[int]bool{}
	itemHasNulls := map[int]bool{}
	end := func(d int) {
		if open[d] && !itemHasNulls[d] {
			// before trailing whitespace
			i := len(out)
			for i > 0 && out[i-1].kind == ' ' {
				i--
			}
			out = append(out[:i], append([]sqlToken{{" NULLS LAST", 'w'}}, out[i:]...)...)
		}
		itemHasNulls[d] = false
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.text == "(":
			depth++
		case t.text == ")":
			if open[depth] {
				end(depth)
				open[depth] = false
			}
			depth--
		case t.text == "," && open[depth]:
			end(depth)
		case t.text == ";" && open[depth]:
			end(depth)
			open[depth] = false
		case isWord(t, "NULLS") && open[depth]:
			itemHasNulls[depth] = true
		case open[depth] && (isWord(t, "LIMIT") || isWord(t, "OFFSET") || isWord(t, "UNION") || isWord(t, "EXCEPT") || isWord(t, "INTERSECT") || isWord(t, "ROWS") || isWord(t, "RANGE") || isWord(t, "GROUPS")):
			end(depth)
			open[depth] = false
		case isWord(t, "BY"):
			j := len(out) - 1
			for j >= 0 && out[j].kind == ' ' {
				j--
			}
			if j >= 0 && isWord(out[j], "ORDER") {
				out = append(out, t)
				open[depth], itemHasNulls[depth] = true, false
				continue
			}
		}
		out = append(out, t)
	}
	if open[depth] {
		end(depth)
	}
	return out
}

// notFunctions are keywords that may stand before a parenthesis without
// naming a function.
var notFunctions = map[string]bool{"AND": true, "OR": true, "NOT": true, "IN": true, "SELECT": true, "WHERE": true,
	"FROM": true, "ON": true, "WHEN": true, "THEN": true, "ELSE": true, "AS": true, "BY": true, "HAVING": true,
	"EXISTS": true, "JOIN": true, "USING": true, "LIMIT": true, "IS": true, "BETWEEN": true, "CASE": true, "RETURN": true}

// colonCasts rewrites every e::type as CAST(e AS type).
func colonCasts(toks []sqlToken) []sqlToken {
	for {
		i := -1
		for j := 0; j+1 < len(toks); j++ {
			if toks[j].text == ":" && toks[j+1].text == ":" {
				i = j
				break
			}
		}
		if i < 0 {
			return toks
		}
		// the operand ends before the spaces ahead of ::
		end := i
		for end > 0 && toks[end-1].kind == ' ' {
			end--
		}
		start := end - 1
		if start < 0 {
			return toks
		}
		if toks[start].text == ")" {
			depth := 0
			for start >= 0 {
				if toks[start].text == ")" {
					depth++
				} else if toks[start].text == "(" {
					depth--
					if depth == 0 {
						break
					}
				}
				start--
			}
			if start < 0 {
				return toks
			}
			if f := start - 1; f >= 0 && toks[f].kind == 'w' && !notFunctions[strings.ToUpper(toks[f].text)] {
				start = f
			}
		} else if toks[start].kind != 'w' && toks[start].kind != 's' && toks[start].kind != 'q' {
			return toks
		}
		// the type: a word, then an optional parenthesized argument list
		t := i + 2
		for t < len(toks) && toks[t].kind == ' ' {
			t++
		}
		if t >= len(toks) || toks[t].kind != 'w' {
			return toks
		}
		tEnd := t + 1
		if tEnd < len(toks) && toks[tEnd].text == "(" {
			for tEnd < len(toks) && toks[tEnd].text != ")" {
				tEnd++
			}
			if tEnd < len(toks) {
				tEnd++
			}
		}
		out := make([]sqlToken, 0, len(toks)+6)
		out = append(out, toks[:start]...)
		out = append(out, sqlToken{"CAST", 'w'}, sqlToken{"(", 'p'})
		out = append(out, toks[start:end]...)
		out = append(out, sqlToken{" ", ' '}, sqlToken{"AS", 'w'}, sqlToken{" ", ' '})
		out = append(out, toks[t:tEnd]...)
		out = append(out, sqlToken{")", 'p'})
		out = append(out, toks[tEnd:]...)
		toks = out
	}
}
