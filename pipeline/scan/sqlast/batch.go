package sqlast

import (
	"context"
	"strings"
)

// serialized is a decoded json_serialize_sql answer: the statements' root
// nodes, or the parser's error. span[i] is the range of locations read in
// statement i before shifting ({-1,-1} when it has none).
type serialized struct {
	nodes []Node
	span  [][2]int64
	err   *ParseError
}

// decodeDoc decodes json_serialize_sql's answer. Statement i's locations
// are shifted by -starts[i] (when starts has an entry for it).
func decodeDoc(raw []byte, starts []int) (*serialized, error) {
	d := newDecoder(raw)
	defer d.release()
	d.ws()
	if d.pos >= len(d.data) || d.data[d.pos] != '{' {
		return nil, d.errorf("expected an object")
	}
	d.pos++
	out := &serialized{}
	var isErr bool
	var msg string
	for first := true; ; first = false {
		d.ws()
		if d.pos < len(d.data) && d.data[d.pos] == '}' && first {
			d.pos++
			break
		}
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, d.errorf("expected an object key")
		}
		k, err := d.str(true)
		if err != nil {
			return nil, err
		}
		d.ws()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return nil, d.errorf("expected ':'")
		}
		d.pos++
		if k == "statements" {
			if err := d.statements(out, starts); err != nil {
				return nil, err
			}
		} else {
			v, err := d.value(k)
			if err != nil {
				return nil, err
			}
			switch k {
			case "error":
				isErr, _ = v.(bool)
			case "error_message":
				msg, _ = v.(string)
			}
		}
		d.ws()
		if d.pos >= len(d.data) {
			return nil, d.errorf("unexpected end of object")
		}
		if d.data[d.pos] == '}' {
			d.pos++
			break
		}
		if d.data[d.pos] != ',' {
			return nil, d.errorf("expected ',' or '}'")
		}
		d.pos++
	}
	if isErr {
		if strings.Contains(msg, "Only SELECT statements") {
			out.err = &ParseError{Kind: ErrNotSelect, Msg: "not a read-only statement: only a single SELECT (or WITH ... SELECT) is accepted"}
		} else {
			out.err = &ParseError{Kind: ErrSyntax, Msg: "SQL does not parse: " + msg}
		}
	}
	return out, nil
}

// statements reads the "statements" array: each entry's "node".
func (d *decoder) statements(out *serialized, starts []int) error {
	d.ws()
	if d.pos >= len(d.data) || d.data[d.pos] != '[' {
		return d.errorf("expected the statements array")
	}
	d.pos++
	d.ws()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return nil
	}
	for i := 0; ; i++ {
		d.shift, d.lo, d.hi = 0, -1, -1
		if i < len(starts) {
			d.shift = int64(starts[i])
		}
		v, err := d.value("")
		if err != nil {
			return err
		}
		st, _ := v.(map[string]any)
		node, _ := st["node"].(map[string]any)
		if node == nil {
			return d.errorf("statement %d has no node", i)
		}
		out.nodes = append(out.nodes, node)
		out.span = append(out.span, [2]int64{d.lo, d.hi})
		d.ws()
		if d.pos >= len(d.data) {
			return d.errorf("unexpected end of statements")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return nil
		default:
			return d.errorf("expected ',' or ']'")
		}
	}
}

// batchable reports whether prepared (placeholders normalized) can share
// one json_serialize_sql call with other statements: every string, quoted
// identifier and comment closes inside it, and it has no `;` but at most
// one trailing one, so the statement cannot run into its neighbours. Text
// with a backslash or a `$` (escape strings, dollar quoting) is parsed
// alone. end is the length to keep (the trailing `;` cut off).
func batchable(prepared string) (end int, ok bool) {
	if strings.ContainsAny(prepared, "\\$") {
		return 0, false
	}
	n := len(prepared)
	semi := -1
	for i := 0; i < n; {
		c := prepared[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for ; j < n; j++ {
				if prepared[j] == c {
					if j+1 < n && prepared[j+1] == c {
						j++
						continue
					}
					break
				}
			}
			if j >= n {
				return 0, false // unterminated
			}
			if semi >= 0 {
				return 0, false
			}
			i = j + 1
		case c == '-' && i+1 < n && prepared[i+1] == '-':
			j := strings.IndexByte(prepared[i:], '\n')
			if j < 0 {
				i = n
			} else {
				i += j
			}
		case c == '/' && i+1 < n && prepared[i+1] == '*':
			j := strings.Index(prepared[i+2:], "*/")
			if j < 0 || strings.Contains(prepared[i+2:i+2+j], "/*") {
				return 0, false // unterminated or nested
			}
			i += 2 + j + 2
		case c == ';':
			if semi >= 0 {
				return 0, false
			}
			semi = i
			i++
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		default:
			if semi >= 0 {
				return 0, false // code after a `;`
			}
			i++
		}
	}
	if semi >= 0 {
		return semi, true
	}
	return n, true
}

// batchSeparator ends each statement of a batch (a newline first, so a
// trailing line comment cannot swallow it).
const batchSeparator = "\n;\n"

// ParseBatch parses each text as Parse does, with one json_serialize_sql
// call for all the texts that can share one (see batchable) instead of one
// call each. The batch's answer is checked before it is used: as many
// statements as texts, each statement's locations inside its own text;
// otherwise, and when any text of the batch fails, every text is parsed
// alone. sts[i] and errs[i] are Parse's results for texts[i]; err is an
// infrastructure failure.
func (p *Parser) ParseBatch(ctx context.Context, texts []string) (sts []*Statement, errs []error, err error) {
	sts, errs = make([]*Statement, len(texts)), make([]error, len(texts))
	var idx, starts, ends []int
	var b strings.Builder
	alone := func(i int) error {
		st, err := p.Parse(ctx, texts[i])
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				return err
			}
			errs[i] = err
			return nil
		}
		sts[i] = st
		return nil
	}
	for i, text := range texts {
		prepared := NormalizePlaceholders(text)
		end, ok := batchable(prepared)
		if !ok || isEmptyStatement(prepared) {
			if err := alone(i); err != nil {
				return nil, nil, err
			}
			continue
		}
		idx = append(idx, i)
		starts = append(starts, b.Len())
		b.WriteString(prepared[:end])
		ends = append(ends, b.Len())
		b.WriteString(batchSeparator)
	}
	if len(idx) == 0 {
		return sts, errs, nil
	}
	if len(idx) > 1 {
		raw, err := p.serialize(ctx, b.String())
		if err != nil {
			return nil, nil, err
		}
		doc, err := decodeDoc(raw, starts)
		if err != nil {
			return nil, nil, err
		}
		if doc.err == nil && len(doc.nodes) == len(idx) && spansFit(doc.span, starts, ends) {
			for k, i := range idx {
				sts[i] = &Statement{Text: texts[i], Root: doc.nodes[k]}
			}
			return sts, errs, nil
		}
	}
	for _, i := range idx {
		if err := alone(i); err != nil {
			return nil, nil, err
		}
	}
	return sts, errs, nil
}

// spansFit reports whether each statement's locations lie in its text.
func spansFit(spans [][2]int64, starts, ends []int) bool {
	for k, sp := range spans {
		if sp[0] < 0 {
			continue
		}
		if sp[0] < int64(starts[k]) || sp[1] >= int64(ends[k]) {
			return false
		}
	}
	return true
}
