package raigo

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// specHeader is a valid spec-format preamble; rules follow under policies.
const specHeader = `raigo_version: "0.3"
metadata:
  organisation: "Org"
  policy_suite: "Suite"
  version: "1.0.0"
  classification: "INTERNAL"
  owner: "Owner"
policies:
`

// rule renders one spec-format rule. cond is the YAML of the condition
// value (a quoted string or a flow mapping); extra lines are appended.
func rule(id, action, severity, cond string, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  - id: %q\n    domain: \"D\"\n    title: \"Rule %s\"\n    condition: %s\n", id, id, cond)
	fmt.Fprintf(&b, "    action: %q\n", action)
	if severity != "" {
		fmt.Fprintf(&b, "    severity: %q\n", severity)
	}
	fmt.Fprintf(&b, "    directive: \"Directive of %s\"\n    enforcement_message: \"Message of %s\"\n", id, id)
	for _, e := range extra {
		b.WriteString("    " + e + "\n")
	}
	return b.String()
}

// policyOf parses a spec-format policy made of the given rules.
func policyOf(t testing.TB, rules ...string) *Policy {
	t.Helper()
	return mustParse(t, specHeader+strings.Join(rules, ""))
}

func mustParse(t testing.TB, src string) *Policy {
	t.Helper()
	p, err := Parse("inline.raigo", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, src)
	}
	return p
}

func mustLoad(t testing.TB, path string) *Policy {
	t.Helper()
	p, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return p
}

// ids returns the rule ids of matches.
func ids(ms []*RuleMatch) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.RuleID)
	}
	return out
}

// assertEqual fails the test when got differs from want (deep equality),
// printing both as JSON. (go-cmp is only an indirect requirement of the
// module, so tests stay on the standard library.)
func assertEqual(t testing.TB, what string, want, got any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		w, _ := json.MarshalIndent(want, "", "  ")
		g, _ := json.MarshalIndent(got, "", "  ")
		t.Errorf("%s mismatch\nwant: %s\n got: %s", what, w, g)
	}
}
