package raigo

import (
	"fmt"
	"regexp"
	"strings"
)

// matchKind selects how a compiled condition matches.
type matchKind uint8

const (
	matchNever matchKind = iota
	matchAlways
	matchCtxSet       // a context key is present (string code_generation / data_transfer)
	matchDetectors    // any detector in dets
	matchContains     // prompt_contains / input_contains / output_contains
	matchAnomaly      // anomaly_detected
	matchDataTransfer // data_transfer with destination outside_uk or external
	matchCodeGen      // structured code_generation
	matchTool         // tool_invocation with optional tool_not_in
	matchKeywords     // keywords only (any or all)
	matchPattern      // trigger pattern
	matchToolIn       // docs-format tool_invocation: the tool is one of tools
	matchAnyOf        // docs-format rule: any sub-matcher
)

// matcher is a compiled condition.
type matcher struct {
	kind      matchKind
	ctxKey    string
	dets      detectorSet
	keywords  []string // lowercased
	all       bool     // keywords: all must occur
	classes   []string // contains: looked up in context data_classification
	anomalies []string // anomaly: looked up in context anomaly_types
	hasEnv    bool
	envs      []string
	re        *userPattern
	dest      string
	hasLangs  bool
	langs     []string
	toolNotIn []string
	tools     []string
	subs      []matcher
	label     string // the trigger's name, for coverage (see probe.go)
}

// classDetectors maps data_classification classes (case-sensitive) to the
// detectors that satisfy them in a contains trigger.
var classDetectors = map[string]detectorSet{
	"PII":              detPII.bit() | detPIIRequest.bit(),
	"PHI":              detPHI.bit(),
	"CLASSIFIED":       detClassified.bit(),
	"CUI":              detClassified.bit(),
	"PII_REQUEST":      detPIIRequest.bit(),
	"PROMPT_INJECTION": detInjection.bit(),
	"DESTRUCTIVE":      detDestructive.bit(),
	"FINANCIAL":        detFinancial.bit(),
}

// anomalyDetectors maps anomaly_types (case-sensitive) to detectors.
var anomalyDetectors = map[string]detectorSet{
	"prompt_injection":     detInjection.bit(),
	"jailbreak":            detInjection.bit(),
	"instruction_override": detInjection.bit(),
	"destructive_action":   detDestructive.bit(),
	"financial_action":     detFinancial.bit(),
	"code_injection":       detExternal.bit(),
	"pii_detected":         detPII.bit() | detPIIRequest.bit(),
	"phi_detected":         detPHI.bit(),
}

// stringConditions maps the recognised string conditions (lowercased).
var stringConditions = map[string]matcher{
	"always":             {kind: matchAlways},
	"code_generation":    {kind: matchCtxSet, ctxKey: "language"},
	"data_transfer":      {kind: matchCtxSet, ctxKey: "destination"},
	"prompt_injection":   {kind: matchDetectors, dets: detInjection.bit()},
	"pii_detected":       {kind: matchDetectors, dets: detPII.bit() | detPIIRequest.bit()},
	"phi_detected":       {kind: matchDetectors, dets: detPHI.bit()},
	"destructive_action": {kind: matchDetectors, dets: detDestructive.bit()},
	"financial_action":   {kind: matchDetectors, dets: detFinancial.bit()},
	"external_content":   {kind: matchDetectors, dets: detExternal.bit()},
}

// triggerDetectors are the structured triggers that fall back to a detector
// when the condition has no keywords.
var triggerDetectors = map[string]detectorSet{
	"destructive_action":         detDestructive.bit(),
	"financial_action":           detFinancial.bit(),
	"external_content_execution": detExternal.bit(),
	"external_content":           detExternal.bit(),
}

// compileCondition compiles c. problem receives a message for each pattern
// that cannot be compiled; note explains why a condition can never match
// (or is empty). The matcher is labelled with the trigger's name.
func compileCondition(c *Condition, problem func(string)) (matcher, string) {
	m, note := compileConditionKind(c, problem)
	m.label = conditionLabel(c)
	return m, note
}

func compileConditionKind(c *Condition, problem func(string)) (m matcher, note string) {
	if c == nil || (!c.IsText && c.Structured == nil) {
		return matcher{kind: matchNever}, "rule has no condition and never matches"
	}
	if c.IsText {
		if m, ok := stringConditions[strings.ToLower(c.Text)]; ok {
			return m, ""
		}
		return matcher{kind: matchNever}, fmt.Sprintf("condition %q is not a recognised condition and never matches", c.Text)
	}
	sc := c.Structured
	trigger := strings.ToLower(sc.Trigger)
	if trigger == "" {
		trigger = "always"
	}
	switch trigger {
	case "always":
		return matcher{kind: matchAlways}, ""
	case "prompt_contains", "input_contains", "output_contains":
		m := matcher{kind: matchContains, keywords: lowerAll(sc.Keywords), all: sc.Match == "all",
			classes: sc.DataClassification, hasEnv: sc.Environment != nil, envs: sc.Environment}
		for _, cls := range sc.DataClassification {
			m.dets |= classDetectors[cls]
		}
		if sc.Pattern != "" {
			m.re = compilePattern(sc.Pattern, problem)
		}
		return m, ""
	case "anomaly_detected":
		m := matcher{kind: matchAnomaly, anomalies: sc.AnomalyTypes}
		for _, a := range sc.AnomalyTypes {
			m.dets |= anomalyDetectors[a]
		}
		return m, ""
	case "data_transfer":
		if sc.Destination == "outside_uk" || sc.Destination == "external" {
			return matcher{kind: matchDataTransfer, dest: sc.Destination}, ""
		}
		return matcher{kind: matchNever}, fmt.Sprintf("data_transfer destination %q never matches (only outside_uk and external are recognised)", sc.Destination)
	case "code_generation":
		return matcher{kind: matchCodeGen, hasLangs: sc.Language != nil, langs: sc.Language}, ""
	case "tool_invocation":
		return matcher{kind: matchTool, toolNotIn: sc.ToolNotIn}, ""
	case "pattern":
		if sc.Pattern == "" {
			return matcher{kind: matchNever}, "trigger \"pattern\" has no pattern and never matches"
		}
		re := compilePattern(sc.Pattern, problem)
		if re == nil {
			return matcher{kind: matchNever}, ""
		}
		return matcher{kind: matchPattern, re: re}, ""
	}
	if dets, ok := triggerDetectors[trigger]; ok {
		if len(sc.Keywords) > 0 {
			return matcher{kind: matchKeywords, keywords: lowerAll(sc.Keywords), all: sc.Match == "all"}, ""
		}
		return matcher{kind: matchDetectors, dets: dets}, ""
	}
	return matcher{kind: matchNever}, fmt.Sprintf("trigger %q is not implemented by the engine and never matches", sc.Trigger)
}

// compileTriggers compiles a docs-format rule's triggers and condition into
// one matcher that fires when any of them matches.
func compileTriggers(t *Triggers, c *Condition, problem func(string)) (matcher, string) {
	var subs []matcher
	var notes []string
	if t != nil {
		for i, kws := range []StringList{t.PromptContains, t.InputContains, t.OutputContains} {
			if len(kws) > 0 {
				label := [...]string{"prompt_contains", "input_contains", "output_contains"}[i]
				subs = append(subs, matcher{kind: matchKeywords, keywords: lowerAll(kws), label: label})
			}
		}
		if len(t.ToolInvocation) > 0 {
			subs = append(subs, matcher{kind: matchToolIn, tools: t.ToolInvocation, label: "tool_invocation"})
		}
	}
	if c != nil {
		m, note := compileCondition(c, problem)
		if m.kind != matchNever {
			subs = append(subs, m)
		} else if note != "" {
			notes = append(notes, note)
		}
	}
	switch len(subs) {
	case 0:
		if len(notes) > 0 {
			return matcher{kind: matchNever}, notes[0]
		}
		return matcher{kind: matchNever}, "rule has no triggers and never matches"
	case 1:
		return subs[0], ""
	}
	return matcher{kind: matchAnyOf, subs: subs}, ""
}

// unsupportedSyntax names the JavaScript-only construct in p, if any.
func unsupportedSyntax(p string) string {
	switch {
	case strings.Contains(p, "(?<=") || strings.Contains(p, "(?<!"):
		return "lookbehind is not supported by RE2"
	case strings.Contains(p, "(?=") || strings.Contains(p, "(?!"):
		return "lookahead is not supported by RE2"
	case backrefRE.MatchString(p):
		return "backreferences are not supported by RE2"
	}
	return ""
}

var backrefRE = regexp.MustCompile(`\\[1-9]|\\k<`)

func lowerAll(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.ToLower(s)
	}
	return out
}

// match reports whether the compiled condition matches the evaluation.
func (m *matcher) match(s *evalState) bool {
	switch m.kind {
	case matchAlways:
		return true
	case matchCtxSet:
		_, ok := s.ctx[m.ctxKey]
		return ok
	case matchDetectors:
		return s.detectAny(m.dets)
	case matchContains:
		for _, cls := range m.classes {
			if ctxIncludes(s.ctx["data_classification"], cls) {
				return true
			}
		}
		if m.hasEnv {
			if env, ok := s.ctx["environment"].(string); ok && env != "" && contains(m.envs, env) {
				return true
			}
		}
		if len(m.keywords) > 0 && s.keywordsMatch(m.keywords, m.all) {
			return true
		}
		if m.dets != 0 && s.detectAny(m.dets) {
			return true
		}
		return m.re != nil && m.re.MatchString(s.text)
	case matchAnomaly:
		for _, a := range m.anomalies {
			if ctxIncludes(s.ctx["anomaly_types"], a) {
				return true
			}
		}
		return m.dets != 0 && s.detectAny(m.dets)
	case matchDataTransfer:
		dest, _ := s.ctx["destination"].(string)
		return dest == m.dest
	case matchCodeGen:
		lang, present := s.ctx["language"]
		if m.hasLangs && jsTruthy(lang) {
			l, ok := lang.(string)
			return ok && contains(m.langs, l)
		}
		return present
	case matchTool:
		tool := s.tool()
		if !jsTruthy(tool) {
			return false
		}
		if len(m.toolNotIn) > 0 {
			name, ok := tool.(string)
			return !ok || !contains(m.toolNotIn, name)
		}
		return true
	case matchKeywords:
		return s.keywordsMatch(m.keywords, m.all)
	case matchPattern:
		return m.re.MatchString(s.text)
	case matchToolIn:
		name, ok := s.tool().(string)
		return ok && name != "" && contains(m.tools, name)
	case matchAnyOf:
		for i := range m.subs {
			if m.subs[i].match(s) {
				return true
			}
		}
	}
	return false
}

// keywordsMatch is the engine's case-insensitive substring keyword test.
func (s *evalState) keywordsMatch(keywords []string, all bool) bool {
	text := s.unicodeLowerText()
	for _, kw := range keywords {
		found := bytesContainsString(text, kw)
		if all && !found {
			return false
		}
		if !all && found {
			return true
		}
	}
	return all
}
