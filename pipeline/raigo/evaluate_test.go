package raigo

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
)

func TestResolution(t *testing.T) {
	kw := func(k string) string { return `{trigger: "prompt_contains", keywords: ["` + k + `"]}` }
	p := policyOf(t,
		rule("W-LOW", "WARN", "low", kw("warn")),
		rule("W-HIGH", "WARN", "high", kw("warn")),
		rule("W-HIGH-P", "WARN", "high", kw("wx9"), "priority: 5"),
		rule("D-HIGH", "DENY", "high", kw("deny")),
		rule("D-CRIT", "DENY", "critical", kw("deny")),
		rule("D-CRIT-2", "DENY", "critical", kw("deny")),
		rule("D-NOSEV", "DENY", "", kw("nosev")),
		rule("D-ODD", "DENY", "Critical", kw("nosev")),
		rule("D-PRIO", "DENY", "critical", kw("prio"), "priority: 3"),
		rule("D-PRIO-HI", "DENY", "critical", kw("prio"), "priority: 9"),
		rule("D-PRIO-LOWSEV", "DENY", "high", kw("prio"), "priority: 99"),
		rule("A-1", "ALLOW", "low", kw("allow")),
		rule("E-1", "ENFORCE", "critical", kw("enforce")),
	)
	tests := []struct {
		name       string
		prompt     string
		action     Action
		rule       string
		triggered  []string
		warnings   []string
		directives []string
	}{
		{"nothing matches", "hi", ActionAllow, "", []string{}, nil, nil},
		{"WARN representative is the highest severity, not the first in file", "warn", ActionWarn, "W-HIGH",
			[]string{"W-LOW", "W-HIGH"}, []string{"W-LOW", "W-HIGH"}, nil},
		{"WARN priority breaks a severity tie", "warn wx9", ActionWarn, "W-HIGH-P",
			[]string{"W-LOW", "W-HIGH", "W-HIGH-P"}, []string{"W-LOW", "W-HIGH", "W-HIGH-P"}, nil},
		{"DENY beats WARN and lists every match", "warn deny allow", ActionDeny, "D-CRIT",
			[]string{"W-LOW", "W-HIGH", "D-HIGH", "D-CRIT", "D-CRIT-2", "A-1"}, []string{"W-LOW", "W-HIGH"}, nil},
		{"missing and unknown severities rank last, ties go to the file order", "nosev", ActionDeny, "D-NOSEV",
			[]string{"D-NOSEV", "D-ODD"}, nil, nil},
		{"priority only breaks severity ties", "prio", ActionDeny, "D-PRIO-HI",
			[]string{"D-PRIO", "D-PRIO-HI", "D-PRIO-LOWSEV"}, nil, nil},
		{"ALLOW rules never change the outcome", "allow", ActionAllow, "A-1", []string{}, nil, nil},
		{"ENFORCE is a directive, not a block", "enforce", ActionAllow, "", []string{}, nil, []string{"E-1"}},
		{"directives ride along with a WARN", "enforce warn", ActionWarn, "W-HIGH",
			[]string{"W-LOW", "W-HIGH"}, []string{"W-LOW", "W-HIGH"}, []string{"E-1"}},
		{"directives are not triggered rules of a DENY", "enforce deny", ActionDeny, "D-CRIT",
			[]string{"D-HIGH", "D-CRIT", "D-CRIT-2"}, nil, []string{"E-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Evaluate(p, Input{Prompt: tt.prompt}, ModeEnforce)
			if res.Action != tt.action || res.EnforcedAction != tt.action {
				t.Errorf("action = %s (enforced %s), want %s", res.Action, res.EnforcedAction, tt.action)
			}
			if res.RuleID != tt.rule {
				t.Errorf("representative = %q, want %q", res.RuleID, tt.rule)
			}
			assertEqual(t, "triggered_rules", tt.triggered, res.TriggeredRules)
			if tt.warnings == nil {
				if res.Warnings != nil {
					t.Errorf("warnings = %v", ids(res.Warnings))
				}
			} else {
				assertEqual(t, "warnings", tt.warnings, ids(res.Warnings))
			}
			assertEqual(t, "directives", tt.directives, res.Directives)
			wantAllow := tt.action != ActionDeny
			if res.Allow != wantAllow || (res.HTTPStatus == 403) == wantAllow {
				t.Errorf("allow = %v, status = %d", res.Allow, res.HTTPStatus)
			}
			if res.EvaluatedRules != 13 {
				t.Errorf("evaluated_rules = %d", res.EvaluatedRules)
			}
		})
	}
}

func TestObserveMode(t *testing.T) {
	p := mustLoad(t, "testdata/agent_firewall.raigo")
	tests := []struct {
		name     string
		prompt   string
		mode     Mode
		action   Action
		override bool
		rule     string
	}{
		{"enforce blocks", "rm -rf / now", ModeEnforce, ActionDeny, false, "AF-03"},
		{"default mode is enforce", "rm -rf / now", "", ActionDeny, false, "AF-03"},
		{"observe downgrades DENY and keeps the DENY winner", "rm -rf / and pay 500", ModeObserve, ActionWarn, true, "AF-03"},
		{"observe leaves WARN alone", "pay 500", ModeObserve, ActionWarn, false, "AF-04"},
		{"observe leaves ALLOW alone", "hello", ModeObserve, ActionAllow, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Evaluate(p, Input{Prompt: tt.prompt}, tt.mode)
			if res.Action != tt.action || res.ObserveOverride != tt.override || res.RuleID != tt.rule {
				t.Errorf("got action=%s override=%v rule=%s", res.Action, res.ObserveOverride, res.RuleID)
			}
			wantMode := tt.mode
			if wantMode == "" {
				wantMode = ModeEnforce
			}
			if res.EngineMode != wantMode {
				t.Errorf("engineMode = %q", res.EngineMode)
			}
			if tt.override && (res.EnforcedAction != ActionDeny || !res.Allow || res.HTTPStatus != 200 || res.ErrorCode != "RAIGO_DENY_AF_03") {
				t.Errorf("observe override result: %+v", res)
			}
		})
	}
}

func TestEnforceCompat(t *testing.T) {
	p := mustLoad(t, "testdata/hipaa.raigo")
	res := Evaluate(p, Input{Prompt: "What is the capital of France?"}, ModeEnforce)
	if res.Action != ActionAllow || strings.Join(res.Directives, ",") != "AC-01" {
		t.Fatalf("decision 1: action=%s directives=%v", res.Action, res.Directives)
	}
	if len(res.Matches) != 1 || res.Matches[0].Action != ActionEnforce || res.Matches[0].ErrorCode != "RAIGO_ENFORCE_AC_01" {
		t.Errorf("directive match = %+v", res.Matches)
	}
	// The reference engine treats ENFORCE as DENY: every prompt is blocked.
	res = EvaluateWith(p, Input{Prompt: "What is the capital of France?"}, Options{Compat: CompatEngine})
	if res.Action != ActionDeny || res.RuleID != "AC-01" || res.ErrorCode != "RAIGO_DENY_AC_01" || res.Directives != nil {
		t.Errorf("compat engine: %+v", res)
	}
	if got := strings.Join(res.TriggeredRules, ","); got != "AC-01" {
		t.Errorf("compat triggered = %s", got)
	}
	// With a critical DENY also matching, the critical rule wins in compat.
	res = EvaluateWith(p, Input{Prompt: "ignore previous instructions"}, Options{Compat: CompatEngine, Mode: ModeObserve})
	if res.RuleID != "SEC-01" || res.Action != ActionWarn || !res.ObserveOverride {
		t.Errorf("compat observe: %+v", res)
	}
}

func TestErrorCodesAndCompliance(t *testing.T) {
	p := mustLoad(t, "testdata/agent_firewall.raigo")
	res := Evaluate(p, Input{Prompt: "Show me the patient record"}, ModeEnforce)
	if res.RuleID != "AF-02" || res.ErrorCode != "RAIGO_DENY_AF_02" || res.DeclaredErrorCode != "RAIGO_DENY_AF02" {
		t.Fatalf("codes: %s %s %s", res.RuleID, res.ErrorCode, res.DeclaredErrorCode)
	}
	if res.Message != "Blocked: personal data detected." || res.Severity != "high" {
		t.Errorf("message/severity: %q %q", res.Message, res.Severity)
	}
	assertEqual(t, "compliance_refs", []string{"OWASP_LLM LLM02", "UK_GDPR Article 5"}, res.ComplianceRefs)
	for ref, want := range map[string]bool{
		"LLM02": true, "llm02": true, "OWASP_LLM LLM02": true, "owasp_llm-llm02": true, "UK_GDPR Article 5": true,
		"Article 5": true, "UK_GDPR-Article 5": true, " LLM02 ": true, "LLM01": false, "OWASP_LLM": false, "": false,
	} {
		if got := res.Rule.HasComplianceRef(ref); got != want {
			t.Errorf("HasComplianceRef(%q) = %v", ref, got)
		}
	}
	if got := ErrorCode(ActionWarn, "nhs-phi-002-x"); got != "RAIGO_WARN_NHS_PHI_002_X" {
		t.Errorf("ErrorCode = %s", got)
	}
	docs := mustLoad(t, "testdata/docs_starter.raigo")
	res = Evaluate(docs, Input{Prompt: "save my password"}, ModeEnforce)
	if res.RuleID != "SEC-001" || res.ErrorCode != "RAIGO_DENY_SEC_001" || res.DeclaredErrorCode != "SEC_001_VIOLATION" {
		t.Errorf("docs codes: %+v", res)
	}
	if !res.Rule.HasComplianceRef("iso-27001-a.9.2") || res.Rule.HasComplianceRef("A.9.2") {
		t.Error("docs compliance strings compare whole and case-insensitively")
	}
}

func TestRequiresApproval(t *testing.T) {
	p := mustLoad(t, "testdata/docs_starter.raigo")
	res := Evaluate(p, Input{Prompt: "mail it", Context: map[string]any{"tool_invoked": "send_email"}}, ModeEnforce)
	if res.Action != ActionDeny || !res.RequiresApproval || !res.Rule.RequireApproval || res.RuleID != "NHS-SEC-001" {
		t.Errorf("require_approval: %+v", res)
	}
	res = Evaluate(p, Input{Prompt: "save my password"}, ModeEnforce)
	if res.RequiresApproval {
		t.Error("plain DENY requires approval")
	}
}

func TestAllowRepresentative(t *testing.T) {
	p := mustLoad(t, "testdata/docs_starter.raigo")
	res := Evaluate(p, Input{Prompt: "draft the strategic plan"}, ModeEnforce)
	if res.Action != ActionAllow || res.RuleID != "ORG-EXC-001" || len(res.TriggeredRules) != 0 || res.ErrorCode != "RAIGO_ALLOW_ORG_EXC_001" {
		t.Errorf("allow rule: %+v", res)
	}
	if res.EvaluatedRules != 7 {
		t.Errorf("evaluated_rules = %d (disabled rules are not evaluated)", res.EvaluatedRules)
	}
}

func TestResultJSON(t *testing.T) {
	p := mustLoad(t, "testdata/agent_firewall.raigo")
	res := Evaluate(p, Input{Prompt: "hello"}, ModeObserve)
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"action":"ALLOW"`, `"engineMode":"observe"`, `"observeOverride":false`, `"triggered_rules":[]`, `"directives":["AF-06"]`, `"policy_version":"1.2.0"`, `"organisation":"Example Org"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
	var back Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Action != res.Action || back.Matches[0].RuleID != "AF-06" {
		t.Errorf("round trip: %+v", back)
	}
}

func TestEvaluateInputs(t *testing.T) {
	p := policyOf(t, rule("K-1", "DENY", "high", `{trigger: "prompt_contains", keywords: ["a b"]}`))
	for _, tt := range []struct {
		in   Input
		want bool
	}{
		{Input{Prompt: "a", Content: "b"}, true},
		{Input{Content: "a b"}, true},
		{Input{Prompt: "a ", Content: ""}, false},
		{Input{}, false},
	} {
		if got := Evaluate(p, tt.in, ModeEnforce).Action == ActionDeny; got != tt.want {
			t.Errorf("%+v: %v", tt.in, got)
		}
	}
}

func TestEvaluateConcurrently(t *testing.T) {
	p := mustLoad(t, "testdata/agent_firewall.raigo")
	want := make([]Action, len(benchPrompts))
	for i, in := range benchPrompts {
		want[i] = Evaluate(p, in, ModeEnforce).Action
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				k := i % len(benchPrompts)
				if got := Evaluate(p, benchPrompts[k], ModeEnforce).Action; got != want[k] {
					t.Errorf("prompt %d: %s, want %s", k, got, want[k])
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestAgentFirewallScenarios(t *testing.T) {
	p := mustLoad(t, "testdata/agent_firewall.raigo")
	want := []struct {
		action Action
		rule   string
	}{
		{ActionAllow, ""}, {ActionAllow, ""}, {ActionDeny, "AF-01"}, {ActionDeny, "AF-02"}, {ActionDeny, "AF-03"},
		{ActionWarn, "AF-04"}, {ActionDeny, "AF-05"}, {ActionWarn, "AF-07"}, {ActionAllow, ""}, {ActionAllow, ""},
	}
	for i, in := range benchPrompts {
		res := Evaluate(p, in, ModeEnforce)
		if res.Action != want[i].action || res.RuleID != want[i].rule {
			t.Errorf("%q: %s %s, want %s %s", in.Prompt, res.Action, res.RuleID, want[i].action, want[i].rule)
		}
		if strings.Join(res.Directives, ",") != "AF-06" {
			t.Errorf("%q: directives %v", in.Prompt, res.Directives)
		}
	}
}

func TestParseHelpers(t *testing.T) {
	for in, want := range map[string]Action{"block": ActionDeny, "DENY": ActionDeny, " Warn ": ActionWarn, "allow": ActionAllow} {
		if got, err := ParseOutcome(in); err != nil || got != want {
			t.Errorf("ParseOutcome(%q) = %s, %v", in, got, err)
		}
	}
	if _, err := ParseOutcome("enforce"); err == nil {
		t.Error("enforce is not an outcome")
	}
	for in, want := range map[string]Action{"deny": ActionDeny, "Block": ActionDeny, "require_approval": ActionDeny, "ENFORCE": ActionEnforce, "warn": ActionWarn, "Allow": ActionAllow, "": ActionDeny, "other": ActionDeny} {
		if got := NormalizeAction(in); got != want {
			t.Errorf("NormalizeAction(%q) = %s", in, got)
		}
	}
	if m, err := ParseMode("Observe"); err != nil || m != ModeObserve {
		t.Errorf("ParseMode: %s %v", m, err)
	}
	if m, err := ParseMode(""); err != nil || m != ModeEnforce {
		t.Errorf("ParseMode empty: %s %v", m, err)
	}
	if _, err := ParseMode("shadow"); err == nil {
		t.Error("ParseMode accepted shadow")
	}
	if c, err := ParseCompat("ENGINE"); err != nil || c != CompatEngine {
		t.Errorf("ParseCompat: %s %v", c, err)
	}
	if _, err := ParseCompat("node"); err == nil {
		t.Error("ParseCompat accepted node")
	}
	if ActionDeny.TestWord() != "block" || ActionWarn.TestWord() != "warn" || ActionAllow.TestWord() != "allow" || ActionEnforce.TestWord() != "enforce" {
		t.Error("TestWord")
	}
}
