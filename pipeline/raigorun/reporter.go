package raigorun

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Reporter renders a finished run.
type Reporter interface {
	Report(w io.Writer, rep *Report) error
}

// ReportOptions tunes the reporters.
type ReportOptions struct {
	// Verbose lists passing cases and warnings too (pretty format).
	Verbose bool
}

// reporters maps each format to its factory; one file per format.
var reporters = map[string]func(ReportOptions) Reporter{
	"pretty": func(o ReportOptions) Reporter { return prettyReporter{o} },
	"json":   func(ReportOptions) Reporter { return jsonReporter{} },
	"junit":  func(ReportOptions) Reporter { return junitReporter{} },
	"tap":    func(ReportOptions) Reporter { return tapReporter{} },
}

// Formats lists the report formats, the default first.
func Formats() []string { return []string{"pretty", "json", "junit", "tap"} }

// Get returns the reporter for format.
func Get(format string, opts ReportOptions) (Reporter, error) {
	f, ok := reporters[format]
	if !ok {
		return nil, fmt.Errorf("unknown format %q: must be one of %s", format, strings.Join(Formats(), ", "))
	}
	return f(opts), nil
}

// expectedText renders a case's expectation as "action=block,
// rule_id=X, ...", in the order the assertions are checked, with the
// action as written.
func expectedText(c *CaseReport) string {
	e := &c.Expect
	parts := []string{"action=" + e.ActionText}
	if e.RuleID != nil {
		parts = append(parts, "rule_id="+*e.RuleID)
	}
	if e.Severity != nil {
		parts = append(parts, "severity="+*e.Severity)
	}
	if len(e.ComplianceRefs) > 0 {
		parts = append(parts, "compliance_refs=["+strings.Join(e.ComplianceRefs, ", ")+"]")
	}
	if e.MessageContains != nil {
		parts = append(parts, fmt.Sprintf("message_contains=%q", *e.MessageContains))
	}
	if e.ErrorCode != nil {
		parts = append(parts, "error_code="+*e.ErrorCode)
	}
	if e.ObserveOverride != nil {
		parts = append(parts, fmt.Sprintf("observeOverride=%v", *e.ObserveOverride))
	}
	return strings.Join(parts, ", ")
}

// actionWord renders an actual action in the vocabulary the expectation
// was written in: DENY/WARN/ALLOW when it was upper case, else
// block/warn/allow.
func actionWord(c *CaseReport) string {
	a := c.Evaluation.Action
	if w := c.Expect.ActionText; w != "" && strings.ToUpper(w) == w {
		return string(a)
	}
	return a.TestWord()
}

// gotText renders what the evaluation produced, with the fields the
// expectation asserts: "action=allow (no rule matched)" or
// "action=block, rule_id=X, severity=high".
func gotText(c *CaseReport) string {
	e, ev := &c.Expect, &c.Evaluation
	s := "action=" + actionWord(c)
	if ev.RuleID == "" {
		switch {
		case len(ev.Matches) == 0:
			s += " (no rule matched)"
		case len(ev.Directives) > 0:
			s += " (no deciding rule; directives: " + strings.Join(ev.Directives, ", ") + ")"
		}
	} else {
		s += ", rule_id=" + ev.RuleID
		if e.Severity != nil {
			s += ", severity=" + orNone(ev.Severity)
		}
		if len(e.ComplianceRefs) > 0 {
			s += ", compliance_refs=[" + strings.Join(ev.ComplianceRefs, ", ") + "]"
		}
		if e.MessageContains != nil {
			s += fmt.Sprintf(", message=%q", ev.Message)
		}
		if e.ErrorCode != nil {
			s += ", error_code=" + ev.ErrorCode
			if ev.DeclaredErrorCode != "" {
				s += " (declared " + ev.DeclaredErrorCode + ")"
			}
		}
	}
	if e.ObserveOverride != nil {
		s += fmt.Sprintf(", observeOverride=%v", ev.ObserveOverride)
	}
	if ev.DecidingPolicy != "" {
		s += ", policy=" + ev.DecidingPolicy
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// diffText joins a case's failure messages.
func diffText(c *CaseReport) string {
	msgs := make([]string, len(c.Failures))
	for i, f := range c.Failures {
		msgs[i] = f.Message
	}
	return strings.Join(msgs, "; ")
}

// policyLine renders a suite's policies with their versions:
// "p.raigo (v1.2.0)", chained with " → ".
func policyLine(sr *SuiteReport) string {
	parts := make([]string, len(sr.Policies))
	for i, p := range sr.Policies {
		parts[i] = p
		if i < len(sr.PolicyVersions) && sr.PolicyVersions[i] != "" {
			parts[i] += " (v" + sr.PolicyVersions[i] + ")"
		}
	}
	return strings.Join(parts, " → ")
}

// hasSnapshotDiff reports whether the case carries a snapshot diff.
func hasSnapshotDiff(c *CaseReport) bool {
	return c.Snapshot != nil && c.Snapshot.Diff != "" &&
		slices.Contains([]string{SnapshotChanged, SnapshotUpdated}, c.Snapshot.Status)
}
