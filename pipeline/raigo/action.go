package raigo

import (
	"fmt"
	"strings"
)

// Action is a normalised rule action or evaluation outcome.
type Action string

// The normalised actions. ENFORCE only ever appears on rules (a standing
// directive, decision 1); an evaluation's outcome is DENY, WARN or ALLOW.
const (
	ActionDeny    Action = "DENY"
	ActionWarn    Action = "WARN"
	ActionAllow   Action = "ALLOW"
	ActionEnforce Action = "ENFORCE"
)

// NormalizeAction maps a rule's declared action to its normalised form,
// case-insensitively: DENY, BLOCK and REQUIRE_APPROVAL are DENY; WARN is
// WARN; ALLOW is ALLOW; ENFORCE stays ENFORCE (the reference engine's DENY
// only under [CompatEngine]); anything else, including an empty action, is
// DENY, as in the reference engine.
func NormalizeAction(declared string) Action {
	switch strings.ToUpper(declared) {
	case "WARN":
		return ActionWarn
	case "ALLOW":
		return ActionAllow
	case "ENFORCE":
		return ActionEnforce
	}
	return ActionDeny
}

// TestWord returns the action in test-suite vocabulary: block, warn, allow
// (and enforce).
func (a Action) TestWord() string {
	switch a {
	case ActionDeny:
		return "block"
	case ActionWarn:
		return "warn"
	case ActionAllow:
		return "allow"
	case ActionEnforce:
		return "enforce"
	}
	return strings.ToLower(string(a))
}

// ParseOutcome parses an expected evaluation outcome in either vocabulary,
// case-insensitively: block or deny, warn, allow.
func ParseOutcome(s string) (Action, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "block", "deny":
		return ActionDeny, nil
	case "warn":
		return ActionWarn, nil
	case "allow":
		return ActionAllow, nil
	}
	return "", fmt.Errorf("invalid action %q: must be one of block, warn, allow (or DENY, WARN, ALLOW)", s)
}

// Mode is the engine mode: enforce (the default) or observe.
type Mode string

// The engine modes.
const (
	ModeEnforce Mode = "enforce"
	ModeObserve Mode = "observe"
)

// ParseMode parses an engine mode case-insensitively; "" is enforce.
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "enforce":
		return ModeEnforce, nil
	case "observe":
		return ModeObserve, nil
	}
	return "", fmt.Errorf("invalid engine mode %q: must be enforce or observe", s)
}

// Compat selects a compatibility behaviour for evaluation.
type Compat string

// The compatibility behaviours.
const (
	// CompatNone applies this project's decisions (ENFORCE is a directive).
	CompatNone Compat = ""
	// CompatEngine reproduces the reference engine: ENFORCE blocks like DENY.
	CompatEngine Compat = "engine"
)

// ParseCompat parses a compatibility name: "", "none" or "engine".
func ParseCompat(s string) (Compat, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "none":
		return CompatNone, nil
	case "engine":
		return CompatEngine, nil
	}
	return "", fmt.Errorf("invalid compat %q: must be none or engine", s)
}

// severityRank orders severities as the engine does: critical, high, medium,
// low, then anything else (case-sensitive).
func severityRank(s string) int {
	switch s {
	case "critical":
		return 0
	case "high":
		return 1
	case "medium":
		return 2
	case "low":
		return 3
	}
	return 4
}
