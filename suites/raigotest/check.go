package raigotest

import (
	"fmt"
	"strings"

	"github.com/policystrata/policystrata/pipeline/raigo"
)

// Failure is one failed assertion.
type Failure struct {
	// Field is the assertion: action, rule_id, severity, compliance_refs,
	// message_contains, error_code or observeOverride.
	Field    string `json:"field"`
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
	// Message reads like "action mismatch: expected 'block', got 'allow'".
	Message string `json:"message"`
}

// none stands for an absent actual value in failure messages.
const none = "none"

// Check compares an expectation with an evaluation result and returns the
// failed assertions, in the order action, rule_id, severity,
// compliance_refs, message_contains, error_code, observeOverride; nil when
// all pass. Rule assertions are checked against the result's
// representative rule. An expected allow passes whenever the final action
// is ALLOW, even if an allow rule matched.
func Check(e Expect, r *raigo.Result) []Failure {
	var fails []Failure
	fail := func(field, want, got string) {
		fails = append(fails, Failure{Field: field, Expected: want, Actual: got,
			Message: fmt.Sprintf("%s mismatch: expected '%s', got '%s'", field, want, got)})
	}
	if r.Action != e.Action {
		fail("action", e.ActionText, actionWord(r.Action, e.ActionText))
	}
	if e.RuleID != nil && *e.RuleID != r.RuleID {
		fail("rule_id", *e.RuleID, orNone(r.RuleID))
	}
	if e.Severity != nil && !strings.EqualFold(*e.Severity, r.Severity) {
		fail("severity", *e.Severity, orNone(r.Severity))
	}
	if len(e.ComplianceRefs) > 0 {
		var missing []string
		for _, ref := range e.ComplianceRefs {
			if r.Rule == nil || !r.Rule.HasComplianceRef(ref) {
				missing = append(missing, ref)
			}
		}
		if len(missing) > 0 {
			got := none
			if r.Rule != nil && len(r.Rule.ComplianceRefs) > 0 {
				got = strings.Join(r.Rule.ComplianceRefs, ", ")
			}
			fails = append(fails, Failure{Field: "compliance_refs", Expected: strings.Join(e.ComplianceRefs, ", "), Actual: got,
				Message: fmt.Sprintf("compliance_refs mismatch: %s not among '%s'", quoteAll(missing), got)})
		}
	}
	if e.MessageContains != nil && !strings.Contains(r.Message, *e.MessageContains) {
		fails = append(fails, Failure{Field: "message_contains", Expected: *e.MessageContains, Actual: orNone(r.Message),
			Message: fmt.Sprintf("message_contains mismatch: '%s' not found in '%s'", *e.MessageContains, orNone(r.Message))})
	}
	if e.ErrorCode != nil && *e.ErrorCode != r.ErrorCode && (r.DeclaredErrorCode == "" || *e.ErrorCode != r.DeclaredErrorCode) {
		got := orNone(r.ErrorCode)
		if r.DeclaredErrorCode != "" {
			got += " (declared " + r.DeclaredErrorCode + ")"
		}
		fail("error_code", *e.ErrorCode, got)
	}
	if e.ObserveOverride != nil && *e.ObserveOverride != r.ObserveOverride {
		fail("observeOverride", fmt.Sprint(*e.ObserveOverride), fmt.Sprint(r.ObserveOverride))
	}
	return fails
}

// actionWord renders an actual action in the vocabulary the expectation
// was written in: DENY/WARN/ALLOW when it was upper case, block/warn/allow
// otherwise.
func actionWord(a raigo.Action, written string) string {
	if written != "" && strings.ToUpper(written) == written {
		return string(a)
	}
	return a.TestWord()
}

func orNone(s string) string {
	if s == "" {
		return none
	}
	return s
}

func quoteAll(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = "'" + s + "'"
	}
	return strings.Join(q, ", ")
}
