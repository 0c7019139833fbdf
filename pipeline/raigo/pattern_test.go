package raigo

import (
	"strings"
	"testing"
	"time"
)

// TestLookbehindPolicyBlocks is issue 9 item 7: the reference engine
// (JavaScript) blocks `my api_key 1234` under this pattern and lets
// `public_api_key` through; RE2 cannot compile it, and it used to never
// match.
func TestLookbehindPolicyBlocks(t *testing.T) {
	p := policyOf(t, rule("K-1", "DENY", "high", `{trigger: "pattern", pattern: "(?<!public_)(api|secret)[_-]?key"}`))
	cases := []struct {
		prompt string
		want   Action
	}{
		{"my api_key 1234", ActionDeny},
		{"MY SECRET-KEY", ActionDeny},
		{"public_api_key", ActionAllow},
		{"the public_secret_key is fine", ActionAllow},
		{"public_api_key and also api_key", ActionDeny},
	}
	for _, tc := range cases {
		t.Run(tc.prompt, func(t *testing.T) {
			if got := Evaluate(p, Input{Prompt: tc.prompt}, ModeEnforce).Action; got != tc.want {
				t.Fatalf("action = %s, want %s", got, tc.want)
			}
		})
	}
}

// TestBacktrackingIsBounded: a catastrophic pattern on the ECMAScript
// engine stops at the match timeout (counted as no match), and the
// validator names the timeout.
func TestBacktrackingIsBounded(t *testing.T) {
	old := PatternMatchTimeout
	PatternMatchTimeout = 50 * time.Millisecond
	defer func() { PatternMatchTimeout = old }()
	p := policyOf(t, rule("B-1", "DENY", "high", `{trigger: "pattern", pattern: "^(?=x)?(a|aa)+$"}`))
	rep := Validate(p)
	found := false
	for _, w := range rep.Warnings {
		if strings.Contains(w.Message, "runs on the backtracking ECMAScript engine") && strings.Contains(w.Message, "50ms") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no validation warning naming the match timeout: %v", rep.Warnings)
	}
	if got := Evaluate(p, Input{Prompt: "aaaa"}, ModeEnforce).Action; got != ActionDeny {
		t.Fatalf("a short input: action %s, want DENY", got)
	}
	long := strings.Repeat("a", 200) + "!"
	if _, err := p.Rules[0].cond.re.js.MatchString(long); err == nil {
		t.Fatal("the input does not make the pattern run out of time: the test proves nothing")
	}
	start := time.Now()
	res := Evaluate(p, Input{Prompt: long}, ModeEnforce)
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("a catastrophic match ran %v: not bounded", d)
	}
	if res.Action != ActionAllow {
		t.Fatalf("a match that ran out of time: action %s, want ALLOW (no match)", res.Action)
	}
}

// FuzzCompilePattern: any pattern compiles or is reported (never a panic),
// on the engine its syntax calls for, and matching never panics (and, on
// RE2, is repeatable).
func FuzzCompilePattern(f *testing.F) {
	for _, p := range []string{`(?<!public_)(api|secret)[_-]?key`, `api[_-]?key\s*=`, `(\w)\1`, `a(?=b)`, `[^]`, `[]`, `\u00e9.`, `(?<=a`, `(?<name>x)\k<name>`, `^(a|aa)+$`} {
		f.Add(p, "my API_KEY = 1 public_api_key aaaa")
	}
	old := PatternMatchTimeout
	PatternMatchTimeout = 10 * time.Millisecond // bounds each execution
	f.Cleanup(func() { PatternMatchTimeout = old })
	f.Fuzz(func(t *testing.T, p, s string) {
		if len(p) > 200 || len(s) > 200 {
			return // long inputs only slow the backtracking engine down
		}
		var problems []string
		re := compilePattern(p, func(msg string) { problems = append(problems, msg) })
		if re == nil {
			if len(problems) != 1 {
				t.Fatalf("pattern %q rejected with %d problems", p, len(problems))
			}
			return
		}
		if (re.js != nil) != (len(problems) == 1) || (re.js != nil && unsupportedSyntax(p) == "") {
			t.Fatalf("pattern %q: engine and warnings disagree (ecmascript %v, problems %v)", p, re.js != nil, problems)
		}
		a := re.MatchString(s)
		if re.js != nil {
			return // a match near its timeout may go either way
		}
		if b := re.MatchString(s); a != b {
			t.Fatalf("pattern %q on %q: %v then %v", p, s, a, b)
		}
	})
}
