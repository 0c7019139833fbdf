package raigo

import (
	"strings"
	"testing"
)

func messages(ds []Diagnostic) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.Message)
	}
	return out
}

func TestValidateReferenceMessages(t *testing.T) {
	src := `metadata:
  organisation: "Org"
  classification: "CUI"
context:
  environments: []
  notes: "no tools listed"
policies:
  - domain: "D"
    title: "no id"
    action: "DENY"
    directive: "d"
    enforcement_message: "m"
    severity: "high"
    violation_response: {error_code: "X"}
    condition: always
  - id: "R-1"
    action: "deny"
    severity: "urgent"
    condition: always
  - id: "R-1"
    domain: "D"
    title: "t"
    directive: "d"
    action: "WARN"
    condition: always
  - id: "R-3"
    domain: "D"
    title: "t"
    directive: "d"
    enforcement_message: "m"
    severity: "low"
    action: "DENY"
    condition: always
  - id: "R-4"
    domain: "D"
    title: "t"
    directive: "d"
    enforcement_message: "m"
    severity: "low"
    condition: always
`
	rep := Validate(mustParse(t, src))
	wantErrors := []string{
		"Missing required field: raigo_version",
		"Missing required metadata field: version",
		"Missing required metadata field: policy_suite",
		"Missing required metadata field: owner",
		`Invalid classification "CUI". Must be one of: PUBLIC, INTERNAL, CONFIDENTIAL, SECRET, OFFICIAL, OFFICIAL-SENSITIVE, RESTRICTED, TOP-SECRET`,
		"policies[0]: Missing required field: id",
		"policies[1] (R-1): Missing required field: domain",
		"policies[1] (R-1): Missing required field: title",
		"policies[1] (R-1): Missing required field: directive",
		`policies[1] (R-1): Invalid action "deny". Must be one of: DENY, ENFORCE, WARN`,
		`policies[1] (R-1): Invalid severity "urgent". Must be one of: critical, high, medium, low`,
		`policies[2]: Duplicate rule id "R-1"`,
		"policies[4] (R-4): Missing required field: action",
	}
	wantWarnings := []string{
		"context.data_classifications should be an array",
		"context.allowed_tools should be an array",
		"policies[1] (R-1): Missing recommended field: enforcement_message",
		"policies[2] (R-1): Missing recommended field: enforcement_message",
		"policies[2] (R-1): Missing recommended field: severity",
		"policies[2] (R-1): WARN rule missing recommended field: escalation_contact",
		"policies[3] (R-3): DENY rule missing recommended field: violation_response",
		// Findings of this implementation follow the reference ones.
		"policies[0] (0): Missing recommended field: audit_required",
		"policies[0] (0): Missing recommended field: human_review_required",
		"policies[1] (R-1): Missing recommended field: audit_required",
		"policies[1] (R-1): Missing recommended field: human_review_required",
		"policies[2] (R-1): Missing recommended field: audit_required",
		"policies[2] (R-1): Missing recommended field: human_review_required",
		"policies[3] (R-3): Missing recommended field: audit_required",
		"policies[3] (R-3): Missing recommended field: human_review_required",
		"policies[4] (R-4): Missing recommended field: audit_required",
		"policies[4] (R-4): Missing recommended field: human_review_required",
	}
	assertEqual(t, "errors", wantErrors, messages(rep.Errors))
	assertEqual(t, "warnings", wantWarnings, messages(rep.Warnings))
	if rep.Valid() {
		t.Error("invalid policy reported valid")
	}
	// Lines point into the file.
	if got := rep.Errors[5].String(); got != "inline.raigo:8: policies[0]: Missing required field: id" {
		t.Errorf("located error = %q", got)
	}
	if got := rep.Errors[9].String(); got != `inline.raigo:17: policies[1] (R-1): Invalid action "deny". Must be one of: DENY, ENFORCE, WARN` {
		t.Errorf("located error = %q", got)
	}
}

func TestValidateSectionMessages(t *testing.T) {
	tests := []struct {
		name         string
		src          string
		wantErrors   []string
		wantWarnings []string
	}{
		{
			name:         "no metadata fields, no policies",
			src:          "raigo_version: \"0.3\"\nmetadata: {organisation: o}\n",
			wantErrors:   []string{"Missing required metadata field: version", "Missing required metadata field: policy_suite", "Missing required metadata field: classification", "Missing required metadata field: owner", "Missing required section: policies"},
			wantWarnings: []string{"Missing recommended section: context (environments, data_classifications, allowed_tools)"},
		},
		{
			name:         "empty policies",
			src:          specHeader + "  []\ncontext: {environments: [], data_classifications: [], allowed_tools: []}\n",
			wantErrors:   []string{},
			wantWarnings: []string{"policies array is empty — no rules defined"},
		},
		{
			name: "invalid context risk level",
			src: strings.TrimSuffix(specHeader, "policies:\n") +
				"context: {environments: [{id: prod, risk_level: extreme}], data_classifications: [], allowed_tools: []}\n",
			wantErrors: []string{"Missing required section: policies"},
			wantWarnings: []string{
				`context.environments[0] (prod): Invalid risk_level "extreme". Must be one of: critical, high, medium, low`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Validate(mustParse(t, tt.src))
			assertEqual(t, "errors", tt.wantErrors, messages(rep.Errors))
			assertEqual(t, "warnings", tt.wantWarnings, messages(rep.Warnings))
		})
	}
}

func TestValidateExtraFindings(t *testing.T) {
	p := policyOf(t,
		rule("F-1", "DENY", "high", `"If accessing patient records"`, "audit_required: true", "human_review_required: true", "violation_response: {error_code: X}"),
		rule("F-2", "WARN", "low", `{trigger: "data_access"}`, "audit_required: true", "human_review_required: true", `review_message: "ok"`, `escalation_contact: "a@b"`),
		rule("F-3", "ENFORCE", "low", `{trigger: "data_transfer", destination: "eu"}`, "audit_required: false", "human_review_required: false"),
		rule("F-4", "ENFORCE", "low", `{trigger: "prompt_contains", keywords: [x], match: "every"}`, "audit_required: false", "human_review_required: false"),
		rule("F-5", "ENFORCE", "low", `{trigger: "pattern", pattern: "a(?=b)"}`, "audit_required: false", "human_review_required: false"),
		"  - id: \"F-6\"\n    domain: D\n    title: T\n    directive: d\n    enforcement_message: m\n    action: ENFORCE\n    severity: low\n    audit_required: false\n    human_review_required: false\n",
		rule("F-7", "ENFORCE", "low", `{trigger: "pattern"}`, "audit_required: false", "human_review_required: false"),
	)
	rep := Validate(p)
	want := []string{
		"Missing recommended section: context (environments, data_classifications, allowed_tools)",
		`policies[0] (F-1): condition "If accessing patient records" is not a recognised condition and never matches`,
		`policies[1] (F-2): trigger "data_access" is not implemented by the engine and never matches`,
		`policies[2] (F-3): data_transfer destination "eu" never matches (only outside_uk and external are recognised)`,
		`policies[5] (F-6): rule has no condition and never matches`,
		`policies[6] (F-7): trigger "pattern" has no pattern and never matches`,
		`policies[4] (F-5): pattern "a(?=b)" runs on the backtracking ECMAScript engine (lookahead is not supported by RE2): a match that takes longer than 250ms counts as no match`,
		"policies[0] (F-1): human review rule missing recommended field: review_message",
		`policies[3] (F-4): condition match "every" is neither any nor all and is treated as any`,
	}
	assertEqual(t, "warnings", want, messages(rep.Warnings))
	if !rep.Valid() {
		t.Errorf("errors = %v", rep.Errors)
	}
}

func TestValidateFixtures(t *testing.T) {
	tests := []struct {
		path         string
		wantWarnings int
	}{
		{"testdata/agent_firewall.raigo", 0},
		{"testdata/hipaa.raigo", 3},
		{"testdata/iso.raigo", 4},
		{"testdata/docs_starter.raigo", 0},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rep := Validate(mustLoad(t, tt.path))
			if !rep.Valid() {
				t.Errorf("errors: %v", rep.Errors)
			}
			if len(rep.Warnings) != tt.wantWarnings {
				t.Errorf("warnings (%d): %v", len(rep.Warnings), rep.Warnings)
			}
		})
	}
}

func TestValidateDocsFormat(t *testing.T) {
	src := `rules:
  - name: "no id"
    action: block
    message: m
  - id: D-1
    action: Deny
    severity: critical
    message: m
    name: n
    triggers: {prompt_contains: [x]}
  - id: D-1
    action: reject
    severity: severe
  - id: D-3
    name: n
    message: m
    severity: low
`
	rep := Validate(mustParse(t, src))
	assertEqual(t, "errors", []string{
		"rules[0]: Missing required field: id",
		`rules[2]: Duplicate rule id "D-1"`,
		`rules[2] (D-1): Invalid action "reject". Must be one of: block, warn, allow (or DENY, ENFORCE, WARN, REQUIRE_APPROVAL)`,
		`rules[2] (D-1): Invalid severity "severe". Must be one of: critical, high, medium, low`,
		"rules[3] (D-3): Missing required field: action",
	}, messages(rep.Errors))
	assertEqual(t, "warnings", []string{
		"rules[0] (0): Missing recommended field: severity",
		"rules[2] (D-1): Missing recommended field: name",
		"rules[2] (D-1): Missing recommended field: message",
		"rules[0] (0): rule has no triggers and never matches",
		"rules[2] (D-1): rule has no triggers and never matches",
		"rules[3] (D-3): rule has no triggers and never matches",
	}, messages(rep.Warnings))
	rep = Validate(mustParse(t, "rules: []\n"))
	assertEqual(t, "empty rules", []string{"rules array is empty — no rules defined"}, messages(rep.Warnings))
	rep = Validate(mustParse(t, "rules: ~\n"))
	assertEqual(t, "null rules", []string{"Missing required section: rules"}, messages(rep.Errors))
}
