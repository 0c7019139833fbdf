package raigo

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

func TestLoadSpecFormat(t *testing.T) {
	p := mustLoad(t, "testdata/iso.raigo")
	if p.Format != FormatSpec || p.Docs != nil || p.Spec == nil {
		t.Fatalf("format = %v", p.Format)
	}
	if p.Organisation != "Acme Healthcare Trust" || p.PolicySuite != "ISO 27001 AI Governance Baseline" ||
		p.Version != "1.3.0" || p.RaigoVersion != "0.3" {
		t.Errorf("metadata = %q %q %q %q", p.Organisation, p.PolicySuite, p.Version, p.RaigoVersion)
	}
	ctx := p.Spec.Context
	if ctx.Environments[1].ID != "staging" || ctx.Environments[1].RiskLevel != "medium" {
		t.Errorf("environments = %+v", ctx.Environments)
	}
	if ctx.DataClassifications[1].ID != "CUI" || ctx.AllowedTools[1].ID != "claude" || !ctx.Networks[0].Public {
		t.Errorf("context shorthand entries not decoded: %+v", ctx)
	}
	if len(p.Spec.Metadata.Changelog) != 1 || p.Spec.Metadata.Changelog[0].Author != "J. Smith" {
		t.Errorf("changelog = %+v", p.Spec.Metadata.Changelog)
	}
	r := p.RuleByID("DP-01")
	if r == nil || r.Line != 48 || r.Index != 0 || r.DeclaredErrorCode != "RAIGO_DENY_DP01" || r.Action != ActionDeny {
		t.Fatalf("DP-01 = %+v", r)
	}
	if p.RuleByID("nope") != nil {
		t.Error("RuleByID found a missing rule")
	}
	if p.Name() != "testdata/iso.raigo" {
		t.Errorf("Name = %q", p.Name())
	}
	// The lookbehind pattern loads on the ECMAScript engine, is reported
	// once (with its match timeout) and matches as JavaScript would.
	want := []Diagnostic{{Path: "testdata/iso.raigo", Line: 210, Message: `policies[9] (CG-03): pattern "(?<=user=)\\w+" ` +
		"runs on the backtracking ECMAScript engine (lookbehind is not supported by RE2): a match that takes longer than 250ms counts as no match"}}
	assertEqual(t, "warnings", want, p.Warnings)
	matched := func(prompt string) bool {
		for _, m := range Evaluate(p, Input{Prompt: prompt}, ModeEnforce).Matches {
			if m.RuleID == "CG-03" {
				return true
			}
		}
		return false
	}
	if !matched("user=admin") || matched("username admin") {
		t.Error("the lookbehind pattern does not match as JavaScript's engine does")
	}
}

func TestLoadDocsFormat(t *testing.T) {
	p := mustLoad(t, "testdata/docs_starter.raigo")
	if p.Format != FormatDocs || p.Organisation != "Your Organisation Name" || p.Version != "2" {
		t.Fatalf("docs policy = %v %q %q", p.Format, p.Organisation, p.Version)
	}
	type row struct {
		ID       string
		Action   Action
		Declared string
		Enabled  bool
		Priority int
		Code     string
	}
	var got []row
	for _, r := range p.Rules {
		got = append(got, row{r.ID, r.Action, r.DeclaredAction, r.Enabled, r.Priority, r.DeclaredErrorCode})
	}
	want := []row{
		{"DP-001", ActionDeny, "DENY", true, 0, ""},
		{"DP-002", ActionWarn, "warn", true, 0, ""},
		{"SEC-001", ActionDeny, "block", true, 10, "SEC_001_VIOLATION"},
		{"OPS-001", ActionWarn, "WARN", true, 5, ""},
		{"ORG-EXC-001", ActionAllow, "allow", true, 100, "ORG_EXC_001_ALLOW"},
		{"OLD-001", ActionDeny, "block", false, 0, ""},
		{"NHS-SEC-001", ActionDeny, "require_approval", true, 0, ""},
		{"PII-001", ActionDeny, "block", true, 0, ""},
	}
	assertEqual(t, "rules", want, got)
	if got := p.Rules[0].Compliance; strings.Join(got, ",") != "GDPR-Art5,ISO-27001-A.8.2" {
		t.Errorf("compliance = %v", got)
	}
}

func TestLegacyFilesAreRejected(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{
			name: "v1.1 file",
			src:  "version: \"1.1\"\norganization: \"Org\"\ndepartment: \"Eng\"\nlast_updated: \"2026\"\nframework: \"CMMC\"\npolicies:\n  - id: A\n",
			want: `x.raigo:1: unsupported legacy .raigo file: missing required section "metadata" (organisation, policy_suite, version, classification, owner) and required field "raigo_version"; top-level department, framework, last_updated, organization, version are v1.1 fields: move them into metadata`,
		},
		{
			name: "spec file without metadata",
			src:  "raigo_version: \"0.3\"\npolicies: []\n",
			want: `x.raigo:1: unsupported legacy .raigo file: missing required section "metadata" (organisation, policy_suite, version, classification, owner)`,
		},
		{
			name: "null metadata",
			src:  "raigo_version: \"0.3\"\nmetadata: ~\npolicies: []\n",
			want: `x.raigo:1: unsupported legacy .raigo file: missing required section "metadata" (organisation, policy_suite, version, classification, owner)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.raigo", []byte(tt.src))
			var pe *PosError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a located error", err)
			}
			if pe.Error() != tt.want {
				t.Errorf("got  %s\nwant %s", pe.Error(), tt.want)
			}
			if err.Error() != "load policy: "+tt.want {
				t.Errorf("wrapped error = %s", err)
			}
		})
	}
	_, err := Load("testdata/legacy_v11.raigo")
	if err == nil || !strings.Contains(err.Error(), `testdata/legacy_v11.raigo:1: unsupported legacy .raigo file: missing required section "metadata"`) {
		t.Errorf("Load legacy: %v", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("testdata/does-not-exist.raigo")
	if !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "load policy: ") {
		t.Errorf("err = %v", err)
	}
}

func TestSemanticGapsAreNotLoadErrors(t *testing.T) {
	// Missing raigo_version, an empty rule and an unknown action load fine;
	// Validate reports them.
	p := mustParse(t, "metadata:\n  organisation: o\npolicies:\n  - {}\n  - {id: X, action: nonsense, condition: always}\n")
	if len(p.Rules) != 2 || p.Rules[1].Action != ActionDeny {
		t.Fatalf("rules = %+v", p.Rules)
	}
	p = mustParse(t, "metadata: {organisation: o}\n")
	if len(p.Rules) != 0 || p.Spec.Policies != nil {
		t.Errorf("no-policies file: %+v", p.Spec)
	}
}

func TestPatternsCompileOnce(t *testing.T) {
	p := policyOf(t, rule("P-1", "DENY", "high", `{trigger: "pattern", pattern: "api[_-]?key\\s*="}`))
	re := p.Rules[0].cond.re
	if re == nil || re.re2 == nil || re.String() != `(?i)api[_-]?key[`+jsSpaceBody+`]*=` {
		t.Fatalf("compiled pattern = %v", re)
	}
	for i := 0; i < 3; i++ {
		Evaluate(p, Input{Prompt: "API_KEY = 1"}, ModeEnforce)
		if p.Rules[0].cond.re != re {
			t.Fatal("pattern recompiled")
		}
	}
}
