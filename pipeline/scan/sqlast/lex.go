package sqlast

import "strings"

// scan walks text, calling code for every byte outside string literals,
// quoted identifiers and comments. code returns how many bytes it consumed
// (0 to let the walker copy one byte). Comments are reported to comment.
func walkText(text string, code func(i int) int, comment func(start, end int)) {
	n := len(text)
	for i := 0; i < n; {
		c := text[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < n {
				if text[j] == c {
					if j+1 < n && text[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			i = j + 1
		case c == '-' && i+1 < n && text[i+1] == '-':
			j := strings.IndexByte(text[i:], '\n')
			end := n
			if j >= 0 {
				end = i + j
			}
			if comment != nil {
				comment(i, end)
			}
			i = end
		case c == '/' && i+1 < n && text[i+1] == '*':
			j := strings.Index(text[i+2:], "*/")
			end := n
			if j >= 0 {
				end = i + 2 + j + 2
			}
			if comment != nil {
				comment(i, end)
			}
			i = end
		default:
			if k := code(i); k > 0 {
				i += k
			} else {
				i++
			}
		}
	}
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentPart(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') || c == '.' }

// NormalizePlaceholders replaces each bind placeholder outside strings and
// comments — `:name`, `:principal.tenant_id`, `$name`, `$1`, `%s`,
// `%(name)s` — with an anonymous `?` padded with spaces to the same
// length, so DuckDB parses them as parameters and locations are kept.
func NormalizePlaceholders(text string) string {
	b := []byte(text)
	n := len(b)
	walkText(text, func(i int) int {
		c := b[i]
		switch {
		case c == ':' && i+1 < n && b[i+1] == ':':
			return 2 // a cast
		case c == ':' && i+1 < n && isIdentStart(b[i+1]) && (i == 0 || !isIdentPart(b[i-1]) && b[i-1] != ']' && b[i-1] != ')'):
			j := i + 1
			for j < n && isIdentPart(b[j]) {
				j++
			}
			fill(b, i, j)
			return j - i
		case c == '$' && i+1 < n && (isIdentStart(b[i+1]) || (b[i+1] >= '0' && b[i+1] <= '9')):
			if i > 0 && isIdentPart(b[i-1]) {
				return 0
			}
			j := i + 1
			for j < n && (isIdentPart(b[j]) && b[j] != '.') {
				j++
			}
			if j < n && b[j] == '$' { // dollar-quoted string: leave it
				return 0
			}
			fill(b, i, j)
			return j - i
		case c == '%' && i+1 < n && b[i+1] == 's':
			fill(b, i, i+2)
			return 2
		case c == '%' && i+1 < n && b[i+1] == '(':
			j := strings.Index(string(b[i:]), ")s")
			if j > 0 {
				fill(b, i, i+j+2)
				return j + 2
			}
		}
		return 0
	}, nil)
	return string(b)
}

func fill(b []byte, from, to int) {
	b[from] = '?'
	for k := from + 1; k < to; k++ {
		b[k] = ' '
	}
}

// StripComments returns text with its comments replaced by spaces.
func StripComments(text string) string {
	b := []byte(text)
	walkText(text, func(int) int { return 0 }, func(s, e int) {
		for k := s; k < e; k++ {
			if b[k] != '\n' {
				b[k] = ' '
			}
		}
	})
	return string(b)
}

// PlaceholderOffsets lists the byte offsets of text's bind placeholders
// (as NormalizePlaceholders finds them, outside strings and comments) in
// order: the parameter DuckDB numbers k is at offset k-1.
func PlaceholderOffsets(text string) []int {
	prepared := NormalizePlaceholders(text)
	var out []int
	walkText(prepared, func(i int) int {
		if prepared[i] == '?' {
			out = append(out, i)
		}
		return 0
	}, nil)
	return out
}
