package raigo

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load reads and parses the `.raigo` file at path (see [Parse]).
func Load(path string) (*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load policy: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes data, read from path, as a `.raigo` policy in either format,
// strictly, and compiles it. Errors are wrapped as "load policy: ..." around
// located errors (*PosError or ErrorList) formatted `path:line: message`.
// Semantic problems (missing titles, invalid severities, ...) are not load
// errors: see [Validate].
func Parse(path string, data []byte) (*Policy, error) {
	root, err := ParseYAML(path, data)
	if err != nil {
		return nil, fmt.Errorf("load policy: %w", err)
	}
	keys := topLevelKeys(root)
	p := &Policy{Path: path}
	switch {
	case keys.has("rules") && keys.has("policies"):
		return nil, fmt.Errorf("load policy: %w", &PosError{Path: path, Line: keys["rules"].line,
			Msg: "both policies (spec format) and rules (docs format) are present; a file uses one format"})
	case keys.has("rules"):
		f := &DocsFile{}
		if _, err := DecodeNode(path, root, f, DecodeOptions{}); err != nil {
			return nil, fmt.Errorf("load policy: %w", err)
		}
		p.Format, p.Docs = FormatDocs, f
		p.compileDocs(f)
	case !keys.has("rules") && !keys.has("policies") && !keys.has("raigo_version") && !keys.has("metadata"):
		// Some other YAML file: one error, not one per foreign key (which
		// would repeat the file's content).
		return nil, fmt.Errorf("load policy: %w", &PosError{Path: path, Line: root.Line,
			Msg: "not a .raigo policy: no raigo_version, metadata, policies (spec format) or rules (docs format) at the top level"})
	case keys.has("policies") && !keys.nonNull("metadata"):
		return nil, fmt.Errorf("load policy: %w", legacyError(path, root, keys))
	default:
		f := &File{}
		if _, err := DecodeNode(path, root, f, DecodeOptions{}); err != nil {
			return nil, fmt.Errorf("load policy: %w", err)
		}
		p.Format, p.Spec = FormatSpec, f
		p.compileSpec(f)
	}
	return p, nil
}

type keyInfo struct {
	line  int
	value *yaml.Node
}

type keySet map[string]keyInfo

func (k keySet) has(name string) bool { _, ok := k[name]; return ok }

func (k keySet) nonNull(name string) bool {
	ki, ok := k[name]
	return ok && !isNull(ki.value)
}

func topLevelKeys(root *yaml.Node) keySet {
	keys := keySet{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if _, dup := keys[k.Value]; !dup {
			keys[k.Value] = keyInfo{line: k.Line, value: root.Content[i+1]}
		}
	}
	return keys
}

// legacyFields are the top-level fields of the v1.1 format.
var legacyFields = []string{"organization", "department", "last_updated", "framework", "version"}

// legacyError explains why a file with policies but no metadata is
// rejected, naming what is missing.
func legacyError(path string, root *yaml.Node, keys keySet) error {
	missing := []string{`section "metadata" (organisation, policy_suite, version, classification, owner)`}
	if !keys.has("raigo_version") {
		missing = append(missing, `field "raigo_version"`)
	}
	msg := "unsupported legacy .raigo file: missing required " + strings.Join(missing, " and required ")
	var found []string
	for _, f := range legacyFields {
		if keys.has(f) {
			found = append(found, f)
		}
	}
	if len(found) > 0 {
		sort.Strings(found)
		msg += fmt.Sprintf("; top-level %s are v1.1 fields: move them into metadata", strings.Join(found, ", "))
	}
	line := 1
	if len(root.Content) > 0 {
		line = root.Content[0].Line
	}
	return &PosError{Path: path, Line: line, Msg: msg}
}

// rulePrefix names a rule in messages the way the reference validator does:
// `policies[i] (id)`, with the index standing in for a missing id.
func rulePrefix(list string, i int, id string) string {
	if id == "" {
		return fmt.Sprintf("%s[%d] (%d)", list, i, i)
	}
	return fmt.Sprintf("%s[%d] (%s)", list, i, id)
}

func (p *Policy) compileSpec(f *File) {
	p.RaigoVersion = f.RaigoVersion
	if m := f.Metadata; m != nil {
		p.Organisation, p.PolicySuite, p.Version = m.Organisation, m.PolicySuite, m.Version
	}
	for i := range f.Policies {
		sr := &f.Policies[i]
		r := &Rule{
			ID: sr.ID, Title: sr.Title, Domain: sr.Domain, Index: i, Line: sr.Line,
			Action: NormalizeAction(sr.Action), DeclaredAction: sr.Action,
			Severity: sr.Severity, Priority: sr.Priority, Enabled: true,
			Message: sr.EnforcementMessage, Directive: sr.Directive,
			ComplianceMapping: sr.ComplianceMapping,
		}
		if sr.ViolationResponse != nil {
			r.DeclaredErrorCode = sr.ViolationResponse.ErrorCode
		}
		prefix := rulePrefix("policies", i, sr.ID)
		line := conditionLine(sr.Condition, sr.Line)
		var note string
		r.cond, note = compileCondition(sr.Condition, func(msg string) {
			p.Warnings = append(p.Warnings, Diagnostic{Path: p.Path, Line: patternLine(sr.Condition, line), Message: prefix + ": " + msg})
		})
		if note != "" {
			p.notes = append(p.notes, Diagnostic{Path: p.Path, Line: line, Message: prefix + ": " + note})
		}
		p.addRule(r)
	}
}

func (p *Policy) compileDocs(f *DocsFile) {
	p.RaigoVersion, p.Organisation, p.Version, p.PolicySuite = f.RaigoVersion, f.Org, f.Version, f.Name
	if m := f.Metadata; m != nil {
		p.Organisation, p.PolicySuite, p.Version = m.Organisation, m.PolicySuite, m.Version
	}
	for i := range f.Rules {
		dr := &f.Rules[i]
		r := &Rule{
			ID: dr.ID, Title: dr.Name, Index: i, Line: dr.Line,
			Action: NormalizeAction(dr.Action), DeclaredAction: dr.Action,
			Severity: dr.Severity, Priority: dr.Priority, Enabled: dr.Enabled == nil || *dr.Enabled,
			Message: dr.Message, Directive: dr.Description,
			DeclaredErrorCode: dr.ErrorCode, Compliance: dr.Compliance,
		}
		prefix := rulePrefix("rules", i, dr.ID)
		line := conditionLine(dr.Condition, dr.Line)
		var note string
		r.cond, note = compileTriggers(dr.Triggers, dr.Condition, func(msg string) {
			p.Warnings = append(p.Warnings, Diagnostic{Path: p.Path, Line: patternLine(dr.Condition, line), Message: prefix + ": " + msg})
		})
		if note != "" {
			p.notes = append(p.notes, Diagnostic{Path: p.Path, Line: line, Message: prefix + ": " + note})
		}
		p.addRule(r)
	}
}

func (p *Policy) addRule(r *Rule) {
	r.prepare()
	p.Rules = append(p.Rules, r)
	if r.Enabled {
		p.active = append(p.active, r)
	}
}

// conditionLine is the line of a rule's condition, or fallback.
func conditionLine(c *Condition, fallback int) int {
	if c != nil && c.Line > 0 {
		return c.Line
	}
	return fallback
}

// patternLine is the line of a structured condition's pattern, or fallback.
func patternLine(c *Condition, fallback int) int {
	if c != nil && c.Structured != nil {
		return lineOf(c.Structured.Lines, "pattern", fallback)
	}
	return fallback
}
