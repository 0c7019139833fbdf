package raigo

import (
	"math"
	"strings"
)

// Context values are read the way the reference engine reads them from a
// JavaScript object: "set" means the key is present (even when null),
// comparisons are strict equality, and `list.includes(x)` on a string value
// is a substring test.

// tool returns the tool being invoked: context tool_invocation, or the
// documented tool_invoked when tool_invocation is not set (decision 6).
// context.tool is deliberately not used.
func (s *evalState) tool() any {
	if t := s.ctx["tool_invocation"]; jsTruthy(t) {
		return t
	}
	return s.ctx["tool_invoked"]
}

// ctxIncludes reproduces `value?.includes(x)` for a context value: element
// equality for lists, substring search for strings, false otherwise.
func ctxIncludes(v any, x string) bool {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok && s == x {
				return true
			}
		}
	case []string:
		return contains(v, x)
	case string:
		return strings.Contains(v, x)
	}
	return false
}

// jsTruthy reports whether v is truthy in JavaScript terms.
func jsTruthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case string:
		return v != ""
	case int:
		return v != 0
	case int64:
		return v != 0
	case int32:
		return v != 0
	case uint64:
		return v != 0
	case float64:
		return v != 0 && !math.IsNaN(v)
	case float32:
		return v != 0 && !math.IsNaN(float64(v))
	}
	return true
}

func contains(list []string, x string) bool {
	for _, e := range list {
		if e == x {
			return true
		}
	}
	return false
}
