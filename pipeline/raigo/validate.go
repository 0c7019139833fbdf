package raigo

import (
	"fmt"
	"strings"
)

// Report is the outcome of [Validate]. Errors make a policy invalid;
// warnings do not (the test runner's --strict turns them into failures).
type Report struct {
	Errors   []Diagnostic `json:"errors"`
	Warnings []Diagnostic `json:"warnings"`
}

// Valid reports whether there are no errors.
func (r Report) Valid() bool { return len(r.Errors) == 0 }

var (
	validActions         = []string{"DENY", "ENFORCE", "WARN"}
	validSeverities      = []string{"critical", "high", "medium", "low"}
	validClassifications = []string{"PUBLIC", "INTERNAL", "CONFIDENTIAL", "SECRET", "OFFICIAL",
		"OFFICIAL-SENSITIVE", "RESTRICTED", "TOP-SECRET"}
	requiredMetadata = []string{"version", "organisation", "policy_suite", "classification", "owner"}
)

// Validate checks a loaded policy. For the spec format it reproduces the
// reference validator's errors and warnings, with the same messages and in
// the same order; additional findings of this implementation follow as
// warnings: conditions that can never match, patterns RE2 cannot compile,
// missing audit_required / human_review_required, a human-review rule
// without review_message, an unknown `match` mode and invalid context
// risk levels. The docs format gets the equivalent checks on `rules`.
func Validate(p *Policy) Report {
	v := &validation{path: p.Path}
	switch {
	case p.Spec != nil:
		v.spec(p.Spec)
	case p.Docs != nil:
		v.docs(p.Docs)
	}
	v.rep.Warnings = append(v.rep.Warnings, p.notes...)
	v.rep.Warnings = append(v.rep.Warnings, p.Warnings...)
	v.rep.Warnings = append(v.rep.Warnings, v.extra...)
	if v.rep.Errors == nil {
		v.rep.Errors = []Diagnostic{}
	}
	if v.rep.Warnings == nil {
		v.rep.Warnings = []Diagnostic{}
	}
	return v.rep
}

type validation struct {
	path  string
	rep   Report
	extra []Diagnostic
}

func (v *validation) errorf(line int, format string, args ...any) {
	v.rep.Errors = append(v.rep.Errors, Diagnostic{Path: v.path, Line: line, Message: fmt.Sprintf(format, args...)})
}

func (v *validation) warnf(line int, format string, args ...any) {
	v.rep.Warnings = append(v.rep.Warnings, Diagnostic{Path: v.path, Line: line, Message: fmt.Sprintf(format, args...)})
}

func (v *validation) extraf(line int, format string, args ...any) {
	v.extra = append(v.extra, Diagnostic{Path: v.path, Line: line, Message: fmt.Sprintf(format, args...)})
}

// lineOf returns the line of key in lines, or fallback.
func lineOf(lines map[string]int, key string, fallback int) int {
	if l, ok := lines[key]; ok {
		return l
	}
	return fallback
}

func (v *validation) spec(f *File) {
	if f.RaigoVersion == "" {
		v.errorf(lineOf(f.Lines, "raigo_version", 0), "Missing required field: raigo_version")
	}
	v.metadata(f.Metadata, f.Lines)
	v.context(f.Context)
	switch {
	case f.Policies == nil:
		v.errorf(lineOf(f.Lines, "policies", 0), "Missing required section: policies")
	case len(f.Policies) == 0:
		v.warnf(lineOf(f.Lines, "policies", 0), "policies array is empty — no rules defined")
	}
	seen := map[string]bool{}
	for i := range f.Policies {
		v.specRule(i, &f.Policies[i], seen)
	}
}

func (v *validation) metadata(m *Metadata, top map[string]int) {
	if m == nil {
		v.errorf(lineOf(top, "metadata", 0), "Missing required section: metadata")
		return
	}
	values := map[string]string{
		"version": m.Version, "organisation": m.Organisation, "policy_suite": m.PolicySuite,
		"classification": m.Classification, "owner": m.Owner,
	}
	for _, field := range requiredMetadata {
		if values[field] == "" {
			v.errorf(lineOf(m.Lines, field, m.Line), "Missing required metadata field: %s", field)
		}
	}
	if m.Classification != "" && !contains(validClassifications, m.Classification) {
		v.errorf(lineOf(m.Lines, "classification", m.Line), "Invalid classification %q. Must be one of: %s",
			m.Classification, strings.Join(validClassifications, ", "))
	}
}

func (v *validation) context(c *Context) {
	if c == nil {
		v.warnf(0, "Missing recommended section: context (environments, data_classifications, allowed_tools)")
		return
	}
	if c.Environments == nil {
		v.warnf(lineOf(c.Lines, "environments", c.Line), "context.environments should be an array")
	}
	if c.DataClassifications == nil {
		v.warnf(lineOf(c.Lines, "data_classifications", c.Line), "context.data_classifications should be an array")
	}
	if c.AllowedTools == nil {
		v.warnf(lineOf(c.Lines, "allowed_tools", c.Line), "context.allowed_tools should be an array")
	}
	for i, e := range c.Environments {
		if e.RiskLevel != "" && !contains(validSeverities, e.RiskLevel) {
			v.extraf(e.Line, "context.environments[%d] (%s): Invalid risk_level %q. Must be one of: %s",
				i, e.ID, e.RiskLevel, strings.Join(validSeverities, ", "))
		}
	}
}

func (v *validation) specRule(i int, r *SpecRule, seen map[string]bool) {
	prefix := fmt.Sprintf("policies[%d]", i)
	named := rulePrefix("policies", i, r.ID)
	at := func(key string) int { return lineOf(r.Lines, key, r.Line) }
	if r.ID == "" {
		v.errorf(r.Line, "%s: Missing required field: id", prefix)
	} else {
		if seen[r.ID] {
			v.errorf(at("id"), "%s: Duplicate rule id %q", prefix, r.ID)
		}
		seen[r.ID] = true
	}
	for _, f := range []struct{ name, value string }{{"domain", r.Domain}, {"title", r.Title}, {"directive", r.Directive}} {
		if f.value == "" {
			v.errorf(at(f.name), "%s: Missing required field: %s", named, f.name)
		}
	}
	if r.EnforcementMessage == "" {
		v.warnf(at("enforcement_message"), "%s: Missing recommended field: enforcement_message", named)
	}
	if r.Action == "" {
		v.errorf(at("action"), "%s: Missing required field: action", named)
	} else if !contains(validActions, r.Action) {
		v.errorf(at("action"), "%s: Invalid action %q. Must be one of: %s", named, r.Action, strings.Join(validActions, ", "))
	}
	v.severity(named, r.Severity, at("severity"))
	if r.Action == "DENY" && r.ViolationResponse == nil {
		v.warnf(r.Line, "%s: DENY rule missing recommended field: violation_response", named)
	}
	if r.Action == "WARN" && r.EscalationContact == "" {
		v.warnf(r.Line, "%s: WARN rule missing recommended field: escalation_contact", named)
	}
	if r.AuditRequired == nil {
		v.extraf(r.Line, "%s: Missing recommended field: audit_required", named)
	}
	if r.HumanReviewRequired == nil {
		v.extraf(r.Line, "%s: Missing recommended field: human_review_required", named)
	} else if *r.HumanReviewRequired && r.ReviewMessage == "" {
		v.extraf(at("human_review_required"), "%s: human review rule missing recommended field: review_message", named)
	}
	v.match(named, r.Condition)
}

func (v *validation) severity(named, sev string, line int) {
	if sev == "" {
		v.warnf(line, "%s: Missing recommended field: severity", named)
	} else if !contains(validSeverities, sev) {
		v.errorf(line, "%s: Invalid severity %q. Must be one of: %s", named, sev, strings.Join(validSeverities, ", "))
	}
}

func (v *validation) match(named string, c *Condition) {
	if c == nil || c.Structured == nil {
		return
	}
	if m := c.Structured.Match; m != "" && m != "any" && m != "all" {
		v.extraf(lineOf(c.Structured.Lines, "match", c.Line),
			"%s: condition match %q is neither any nor all and is treated as any", named, m)
	}
}

// docsActions are the actions the docs format accepts (case-insensitive).
var docsActions = []string{"block", "warn", "allow", "deny", "enforce", "require_approval"}

func (v *validation) docs(f *DocsFile) {
	if f.Metadata != nil {
		v.metadata(f.Metadata, f.Lines)
	}
	switch {
	case f.Rules == nil:
		v.errorf(lineOf(f.Lines, "rules", 0), "Missing required section: rules")
	case len(f.Rules) == 0:
		v.warnf(lineOf(f.Lines, "rules", 0), "rules array is empty — no rules defined")
	}
	seen := map[string]bool{}
	for i := range f.Rules {
		r := &f.Rules[i]
		prefix := fmt.Sprintf("rules[%d]", i)
		named := rulePrefix("rules", i, r.ID)
		at := func(key string) int { return lineOf(r.Lines, key, r.Line) }
		if r.ID == "" {
			v.errorf(r.Line, "%s: Missing required field: id", prefix)
		} else {
			if seen[r.ID] {
				v.errorf(at("id"), "%s: Duplicate rule id %q", prefix, r.ID)
			}
			seen[r.ID] = true
		}
		if r.Name == "" {
			v.warnf(r.Line, "%s: Missing recommended field: name", named)
		}
		if r.Message == "" {
			v.warnf(r.Line, "%s: Missing recommended field: message", named)
		}
		if r.Action == "" {
			v.errorf(at("action"), "%s: Missing required field: action", named)
		} else if !contains(docsActions, strings.ToLower(r.Action)) {
			v.errorf(at("action"), "%s: Invalid action %q. Must be one of: block, warn, allow (or DENY, ENFORCE, WARN, REQUIRE_APPROVAL)", named, r.Action)
		}
		v.severity(named, r.Severity, at("severity"))
		v.match(named, r.Condition)
	}
}
