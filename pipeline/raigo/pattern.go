package raigo

import (
	"fmt"
	"regexp"
	"time"

	"github.com/dlclark/regexp2/v2"
)

// PatternMatchTimeout bounds one match of a pattern that runs on the
// backtracking ECMAScript engine (lookbehind, lookahead, backreferences);
// a match that runs out of time, or out of backtracking stack, counts as no
// match. Patterns RE2 compiles run in linear time and need no bound.
var PatternMatchTimeout = 250 * time.Millisecond

// userPattern is a compiled policy pattern: Go's RE2 when it can express the
// pattern, else regexp2 with its ECMAScript option (the reference engine
// is JavaScript), bounded by PatternMatchTimeout.
type userPattern struct {
	re2 *regexp.Regexp
	js  *regexp2.Regexp
}

// MatchString reports whether the pattern matches s.
func (p *userPattern) MatchString(s string) bool {
	if p.re2 != nil {
		return p.re2.MatchString(s)
	}
	ok, err := p.js.MatchString(s)
	return err == nil && ok
}

// compilePattern compiles a policy pattern once. Patterns RE2 cannot
// express (lookbehind, lookahead, backreferences) run on regexp2 with a
// warning naming the match timeout; any other pattern that does not
// compile is reported and never matches (nil).
func compilePattern(p string, problem func(string)) *userPattern {
	re, err := compileUserPattern(p)
	if err == nil {
		return &userPattern{re2: re}
	}
	hint := unsupportedSyntax(p)
	if hint != "" {
		js, jsErr := regexp2.Compile(p, regexp2.ECMAScript|regexp2.IgnoreCase)
		if jsErr == nil {
			js.MatchTimeout = PatternMatchTimeout
			problem(fmt.Sprintf("pattern %q runs on the backtracking ECMAScript engine (%s): a match that takes longer than %v counts as no match", p, hint, PatternMatchTimeout))
			return &userPattern{js: js}
		}
		err = jsErr
	}
	why := err.Error()
	if hint != "" {
		why = hint + ", and the ECMAScript engine rejects it too: " + why
	}
	problem(fmt.Sprintf("pattern %q cannot be compiled and never matches: %s", p, why))
	return nil
}

// String returns the compiled expression: the RE2 translation, or the
// pattern as the ECMAScript engine received it.
func (p *userPattern) String() string {
	if p.re2 != nil {
		return p.re2.String()
	}
	return p.js.String()
}
