package spec

import (
	"fmt"
	"regexp"
	"strings"
)

// qualifiedRE finds table.column references in a metric expression.
var qualifiedRE = regexp.MustCompile(`\b([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\b`)

// checkExpression checks a metric's SQL expression structurally: balanced
// parentheses and quotes outside string literals, no statement separator
// or comment, and every table.column it names a column of the schema. A
// broken expression would fail only in the compiled SQL and be blamed on
// the compiler.
func (sch *Schema) checkExpression(expr string) error {
	if strings.TrimSpace(expr) == "" {
		return fmt.Errorf("expression is empty")
	}
	depth, inString := 0, false
	var outside strings.Builder
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		if inString {
			if c == '\'' {
				if i+1 < len(expr) && expr[i+1] == '\'' {
					i++
					continue
				}
				inString = false
			}
			outside.WriteByte(' ')
			continue
		}
		switch c {
		case '\'':
			inString = true
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return fmt.Errorf("expression %q: unbalanced ')'", expr)
			}
		case ';':
			return fmt.Errorf("expression %q: contains a statement separator", expr)
		case '"':
			return fmt.Errorf("expression %q: quoted identifiers are not supported", expr)
		}
		outside.WriteByte(c)
	}
	if inString {
		return fmt.Errorf("expression %q: unterminated string literal", expr)
	}
	if depth != 0 {
		return fmt.Errorf("expression %q: unbalanced '('", expr)
	}
	code := outside.String()
	if strings.Contains(code, "--") || strings.Contains(code, "/*") {
		return fmt.Errorf("expression %q: contains a comment", expr)
	}
	for _, m := range qualifiedRE.FindAllStringSubmatch(code, -1) {
		t := sch.Table(m[1])
		if t == nil {
			return fmt.Errorf("expression %q: unknown table %q", expr, m[1])
		}
		if t.Column(m[2]) == nil {
			return fmt.Errorf("expression %q: unknown column %s.%s", expr, m[1], m[2])
		}
	}
	return nil
}
