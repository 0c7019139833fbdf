package raigo

import (
	"fmt"
	"strings"
)

// Format names a `.raigo` source format.
type Format string

// The source formats.
const (
	// FormatSpec is the 0.3 specification format (`policies:`).
	FormatSpec Format = "spec"
	// FormatDocs is the documentation format (`rules:`).
	FormatDocs Format = "docs"
)

// Policy is a loaded and compiled `.raigo` file. It is immutable after
// loading and safe for concurrent evaluation.
type Policy struct {
	// Path is the file the policy was loaded from (as given).
	Path string
	// Format is the source format.
	Format Format
	// Spec is the decoded source when Format is FormatSpec.
	Spec *File
	// Docs is the decoded source when Format is FormatDocs.
	Docs *DocsFile
	// RaigoVersion, Organisation, PolicySuite and Version come from the
	// metadata (docs format: org and version when there is no metadata).
	RaigoVersion string
	Organisation string
	PolicySuite  string
	Version      string
	// Rules are all rules in file order, disabled ones included.
	Rules []*Rule
	// Warnings are load-time findings, such as patterns RE2 cannot compile.
	Warnings []Diagnostic

	notes  []Diagnostic // conditions that can never match (for Validate)
	active []*Rule      // enabled rules, in file order
}

// Rule is one compiled rule of either format.
type Rule struct {
	ID     string
	Title  string // spec title, docs name
	Domain string
	// Index is the rule's position in the file (0-based) and Line its line.
	Index int
	Line  int
	// Action is the normalised action (ENFORCE kept distinct);
	// DeclaredAction is the action as written.
	Action         Action
	DeclaredAction string
	Severity       string
	Priority       int
	Enabled        bool
	// Message is the user-facing message: enforcement_message (spec) or
	// message (docs).
	Message   string
	Directive string
	// DeclaredErrorCode is violation_response.error_code (spec) or
	// error_code (docs); the engine's own code is computed (decision 3).
	DeclaredErrorCode string
	ComplianceMapping []ComplianceMapping
	// Compliance holds docs-format compliance strings.
	Compliance []string

	cond      matcher
	hit       *RuleMatch // reported when the rule matches
	compatHit *RuleMatch // reported under CompatEngine (differs for ENFORCE)
}

// RuleByID returns the rule with the given id, or nil.
func (p *Policy) RuleByID(id string) *Rule {
	for _, r := range p.Rules {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// Name names the policy for reports: its path, else its policy suite.
func (p *Policy) Name() string {
	if p.Path != "" {
		return p.Path
	}
	return p.PolicySuite
}

// ErrorCode computes the engine's error code for a rule id and an applied
// action: RAIGO_<ACTION>_<ID with "-" as "_", upper case>.
func ErrorCode(action Action, id string) string {
	return "RAIGO_" + string(action) + "_" + strings.ToUpper(strings.ReplaceAll(id, "-", "_"))
}

// prepare precomputes the RuleMatch values reported for r.
func (r *Rule) prepare() {
	r.hit = r.newMatch(r.Action)
	r.compatHit = r.hit
	if r.Action == ActionEnforce {
		r.compatHit = r.newMatch(ActionDeny)
	}
}

func (r *Rule) newMatch(applied Action) *RuleMatch {
	m := &RuleMatch{
		RuleID:            r.ID,
		RuleTitle:         r.Title,
		Action:            applied,
		DeclaredAction:    r.DeclaredAction,
		Severity:          r.Severity,
		Priority:          r.Priority,
		Index:             r.Index,
		ErrorCode:         ErrorCode(applied, r.ID),
		DeclaredErrorCode: r.DeclaredErrorCode,
		HTTPStatus:        200,
		RequireApproval:   applied == ActionDeny && strings.EqualFold(r.DeclaredAction, "require_approval"),
		UserMessage:       r.Message,
		DeveloperMessage: fmt.Sprintf("Policy rule %s (%s) triggered. Action: %s. Severity: %s. Directive: %s",
			r.ID, r.Domain, r.DeclaredAction, r.Severity, r.Directive),
		DebugHint: fmt.Sprintf("Review the .raigo policy file and check the condition for rule %s. "+
			"Ensure the input does not contain data matching the trigger conditions.", r.ID),
		ComplianceMapping: r.ComplianceMapping,
		sevRank:           severityRank(r.Severity),
	}
	if applied == ActionDeny {
		m.HTTPStatus = 403
	}
	for _, cm := range r.ComplianceMapping {
		m.ComplianceRefs = append(m.ComplianceRefs, strings.TrimSpace(cm.Framework+" "+cm.Control))
	}
	m.ComplianceRefs = append(m.ComplianceRefs, r.Compliance...)
	return m
}
