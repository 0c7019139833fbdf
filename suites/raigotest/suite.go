package raigotest

import (
	"path/filepath"

	"github.com/policystrata/policystrata/pipeline/raigo"
)

// Form identifies a suite layout.
type Form string

// The suite layouts.
const (
	// FormA is version/policy/metadata/tests (testing-framework.md).
	FormA Form = "A"
	// FormB is suite/policy/engineMode/cases (observe-mode.md).
	FormB Form = "B"
)

// Suite is a parsed test suite.
type Suite struct {
	// Path is the suite file as given.
	Path string `json:"path"`
	Form Form   `json:"form"`
	// Version is form A's version ("0.2").
	Version string `json:"version,omitempty"`
	// Name is form A's metadata.name or form B's suite.
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Author      string `json:"author,omitempty"`
	Created     string `json:"created,omitempty"`
	// Policies are the policy paths as written; more than one is a chain
	// evaluated in order. PolicyLine is the line of the policy field.
	Policies   []string `json:"policies"`
	PolicyLine int      `json:"policy_line,omitempty"`
	// EngineMode is the suite's default engine mode (enforce unless set).
	EngineMode raigo.Mode `json:"engine_mode"`
	Cases      []Case     `json:"cases"`
	// Warnings are findings that do not stop the suite from running:
	// unknown fields, fields of the other form, an unexpected version, test
	// ids not in T-NNN form.
	Warnings []raigo.Diagnostic `json:"warnings,omitempty"`
}

// PolicyPaths returns the policy paths resolved relative to the suite
// file's directory (absolute paths are kept).
func (s *Suite) PolicyPaths() []string {
	out := make([]string, len(s.Policies))
	for i, p := range s.Policies {
		if filepath.IsAbs(p) {
			out[i] = p
		} else {
			out[i] = filepath.Join(filepath.Dir(s.Path), p)
		}
	}
	return out
}

// Case is one test case.
type Case struct {
	// ID is required in form A and optional in form B.
	ID          string `json:"id,omitempty"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Line is the line the case starts on.
	Line int `json:"line"`
	// EngineMode is the effective mode: the case's, else the suite's, else
	// enforce.
	EngineMode raigo.Mode  `json:"engine_mode"`
	Input      raigo.Input `json:"input"`
	Expect     Expect      `json:"expect"`
}

// Label names the case in reports: its id, else its name.
func (c *Case) Label() string {
	if c.ID != "" {
		return c.ID
	}
	return c.Name
}

// Expect holds a case's assertions. Action is required; a nil pointer or
// empty list means the assertion is absent.
type Expect struct {
	// Action is the normalised expected outcome; ActionText is as written
	// (block/warn/allow or DENY/WARN/ALLOW, any case).
	Action     raigo.Action `json:"action"`
	ActionText string       `json:"action_text"`
	// RuleID must equal the representative rule's id.
	RuleID *string `json:"rule_id,omitempty"`
	// Severity must equal the representative rule's severity
	// (case-insensitive).
	Severity *string `json:"severity,omitempty"`
	// ComplianceRefs must each name one of the representative rule's
	// compliance mappings.
	ComplianceRefs []string `json:"compliance_refs,omitempty"`
	// MessageContains must be a (case-sensitive) substring of the
	// representative rule's user message.
	MessageContains *string `json:"message_contains,omitempty"`
	// ErrorCode must equal the computed RAIGO_<ACTION>_<ID> code or the
	// rule's own declared error code.
	ErrorCode *string `json:"error_code,omitempty"`
	// ObserveOverride must equal the result's observeOverride.
	ObserveOverride *bool `json:"observeOverride,omitempty"`
	// Line is the line of the expect block; RuleIDLine that of rule_id.
	Line       int `json:"line"`
	RuleIDLine int `json:"rule_id_line,omitempty"`
}
