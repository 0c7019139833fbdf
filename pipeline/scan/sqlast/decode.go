package sqlast

import (
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// decoder reads the JSON json_serialize_sql returns into the same values
// encoding/json gives with UseNumber (map[string]any, []any, string,
// json.Number, bool, nil), several times faster: no reflection, object
// keys and the tree's short repeated strings interned, maps sized to their
// members. While it reads a statement it shifts every query_location by
// -shift and records the range of the located nodes, so statements parsed
// together in one batch point into their own text.
type decoder struct {
	data []byte
	pos  int
	// intern holds strings already seen (keys and short values).
	intern map[string]string
	// shift is subtracted from query_location values; lo and hi are the
	// smallest and largest location read (before the shift), -1 for none.
	shift  int64
	lo, hi int64
}

// noLocation is the location DuckDB gives nodes built without one.
const noLocation = "18446744073709551615"

func newDecoder(data []byte) *decoder {
	return &decoder{data: data, intern: internPool.Get().(map[string]string), lo: -1, hi: -1}
}

// internPool recycles the decoders' intern tables (one per parse would be
// most of a small parse's allocation).
var internPool = sync.Pool{New: func() any { return make(map[string]string, 256) }}

// release returns d's intern table to the pool; d must not decode after.
// The strings it interned stay valid: only the table is reused.
func (d *decoder) release() {
	clear(d.intern)
	internPool.Put(d.intern)
	d.intern = nil
}

// DecodeJSON decodes data as one JSON value, as encoding/json with
// UseNumber would (map[string]any, []any, string, json.Number, bool, nil),
// several times faster; for json_serialize_sql output, which both the
// scanner and the database layer read.
func DecodeJSON(data []byte) (any, error) { return decodeJSON(data) }

// decodeJSON decodes data as one JSON value (with nothing but whitespace
// after it).
func decodeJSON(data []byte) (any, error) {
	d := newDecoder(data)
	defer d.release()
	v, err := d.value("")
	if err != nil {
		return nil, err
	}
	d.ws()
	if d.pos != len(d.data) {
		return nil, d.errorf("trailing data")
	}
	return v, nil
}

func (d *decoder) errorf(format string, args ...any) error {
	return fmt.Errorf("decode syntax tree: offset %d: %s", d.pos, fmt.Sprintf(format, args...))
}

func (d *decoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// value reads one value; key is the object key it belongs to.
func (d *decoder) value(key string) (any, error) {
	d.ws()
	if d.pos >= len(d.data) {
		return nil, d.errorf("unexpected end of input")
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		return d.str(true)
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number(key)
	default:
		return nil, d.errorf("unexpected character %q", c)
	}
}

func (d *decoder) literal(word string) error {
	if len(d.data)-d.pos < len(word) || string(d.data[d.pos:d.pos+len(word)]) != word {
		return d.errorf("invalid literal")
	}
	d.pos += len(word)
	return nil
}

func (d *decoder) object() (any, error) {
	d.pos++ // {
	// count members cheaply? Nodes have few keys: a small hint suffices.
	m := make(map[string]any, 8)
	d.ws()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return m, nil
	}
	for {
		d.ws()
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
		v, err := d.value(k)
		if err != nil {
			return nil, err
		}
		m[k] = v
		d.ws()
		if d.pos >= len(d.data) {
			return nil, d.errorf("unexpected end of object")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return m, nil
		default:
			return nil, d.errorf("expected ',' or '}'")
		}
	}
}

func (d *decoder) array() (any, error) {
	d.pos++ // [
	out := []any{}
	d.ws()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return out, nil
	}
	for {
		v, err := d.value("")
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		d.ws()
		if d.pos >= len(d.data) {
			return nil, d.errorf("unexpected end of array")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return out, nil
		default:
			return nil, d.errorf("expected ',' or ']'")
		}
	}
}

// number reads a number literal as json.Number; a query_location is
// shifted and its range recorded.
func (d *decoder) number(key string) (any, error) {
	start := d.pos
	if d.data[d.pos] == '-' {
		d.pos++
	}
	digits := func() int {
		n := 0
		for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	intStart := d.pos
	if digits() == 0 {
		return nil, d.errorf("invalid number")
	}
	if d.data[intStart] == '0' && d.pos-intStart > 1 {
		return nil, d.errorf("invalid number: leading zero")
	}
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		if digits() == 0 {
			return nil, d.errorf("invalid number")
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			return nil, d.errorf("invalid number")
		}
	}
	text := d.data[start:d.pos]
	if key == "query_location" && string(text) != noLocation {
		if v, err := strconv.ParseInt(string(text), 10, 64); err == nil && v >= 0 && v <= 1<<40 {
			if d.lo < 0 || v < d.lo {
				d.lo = v
			}
			if v > d.hi {
				d.hi = v
			}
			if d.shift != 0 {
				return json.Number(strconv.FormatInt(v-d.shift, 10)), nil
			}
		}
	}
	return json.Number(d.internBytes(text)), nil
}

// internBytes returns b as a string, shared with earlier equal strings
// when short (keys, node types, class names, small numbers).
func (d *decoder) internBytes(b []byte) string {
	if len(b) > 32 {
		return string(b)
	}
	if s, ok := d.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	d.intern[s] = s
	return s
}

// str reads a string literal.
func (d *decoder) str(intern bool) (string, error) {
	d.pos++ // opening quote
	start := d.pos
	// fast path: no escapes
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if c == '"' {
			b := d.data[start:d.pos]
			d.pos++
			if !utf8.Valid(b) {
				return string([]rune(string(b))), nil
			}
			if intern {
				return d.internBytes(b), nil
			}
			return string(b), nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", d.errorf("control character in string")
		}
		d.pos++
	}
	buf := append([]byte{}, d.data[start:d.pos]...)
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			if !utf8.Valid(buf) {
				return string([]rune(string(buf))), nil
			}
			return string(buf), nil
		case c < 0x20:
			return "", d.errorf("control character in string")
		case c != '\\':
			buf = append(buf, c)
			d.pos++
			continue
		}
		d.pos++
		if d.pos >= len(d.data) {
			break
		}
		e := d.data[d.pos]
		d.pos++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return "", d.errorf("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if d.pos+1 < len(d.data) && d.data[d.pos] == '\\' && d.data[d.pos+1] == 'u' {
					save := d.pos
					d.pos += 2
					if x, ok := d.hex4(); ok {
						if dec := utf16.DecodeRune(r, x); dec != utf8.RuneError {
							r2 = dec
						} else {
							d.pos = save
						}
					} else {
						d.pos = save
					}
				}
				r = r2
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", d.errorf("invalid escape")
		}
	}
	return "", d.errorf("unterminated string")
}

func (d *decoder) hex4() (rune, bool) {
	if len(d.data)-d.pos < 4 {
		return 0, false
	}
	var r rune
	for _, c := range d.data[d.pos : d.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	d.pos += 4
	return r, true
}
