package raigotest

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/policystrata/policystrata/pipeline/raigo"
)

// Options tunes [Parse] and [Load].
type Options struct {
	// Strict makes unknown fields errors instead of warnings.
	Strict bool
}

// rawSuite is the union of both layouts' top-level fields.
type rawSuite struct {
	Version    string           `yaml:"version"`
	Policy     raigo.StringList `yaml:"policy"`
	Metadata   *rawMetadata     `yaml:"metadata"`
	Tests      []rawCase        `yaml:"tests"`
	Suite      string           `yaml:"suite"`
	EngineMode string           `yaml:"engineMode"`
	Cases      []rawCase        `yaml:"cases"`
	Extensions map[string]any   `yaml:"-"`
	Line       int              `yaml:"-"`
	Lines      map[string]int   `yaml:"-"`
}

type rawMetadata struct {
	Name        string         `yaml:"name"`
	Description string         `yaml:"description"`
	Author      string         `yaml:"author"`
	Created     string         `yaml:"created"`
	Extensions  map[string]any `yaml:"-"`
	Line        int            `yaml:"-"`
	Lines       map[string]int `yaml:"-"`
}

type rawCase struct {
	ID          string         `yaml:"id"`
	Name        string         `yaml:"name"`
	Description string         `yaml:"description"`
	EngineMode  string         `yaml:"engineMode"`
	Input       *rawInput      `yaml:"input"`
	Expect      *rawExpect     `yaml:"expect"`
	Extensions  map[string]any `yaml:"-"`
	Line        int            `yaml:"-"`
	Lines       map[string]int `yaml:"-"`
}

type rawInput struct {
	Prompt     *string        `yaml:"prompt"`
	Content    string         `yaml:"content"`
	Context    map[string]any `yaml:"context"`
	Extensions map[string]any `yaml:"-"`
	Line       int            `yaml:"-"`
}

type rawExpect struct {
	Action          *string        `yaml:"action"`
	RuleID          *string        `yaml:"rule_id"`
	Severity        *string        `yaml:"severity"`
	ComplianceRefs  []string       `yaml:"compliance_refs"`
	MessageContains *string        `yaml:"message_contains"`
	ErrorCode       *string        `yaml:"error_code"`
	ObserveOverride *bool          `yaml:"observeOverride"`
	Extensions      map[string]any `yaml:"-"`
	Line            int            `yaml:"-"`
	Lines           map[string]int `yaml:"-"`
}

// Load reads and parses the suite file at path (see [Parse]).
func Load(path string, opts Options) (*Suite, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load suite: %w", err)
	}
	return Parse(path, data, opts)
}

// Parse decodes data, read from path, as a test suite in either layout.
// Errors are wrapped as "load suite: ..." around located errors
// (*raigo.PosError or raigo.ErrorList) formatted `path:line: message`.
func Parse(path string, data []byte, opts Options) (*Suite, error) {
	var raw rawSuite
	warns, err := raigo.DecodeYAML(path, data, &raw, raigo.DecodeOptions{UnknownFieldsAsWarnings: !opts.Strict})
	if err != nil {
		return nil, fmt.Errorf("load suite: %w", err)
	}
	p := &parser{path: path, warns: warns}
	s := p.suite(&raw)
	if len(p.errs) > 0 {
		return nil, fmt.Errorf("load suite: %w", p.errs)
	}
	s.Warnings = p.warns
	return s, nil
}

type parser struct {
	path  string
	errs  raigo.ErrorList
	warns []raigo.Diagnostic
}

func (p *parser) errorf(line int, format string, args ...any) {
	p.errs = append(p.errs, &raigo.PosError{Path: p.path, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) warnf(line int, format string, args ...any) {
	p.warns = append(p.warns, raigo.Diagnostic{Path: p.path, Line: line, Message: fmt.Sprintf(format, args...)})
}

func lineOf(lines map[string]int, key string, fallback int) int {
	if l, ok := lines[key]; ok {
		return l
	}
	return fallback
}

var testIDRE = regexp.MustCompile(`^T-\d+$`)

func (p *parser) suite(raw *rawSuite) *Suite {
	s := &Suite{Path: p.path, Policies: raw.Policy, PolicyLine: lineOf(raw.Lines, "policy", 0)}
	_, hasTests := raw.Lines["tests"]
	_, hasCases := raw.Lines["cases"]
	switch {
	case hasTests && hasCases:
		p.errorf(raw.Lines["cases"], "both tests (form A) and cases (form B) are present; a suite uses one form")
		return s
	case hasTests:
		s.Form = FormA
	case hasCases:
		s.Form = FormB
	default:
		p.errorf(raw.Line, "missing required field: tests (form A) or cases (form B)")
		return s
	}
	if len(raw.Policy) == 0 {
		p.errorf(lineOf(raw.Lines, "policy", raw.Line), "missing required field: policy")
	}
	for i, pol := range raw.Policy {
		if strings.TrimSpace(pol) == "" {
			p.errorf(lineOf(raw.Lines, "policy", raw.Line), "policy[%d] is empty", i)
		}
	}
	mode, err := raigo.ParseMode(raw.EngineMode)
	if err != nil {
		p.errorf(lineOf(raw.Lines, "engineMode", raw.Line), "engineMode: %v", err)
	}
	s.EngineMode = mode
	list := raw.Tests
	if s.Form == FormA {
		s.Version = raw.Version
		switch {
		case raw.Version == "":
			p.errorf(lineOf(raw.Lines, "version", raw.Line), "missing required field: version")
		case raw.Version != "0.2":
			p.warnf(raw.Lines["version"], "suite version %q is not the documented \"0.2\"", raw.Version)
		}
		if m := raw.Metadata; m == nil || m.Name == "" {
			p.errorf(lineOf(raw.Lines, "metadata", raw.Line), "missing required field: metadata.name")
		} else {
			s.Name, s.Description, s.Author, s.Created = m.Name, m.Description, m.Author, m.Created
		}
		if _, ok := raw.Lines["suite"]; ok {
			p.warnf(raw.Lines["suite"], "field \"suite\" belongs to form B; form A names the suite in metadata.name")
		}
	} else {
		list = raw.Cases
		s.Name = raw.Suite
		if raw.Suite == "" {
			p.errorf(lineOf(raw.Lines, "suite", raw.Line), "missing required field: suite")
		}
		for _, f := range []string{"version", "metadata"} {
			if l, ok := raw.Lines[f]; ok {
				p.warnf(l, "field %q belongs to form A and is ignored in a form B suite", f)
			}
		}
	}
	if len(list) == 0 {
		key := map[Form]string{FormA: "tests", FormB: "cases"}[s.Form]
		p.errorf(lineOf(raw.Lines, key, raw.Line), "%s must contain at least one test case", key)
	}
	seen := map[string]int{}
	for i := range list {
		s.Cases = append(s.Cases, p.testCase(s, i, &list[i], seen))
	}
	return s
}

func (p *parser) testCase(s *Suite, i int, rc *rawCase, seen map[string]int) Case {
	c := Case{ID: rc.ID, Name: rc.Name, Description: rc.Description, Line: rc.Line}
	where := fmt.Sprintf("tests[%d]", i)
	if s.Form == FormB {
		where = fmt.Sprintf("cases[%d]", i)
	}
	if rc.ID != "" {
		where += " (" + rc.ID + ")"
	}
	if rc.ID == "" && s.Form == FormA {
		p.errorf(rc.Line, "%s: missing required field: id", where)
	}
	if rc.ID != "" {
		if first, dup := seen[rc.ID]; dup {
			p.errorf(lineOf(rc.Lines, "id", rc.Line), "%s: duplicate test id %q (first at line %d)", where, rc.ID, first)
		} else {
			seen[rc.ID] = lineOf(rc.Lines, "id", rc.Line)
		}
		if s.Form == FormA && !testIDRE.MatchString(rc.ID) {
			p.warnf(lineOf(rc.Lines, "id", rc.Line), "%s: test id %q does not follow the T-NNN format", where, rc.ID)
		}
	}
	if rc.Name == "" {
		p.errorf(rc.Line, "%s: missing required field: name", where)
	}
	c.EngineMode = s.EngineMode
	if rc.EngineMode != "" {
		mode, err := raigo.ParseMode(rc.EngineMode)
		if err != nil {
			p.errorf(lineOf(rc.Lines, "engineMode", rc.Line), "%s: engineMode: %v", where, err)
		}
		c.EngineMode = mode
	}
	if rc.Input == nil || rc.Input.Prompt == nil {
		p.errorf(lineOf(rc.Lines, "input", rc.Line), "%s: missing required field: input.prompt", where)
	} else {
		c.Input = raigo.Input{Prompt: *rc.Input.Prompt, Content: rc.Input.Content, Context: rc.Input.Context}
	}
	if rc.Expect == nil {
		p.errorf(rc.Line, "%s: missing required field: expect", where)
		return c
	}
	e := rc.Expect
	c.Expect = Expect{
		RuleID: e.RuleID, Severity: e.Severity, ComplianceRefs: e.ComplianceRefs,
		MessageContains: e.MessageContains, ErrorCode: e.ErrorCode, ObserveOverride: e.ObserveOverride,
		Line: e.Line, RuleIDLine: lineOf(e.Lines, "rule_id", 0),
	}
	if e.Action == nil {
		p.errorf(e.Line, "%s: missing required field: expect.action", where)
		return c
	}
	action, err := raigo.ParseOutcome(*e.Action)
	if err != nil {
		p.errorf(lineOf(e.Lines, "action", e.Line), "%s: expect.action: %v", where, err)
	}
	c.Expect.Action, c.Expect.ActionText = action, *e.Action
	return c
}

// WarningsErr returns the suite's warnings as an error list (for a
// runner's --strict), or nil when there are none.
func (s *Suite) WarningsErr() error {
	if len(s.Warnings) == 0 {
		return nil
	}
	list := make(raigo.ErrorList, len(s.Warnings))
	for i, w := range s.Warnings {
		list[i] = &raigo.PosError{Path: w.Path, Line: w.Line, Msg: w.Message}
	}
	return list
}
