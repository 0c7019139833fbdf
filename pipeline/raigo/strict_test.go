package raigo

import (
	"errors"
	"strings"
	"testing"
)

func TestParseStrictErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // every located error, in order
	}{
		{
			name: "unknown top-level field",
			src:  specHeader + rule("A-1", "DENY", "high", `"always"`) + "orgnisation: x\n",
			want: []string{`inline.raigo:17: unknown field "orgnisation"`},
		},
		{
			name: "unknown metadata field with suggestion",
			src:  strings.Replace(specHeader, "  owner:", "  ownr: \"x\"\n  owner:", 1) + rule("A-1", "DENY", "high", `"always"`),
			want: []string{`inline.raigo:7: unknown field "ownr" in metadata (did you mean "owner"?)`},
		},
		{
			name: "unknown rule and condition fields",
			src:  specHeader + rule("A-1", "DENY", "high", "{trigger: \"prompt_contains\", keyword: [\"x\"]}", "sevrity: \"low\""),
			want: []string{
				`inline.raigo:12: unknown field "keyword" in policies[0].condition (did you mean "keywords"?)`,
				`inline.raigo:17: unknown field "sevrity" in policies[0] (did you mean "severity"?)`,
			},
		},
		{
			name: "priority must be an integer",
			src:  specHeader + rule("A-1", "DENY", "high", `"always"`, `priority: "high"`),
			want: []string{`inline.raigo:17: policies[0].priority: expected an integer, got a string "high"`},
		},
		{
			name: "booleans are not strings",
			src:  specHeader + rule("A-1", "DENY", "high", `"always"`, `audit_required: "yes"`),
			want: []string{`inline.raigo:17: policies[0].audit_required: expected a boolean (true or false), got a string "yes"`},
		},
		{
			name: "policies must be a list",
			src:  strings.TrimSuffix(specHeader, "policies:\n") + "policies: \"none\"\n",
			want: []string{`inline.raigo:8: policies: expected a list, got a string "none"`},
		},
		{
			name: "condition must be a string or mapping",
			src:  specHeader + rule("A-1", "DENY", "high", `["always"]`),
			want: []string{`inline.raigo:12: policies[0].condition: expected a string or a mapping, got a list`},
		},
		{
			name: "condition lists are lists",
			src:  specHeader + rule("A-1", "DENY", "high", `{trigger: "output_contains", data_classification: "PII"}`),
			want: []string{`inline.raigo:12: policies[0].condition.data_classification: expected a list, got a string "PII"`},
		},
		{
			name: "tags are a list of strings",
			src:  specHeader + rule("A-1", "DENY", "high", `"always"`, "tags: [[1]]"),
			want: []string{`inline.raigo:17: policies[0].tags[0]: expected a string, got a list`},
		},
		{
			name: "duplicate field",
			src:  specHeader + rule("A-1", "DENY", "high", `"always"`, `action: "WARN"`),
			want: []string{`inline.raigo:17: policies[0]: duplicate field "action" (first at line 13)`},
		},
		{
			name: "merge keys are rejected",
			src:  specHeader + rule("A-1", "DENY", "high", `"always"`, "<<: {tags: [a]}"),
			want: []string{`inline.raigo:17: policies[0]: YAML merge keys (<<) are not supported`},
		},
		{
			name: "several errors are all reported",
			src:  specHeader + rule("A-1", "DENY", "high", `"always"`, "bogus: 1", "priority: 1.5"),
			want: []string{
				`inline.raigo:17: unknown field "bogus" in policies[0]`,
				`inline.raigo:18: policies[0].priority: expected an integer, got a number "1.5"`,
			},
		},
		{
			// yaml.v3 says line 9 (0-based); the broken sequence is on 10.
			name: "syntax error names the broken construct's line",
			src:  specHeader + "  - id: \"A\"\n    title: [unclosed\n",
			want: []string{`inline.raigo:10: invalid YAML: did not find expected ',' or ']'`},
		},
		{name: "empty document", src: "", want: []string{"inline.raigo:1: file does not contain a valid YAML object"}},
		{name: "null document", src: "~\n", want: []string{"inline.raigo:1: file does not contain a valid YAML object (found null)"}},
		{name: "scalar document", src: "just text\n", want: []string{`inline.raigo:1: file does not contain a valid YAML object (found a string)`}},
		{name: "list document", src: "- a\n", want: []string{"inline.raigo:1: file does not contain a valid YAML object (found a list)"}},
		{
			name: "two documents",
			src:  specHeader + rule("A-1", "DENY", "high", `"always"`) + "---\nfoo: 1\n",
			want: []string{"inline.raigo:17: multiple YAML documents; the file must hold exactly one"},
		},
		{
			name: "both formats",
			src:  specHeader + rule("A-1", "DENY", "high", `"always"`) + "rules: []\n",
			want: []string{"inline.raigo:17: both policies (spec format) and rules (docs format) are present; a file uses one format"},
		},
		{
			name: "docs format is strict too",
			src:  "rules:\n  - id: R-1\n    action: block\n    triggers:\n      prompt_contain: [x]\n",
			want: []string{`inline.raigo:5: unknown field "prompt_contain" in rules[0].triggers (did you mean "prompt_contains"?)`},
		},
		{
			name: "docs enabled is a boolean",
			src:  "rules:\n  - id: R-1\n    action: block\n    enabled: \"no\"\n",
			want: []string{`inline.raigo:4: rules[0].enabled: expected a boolean (true or false), got a string "no"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("inline.raigo", []byte(tt.src))
			if err == nil {
				t.Fatalf("Parse succeeded, want %q", tt.want)
			}
			if !strings.HasPrefix(err.Error(), "load policy: ") {
				t.Errorf("error %q is not wrapped with the step's verb", err)
			}
			var got []string
			var list ErrorList
			var pe *PosError
			switch {
			case errors.As(err, &list):
				for _, e := range list {
					got = append(got, e.Error())
				}
			case errors.As(err, &pe):
				got = []string{pe.Error()}
			default:
				t.Fatalf("error %q carries no position", err)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("errors:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestExtensionFieldsAreAcceptedEverywhere(t *testing.T) {
	p := mustLoad(t, "testdata/iso.raigo")
	if got := p.Spec.Extensions["x_generator"]; got != "hand-written" {
		t.Errorf("top-level x_generator = %v", got)
	}
	if got := p.Spec.Policies[0].Extensions["x_ticket"]; got != "SEC-1234" {
		t.Errorf("rule x_ticket = %v", got)
	}
	if got := p.Spec.Context.Servers[0].Extensions["x_owner"]; got != "ops" {
		t.Errorf("server x_owner = %v", got)
	}
	src := specHeader + rule("A-1", "DENY", "high", `{trigger: "always", x_note: {nested: [1, 2]}}`, "x_any: [1, {a: b}]")
	p = mustParse(t, src)
	if p.Spec.Policies[0].Condition.Structured.Extensions["x_note"] == nil {
		t.Error("condition x_note not kept")
	}
}

func TestAliasExpansionIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(specHeader)
	b.WriteString("  - id: \"A\"\n    tags: &a0 [\"x\", \"x\", \"x\", \"x\", \"x\", \"x\", \"x\", \"x\"]\n")
	b.WriteString("x_bomb:\n")
	// Each level references the previous one eight times.
	prev := "a0"
	for i := 1; i < 9; i++ {
		name := "a" + string(rune('0'+i))
		b.WriteString("  l" + name + ": &" + name + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n")
		prev = name
	}
	_, err := Parse("bomb.raigo", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "bomb.raigo:12: x_bomb: document contains excessive aliasing") {
		t.Fatalf("alias bomb: err = %v", err)
	}
}

func TestAliasesAreFollowed(t *testing.T) {
	src := specHeader +
		"  - id: \"A-1\"\n    domain: &dom \"Shared\"\n    title: \"t\"\n    condition: &cond {trigger: \"prompt_contains\", keywords: [\"alpha\"]}\n    action: \"DENY\"\n    directive: \"d\"\n" +
		"  - id: \"A-2\"\n    domain: *dom\n    title: \"t\"\n    condition: *cond\n    action: \"WARN\"\n    directive: \"d\"\n"
	p := mustParse(t, src)
	if p.Rules[1].Domain != "Shared" {
		t.Errorf("aliased domain = %q", p.Rules[1].Domain)
	}
	res := Evaluate(p, Input{Prompt: "ALPHA"}, ModeEnforce)
	if got := ids(res.Matches); strings.Join(got, ",") != "A-1,A-2" {
		t.Errorf("matches = %v", got)
	}
}

func TestDecodeYAMLWarnings(t *testing.T) {
	var v struct {
		Name string `yaml:"name"`
		Line int    `yaml:"-"`
	}
	warns, err := DecodeYAML("s.yaml", []byte("name: a\nextra: 1\n"), &v, DecodeOptions{UnknownFieldsAsWarnings: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 1 || warns[0].String() != `s.yaml:2: unknown field "extra"` {
		t.Errorf("warnings = %v", warns)
	}
	if v.Name != "a" || v.Line != 1 {
		t.Errorf("decoded %+v", v)
	}
	if _, err := DecodeYAML("s.yaml", []byte("name: a\n"), v, DecodeOptions{}); err == nil {
		t.Error("non-pointer target accepted")
	}
}

func TestDiagnosticString(t *testing.T) {
	tests := []struct {
		d    Diagnostic
		want string
	}{
		{Diagnostic{Path: "p", Line: 3, Message: "m"}, "p:3: m"},
		{Diagnostic{Path: "p", Message: "m"}, "p: m"},
		{Diagnostic{Line: 3, Message: "m"}, "line 3: m"},
		{Diagnostic{Message: "m"}, "m"},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("%+v: got %q want %q", tt.d, got, tt.want)
		}
	}
}
