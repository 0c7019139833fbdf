package raigo

import (
	"regexp"
	"strings"
)

// Patterns in .raigo files are JavaScript regular expressions. Go's RE2
// accepts most of that syntax, but a few constructs mean something different;
// translateJSRegex rewrites those so that a pattern behaves as it does under
// the reference engine. Syntax RE2 cannot express (lookbehind, lookahead,
// backreferences) fails to compile here, and compilePattern hands the
// original pattern to the ECMAScript engine instead (pattern.go).

// jsSpaceBody is the body of a character class matching JavaScript's \s:
// the ECMAScript WhiteSpace and LineTerminator code points. RE2's \s is only
// [\t\n\f\r ].
const jsSpaceBody = `\t\n\v\f\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}`

// jsDot matches what JavaScript's `.` matches without the s flag: anything
// but a line terminator. RE2's `.` excludes only \n.
const jsDot = `[^\n\r\x{2028}\x{2029}]`

// translateJSRegex rewrites \s, \S, `.`, \uXXXX, [] and [^] to their RE2
// equivalents; everything else is passed through unchanged.
func translateJSRegex(p string) string {
	var b strings.Builder
	b.Grow(len(p) + 16)
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			n := p[i+1]
			switch {
			case n == 's' && inClass:
				b.WriteString(jsSpaceBody)
			case n == 's':
				b.WriteString("[" + jsSpaceBody + "]")
			case n == 'S' && !inClass:
				b.WriteString("[^" + jsSpaceBody + "]")
			case n == 'u' && i+5 < len(p) && isHex(p[i+2:i+6]):
				b.WriteString(`\x{` + p[i+2:i+6] + `}`)
				i += 4
			default:
				b.WriteByte(c)
				b.WriteByte(n)
			}
			i++
		case c == '[' && !inClass:
			switch {
			case strings.HasPrefix(p[i:], "[^]"):
				b.WriteString(`[\x00-\x{10FFFF}]`)
				i += 2
			case strings.HasPrefix(p[i:], "[]"):
				b.WriteString(`[^\x00-\x{10FFFF}]`)
				i++
			default:
				inClass = true
				b.WriteByte(c)
				if i+1 < len(p) && p[i+1] == '^' {
					b.WriteByte('^')
					i++
				}
			}
		case c == ']' && inClass:
			inClass = false
			b.WriteByte(c)
		case c == '.' && !inClass:
			b.WriteString(jsDot)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return len(s) > 0
}

// compileUserPattern compiles a policy's JavaScript pattern with the i flag
// the engine always applies.
func compileUserPattern(p string) (*regexp.Regexp, error) {
	return regexp.Compile("(?i)" + translateJSRegex(p))
}

// mustJS compiles a built-in detector pattern written in JavaScript syntax.
func mustJS(p string) *regexp.Regexp {
	return regexp.MustCompile(translateJSRegex(p))
}
