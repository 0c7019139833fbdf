package importdomain

import "strings"

// Statement is one SQL statement of a file and the line it starts on.
type Statement struct {
	Text string
	Line int
}

// Split cuts SQL text into statements at top-level semicolons, skipping
// comments and keeping quoted strings, quoted identifiers and
// dollar-quoted bodies whole. Comments are dropped from the text.
func Split(src string) []Statement {
	var out []Statement
	var b strings.Builder
	line, start := 1, 0
	flush := func() {
		if t := strings.TrimSpace(b.String()); t != "" {
			out = append(out, Statement{Text: t, Line: start})
		}
		b.Reset()
		start = 0
	}
	mark := func() {
		if start == 0 {
			start = line
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '\n':
			line++
			b.WriteByte(c)
		case c == '-' && i+1 < len(src) && src[i+1] == '-':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			i--
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				end = len(src) - i - 2
			}
			body := src[i : i+2+end]
			line += strings.Count(body, "\n")
			b.WriteByte(' ')
			i += 2 + end + 1
		case c == '\'' || c == '"':
			mark()
			j := i + 1
			for j < len(src) {
				if src[j] == c {
					if j+1 < len(src) && src[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			if j >= len(src) {
				j = len(src) - 1
			}
			b.WriteString(src[i : j+1])
			line += strings.Count(src[i:j+1], "\n")
			i = j
		case c == '$':
			mark()
			tag := dollarTag(src[i:])
			if tag == "" {
				b.WriteByte(c)
				continue
			}
			end := strings.Index(src[i+len(tag):], tag)
			stop := len(src)
			if end >= 0 {
				stop = i + len(tag) + end + len(tag)
			}
			b.WriteString(src[i:stop])
			line += strings.Count(src[i:stop], "\n")
			i = stop - 1
		case c == ';':
			flush()
		default:
			if c != ' ' && c != '\t' && c != '\r' {
				mark()
			}
			b.WriteByte(c)
		}
	}
	flush()
	return out
}

// dollarTag returns the opening $tag$ at the start of s, or "".
func dollarTag(s string) string {
	for j := 1; j < len(s); j++ {
		c := s[j]
		if c == '$' {
			return s[:j+1]
		}
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 1 && c >= '0' && c <= '9') {
			return ""
		}
	}
	return ""
}
