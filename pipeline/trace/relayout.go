package trace

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// relayout re-lays compact JSON text as encoding/json would encode it
// after decoding it into generic values: object keys sorted, two-space
// indent, empty objects and arrays as {} and [], scalars as written, and a
// trailing newline. It reports false (and the caller decodes and encodes
// instead) on text it cannot reproduce byte for byte: a duplicate key (a
// decoded map keeps one) or a string holding \ufffd (encoding/json writes
// a replaced invalid byte escaped, and the character itself after a round
// trip). The text must be valid compact JSON, as json.Encoder writes it.
func relayout(raw []byte) ([]byte, bool) {
	r := relayer{in: raw, out: make([]byte, 0, len(raw)+len(raw)/2)}
	end, ok := r.value(0, 0)
	if !ok || end != len(raw) {
		return nil, false
	}
	return append(r.out, '\n'), true
}

type relayer struct {
	in, out []byte
}

// member is one object member: its decoded key and the spans of its key
// token and value in the input.
type member struct {
	key        string
	keyAt, at  int
	keyEnd, to int
}

// value writes the value at i (at nesting depth) and returns where it
// ends.
func (r *relayer) value(i, depth int) (int, bool) {
	if i >= len(r.in) {
		return i, false
	}
	switch r.in[i] {
	case '{':
		return r.object(i, depth)
	case '[':
		return r.array(i, depth)
	case '"':
		end, ok := r.skipString(i)
		if !ok {
			return end, false
		}
		r.out = append(r.out, r.in[i:end]...)
		return end, true
	}
	end := r.skipScalar(i)
	if end == i {
		return i, false
	}
	r.out = append(r.out, r.in[i:end]...)
	return end, true
}

func (r *relayer) object(i, depth int) (int, bool) {
	i++
	if i < len(r.in) && r.in[i] == '}' {
		r.out = append(r.out, '{', '}')
		return i + 1, true
	}
	var ms []member
	for {
		if i >= len(r.in) || r.in[i] != '"' {
			return i, false
		}
		keyEnd, ok := r.skipString(i)
		if !ok || keyEnd >= len(r.in) || r.in[keyEnd] != ':' {
			return i, false
		}
		key, ok := decodeKey(r.in[i:keyEnd])
		if !ok {
			return i, false
		}
		to, ok := r.skipValue(keyEnd + 1)
		if !ok {
			return i, false
		}
		ms = append(ms, member{key: key, keyAt: i, keyEnd: keyEnd, at: keyEnd + 1, to: to})
		var more bool
		if i, more, ok = r.after(to, '}'); !ok {
			return i, false
		}
		if !more {
			break
		}
	}
	slices.SortFunc(ms, func(a, b member) int { return strings.Compare(a.key, b.key) })
	for k := 1; k < len(ms); k++ {
		if ms[k].key == ms[k-1].key {
			return i, false
		}
	}
	r.out = append(r.out, '{')
	for k, m := range ms {
		if k > 0 {
			r.out = append(r.out, ',')
		}
		r.newline(depth + 1)
		r.out = append(r.out, r.in[m.keyAt:m.keyEnd]...)
		r.out = append(r.out, ':', ' ')
		if _, ok := r.value(m.at, depth+1); !ok {
			return i, false
		}
	}
	r.newline(depth)
	r.out = append(r.out, '}')
	return i, true
}

func (r *relayer) array(i, depth int) (int, bool) {
	i++
	if i < len(r.in) && r.in[i] == ']' {
		r.out = append(r.out, '[', ']')
		return i + 1, true
	}
	r.out = append(r.out, '[')
	for first := true; ; first = false {
		if !first {
			r.out = append(r.out, ',')
		}
		r.newline(depth + 1)
		end, ok := r.value(i, depth+1)
		if !ok {
			return end, false
		}
		var more bool
		if i, more, ok = r.after(end, ']'); !ok {
			return i, false
		}
		if !more {
			break
		}
	}
	r.newline(depth)
	r.out = append(r.out, ']')
	return i, true
}

// after reads what follows a member or element ending at i: a comma
// (more follows) or the closing byte; next is the position after it.
func (r *relayer) after(i int, closing byte) (next int, more, ok bool) {
	if i < len(r.in) && r.in[i] == ',' {
		return i + 1, true, true
	}
	if i < len(r.in) && r.in[i] == closing {
		return i + 1, false, true
	}
	return i, false, false
}

func (r *relayer) newline(depth int) {
	r.out = append(r.out, '\n')
	for range depth {
		r.out = append(r.out, ' ', ' ')
	}
}

// skipString returns the end of the string token at i; false for one
// holding \ufffd.
func (r *relayer) skipString(i int) (int, bool) {
	for j := i + 1; j < len(r.in); j++ {
		switch r.in[j] {
		case '\\':
			if bytes.HasPrefix(r.in[j:], []byte(`\ufffd`)) {
				return j, false
			}
			j++
		case '"':
			return j + 1, true
		}
	}
	return len(r.in), false
}

// skipScalar returns the end of the number or literal at i.
func (r *relayer) skipScalar(i int) int {
	j := i
	for j < len(r.in) {
		switch c := r.in[j]; {
		case c == ',' || c == '}' || c == ']' || c == ':' || c == '"' || c == '{' || c == '[':
			return j
		}
		j++
	}
	return j
}

// skipValue returns the end of the value at i without writing it.
func (r *relayer) skipValue(i int) (int, bool) {
	if i >= len(r.in) {
		return i, false
	}
	switch r.in[i] {
	case '"':
		return r.skipString(i)
	case '{', '[':
		depth := 0
		for j := i; j < len(r.in); j++ {
			switch r.in[j] {
			case '"':
				end, ok := r.skipString(j)
				if !ok {
					return end, false
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, true
				}
			}
		}
		return len(r.in), false
	}
	end := r.skipScalar(i)
	return end, end > i
}

// decodeKey is the string a key token decodes to.
func decodeKey(tok []byte) (string, bool) {
	inner := tok[1 : len(tok)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), true
	}
	var s string
	if err := json.Unmarshal(tok, &s); err != nil {
		return "", false
	}
	return s, true
}
