package raigo

import "strings"

// RuleMatch describes one matched rule, in the shape of the engine's
// violation and warning objects (without the audit log's timestamp).
type RuleMatch struct {
	RuleID    string `json:"rule_id"`
	RuleTitle string `json:"rule_title,omitempty"`
	// Action is the applied, normalised action: DENY, WARN, ALLOW, or
	// ENFORCE for a directive (DENY under CompatEngine).
	Action         Action `json:"action"`
	DeclaredAction string `json:"declared_action,omitempty"`
	Severity       string `json:"severity,omitempty"`
	Priority       int    `json:"priority"`
	// Index is the rule's position in its file.
	Index int `json:"index"`
	// ErrorCode is RAIGO_<ACTION>_<ID>; DeclaredErrorCode is the rule's own
	// violation_response.error_code (spec) or error_code (docs).
	ErrorCode         string              `json:"error_code"`
	DeclaredErrorCode string              `json:"declared_error_code,omitempty"`
	HTTPStatus        int                 `json:"http_status"`
	RequireApproval   bool                `json:"require_approval,omitempty"`
	UserMessage       string              `json:"user_message,omitempty"`
	DeveloperMessage  string              `json:"developer_message,omitempty"`
	DebugHint         string              `json:"debug_hint,omitempty"`
	ComplianceMapping []ComplianceMapping `json:"compliance_mapping,omitempty"`
	// ComplianceRefs lists the mappings as "FRAMEWORK CONTROL" followed by
	// the docs-format compliance strings.
	ComplianceRefs []string `json:"compliance_refs,omitempty"`

	sevRank int
}

// HasComplianceRef reports whether ref names one of the rule's compliance
// mappings, case-insensitively: as the control alone, "FRAMEWORK CONTROL",
// "FRAMEWORK-CONTROL", or a docs-format compliance string (decision 4).
func (m *RuleMatch) HasComplianceRef(ref string) bool {
	ref = strings.TrimSpace(ref)
	for _, cm := range m.ComplianceMapping {
		if strings.EqualFold(ref, cm.Control) ||
			strings.EqualFold(ref, cm.Framework+" "+cm.Control) ||
			strings.EqualFold(ref, cm.Framework+"-"+cm.Control) {
			return true
		}
	}
	for _, r := range m.ComplianceRefs {
		if strings.EqualFold(ref, r) {
			return true
		}
	}
	return false
}

// Result is the outcome of one evaluation. It is a plain serialisable value.
type Result struct {
	// Action is the final outcome: DENY, WARN or ALLOW, after observe mode.
	Action Action `json:"action"`
	// Allow is false only for a final DENY.
	Allow bool `json:"allow"`
	// HTTPStatus is 403 for a final DENY and 200 otherwise.
	HTTPStatus int `json:"http_status"`
	// EngineMode is the mode the evaluation ran in.
	EngineMode Mode `json:"engineMode"`
	// ObserveOverride is true when observe mode downgraded a DENY to WARN.
	ObserveOverride bool `json:"observeOverride"`
	// EnforcedAction is the outcome before observe mode.
	EnforcedAction Action `json:"enforced_action"`

	// RuleID, Severity, Message, ErrorCode, DeclaredErrorCode and
	// ComplianceRefs repeat the representative rule's fields ("" when no
	// rule decided).
	RuleID            string   `json:"rule_id,omitempty"`
	Severity          string   `json:"severity,omitempty"`
	Message           string   `json:"message,omitempty"`
	ErrorCode         string   `json:"error_code,omitempty"`
	DeclaredErrorCode string   `json:"declared_error_code,omitempty"`
	ComplianceRefs    []string `json:"compliance_refs,omitempty"`
	// Rule is the representative rule: among the matches of the winning
	// action, highest severity, then highest priority, then earliest in the
	// file (decision 2). For ALLOW it is the best matching allow rule, if
	// any. In observe mode it stays the DENY winner.
	Rule *RuleMatch `json:"matched_rule,omitempty"`
	// Warnings are the WARN matches in file order.
	Warnings []*RuleMatch `json:"warnings,omitempty"`
	// TriggeredRules follows the engine: on DENY every matched DENY, WARN
	// and ALLOW rule id; on WARN the WARN ids; on ALLOW none. Directives are
	// not listed.
	TriggeredRules []string `json:"triggered_rules"`
	// Matches lists every matched rule in file order, directives included.
	Matches []*RuleMatch `json:"all_matched_rules"`
	// Directives are the ids of matched ENFORCE rules, in file order: the
	// standing directives that applied (decision 1).
	Directives []string `json:"directives,omitempty"`
	// RequiresApproval is true when a matched DENY rule was declared
	// require_approval.
	RequiresApproval bool `json:"requires_approval,omitempty"`

	EvaluatedRules int    `json:"evaluated_rules"`
	Policy         string `json:"policy,omitempty"`
	PolicyVersion  string `json:"policy_version,omitempty"`
	Organisation   string `json:"organisation,omitempty"`
	PolicySuite    string `json:"policy_suite,omitempty"`
}

var noStrings = []string{}

var noMatches = []*RuleMatch{}

// resolve turns the matches (in file order) into a Result.
func resolve(p *Policy, matches []*RuleMatch, mode Mode) Result {
	if mode != ModeObserve {
		mode = ModeEnforce
	}
	res := Result{
		EngineMode:     mode,
		EvaluatedRules: len(p.active),
		Policy:         p.Path,
		PolicyVersion:  p.Version,
		Organisation:   p.Organisation,
		PolicySuite:    p.PolicySuite,
		TriggeredRules: noStrings,
		Matches:        noMatches,
	}
	var nDeny, nWarn, nDirective int
	approval := false
	for _, m := range matches {
		switch m.Action {
		case ActionDeny:
			nDeny++
			approval = approval || m.RequireApproval
		case ActionWarn:
			nWarn++
		case ActionEnforce:
			nDirective++
		}
	}
	if len(matches) > 0 {
		res.Matches = append(make([]*RuleMatch, 0, len(matches)), matches...)
	}
	if nDirective > 0 {
		res.Directives = make([]string, 0, nDirective)
		for _, m := range matches {
			if m.Action == ActionEnforce {
				res.Directives = append(res.Directives, m.RuleID)
			}
		}
	}
	if nWarn > 0 {
		res.Warnings = make([]*RuleMatch, 0, nWarn)
		for _, m := range matches {
			if m.Action == ActionWarn {
				res.Warnings = append(res.Warnings, m)
			}
		}
	}
	switch {
	case nDeny > 0:
		res.EnforcedAction = ActionDeny
		res.RequiresApproval = approval
		ids := make([]string, 0, len(matches)-nDirective)
		for _, m := range matches {
			if m.Action != ActionEnforce {
				ids = append(ids, m.RuleID)
			}
		}
		res.TriggeredRules = ids
	case nWarn > 0:
		res.EnforcedAction = ActionWarn
		ids := make([]string, len(res.Warnings))
		for i, m := range res.Warnings {
			ids[i] = m.RuleID
		}
		res.TriggeredRules = ids
	default:
		res.EnforcedAction = ActionAllow
	}
	res.setRule(representative(matches, res.EnforcedAction))
	res.Action = res.EnforcedAction
	if mode == ModeObserve && res.Action == ActionDeny {
		res.Action, res.ObserveOverride = ActionWarn, true
	}
	res.Allow = res.Action != ActionDeny
	res.HTTPStatus = 200
	if !res.Allow {
		res.HTTPStatus = 403
	}
	return res
}

// representative picks, among matches with the given action, the highest
// severity, then the highest priority, then the earliest rule.
func representative(matches []*RuleMatch, action Action) *RuleMatch {
	var best *RuleMatch
	for _, m := range matches {
		if m.Action != action {
			continue
		}
		if best == nil || m.sevRank < best.sevRank ||
			(m.sevRank == best.sevRank && m.Priority > best.Priority) {
			best = m
		}
	}
	return best
}

func (r *Result) setRule(m *RuleMatch) {
	if m == nil {
		return
	}
	r.Rule = m
	r.RuleID, r.Severity, r.Message = m.RuleID, m.Severity, m.UserMessage
	r.ErrorCode, r.DeclaredErrorCode, r.ComplianceRefs = m.ErrorCode, m.DeclaredErrorCode, m.ComplianceRefs
}
