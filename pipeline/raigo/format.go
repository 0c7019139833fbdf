package raigo

import "go.yaml.in/yaml/v3"

// File is a `.raigo` document in the 0.3 specification format, as decoded
// (before normalisation). Line and Lines locate the document's fields.
type File struct {
	RaigoVersion string         `yaml:"raigo_version"`
	Metadata     *Metadata      `yaml:"metadata"`
	Context      *Context       `yaml:"context"`
	Policies     []SpecRule     `yaml:"policies"`
	Extensions   map[string]any `yaml:"-" json:"-"`
	Line         int            `yaml:"-" json:"-"`
	Lines        map[string]int `yaml:"-" json:"-"`
}

// Metadata describes the policy suite. The specification marks every field
// required; the reference validator checks version, organisation,
// policy_suite, classification and owner.
type Metadata struct {
	Organisation   string           `yaml:"organisation"`
	PolicySuite    string           `yaml:"policy_suite"`
	Version        string           `yaml:"version"`
	EffectiveDate  string           `yaml:"effective_date"`
	ReviewDate     string           `yaml:"review_date"`
	Owner          string           `yaml:"owner"`
	Contact        string           `yaml:"contact"`
	Classification string           `yaml:"classification"`
	Jurisdiction   string           `yaml:"jurisdiction"`
	ApprovedBy     string           `yaml:"approved_by"`
	Description    string           `yaml:"description"`
	Changelog      []ChangelogEntry `yaml:"changelog"`
	Extensions     map[string]any   `yaml:"-" json:"-"`
	Line           int              `yaml:"-" json:"-"`
	Lines          map[string]int   `yaml:"-" json:"-"`
}

// ChangelogEntry is one recommended metadata.changelog item.
type ChangelogEntry struct {
	Version    string         `yaml:"version"`
	Date       string         `yaml:"date"`
	Author     string         `yaml:"author"`
	Summary    string         `yaml:"summary"`
	Extensions map[string]any `yaml:"-" json:"-"`
}

// Context describes the deployment; the engine ignores it. Each list entry
// may be written as a bare id string or as a mapping.
type Context struct {
	Environments        []Environment        `yaml:"environments"`
	DataClassifications []DataClassification `yaml:"data_classifications"`
	AllowedTools        []AllowedTool        `yaml:"allowed_tools"`
	Networks            []Network            `yaml:"networks"`
	Servers             []Server             `yaml:"servers"`
	Notes               string               `yaml:"notes"`
	Extensions          map[string]any       `yaml:"-" json:"-"`
	Line                int                  `yaml:"-" json:"-"`
	Lines               map[string]int       `yaml:"-" json:"-"`
}

// Environment is a context.environments entry.
type Environment struct {
	ID          string         `yaml:"id"`
	Description string         `yaml:"description"`
	RiskLevel   string         `yaml:"risk_level"`
	Extensions  map[string]any `yaml:"-" json:"-"`
	Line        int            `yaml:"-" json:"-"`
}

// DataClassification is a context.data_classifications entry.
type DataClassification struct {
	ID          string         `yaml:"id"`
	Description string         `yaml:"description"`
	Examples    []string       `yaml:"examples"`
	Extensions  map[string]any `yaml:"-" json:"-"`
}

// AllowedTool is a context.allowed_tools entry.
type AllowedTool struct {
	ID           string         `yaml:"id"`
	Description  string         `yaml:"description"`
	Environments []string       `yaml:"environments"`
	Extensions   map[string]any `yaml:"-" json:"-"`
}

// Network is a context.networks entry.
type Network struct {
	ID          string         `yaml:"id"`
	Public      bool           `yaml:"public"`
	Description string         `yaml:"description"`
	Extensions  map[string]any `yaml:"-" json:"-"`
}

// Server is a context.servers entry.
type Server struct {
	ID                  string         `yaml:"id"`
	Protocols           []string       `yaml:"protocols"`
	Networks            []string       `yaml:"networks"`
	DataClassifications []string       `yaml:"data_classifications"`
	Extensions          map[string]any `yaml:"-" json:"-"`
}

// decodeIDShorthand decodes a context entry written either as a bare id or as
// a mapping; setID stores the bare form and full decodes the mapping.
func decodeIDShorthand(n *yaml.Node, setID func(string), full func()) {
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		setID(n.Value)
		return
	}
	full()
}

type (
	environmentFields        Environment
	dataClassificationFields DataClassification
	allowedToolFields        AllowedTool
	networkFields            Network
	serverFields             Server
)

func (e *Environment) decodeNode(d *decoder, n *yaml.Node, where string) {
	decodeIDShorthand(n, func(id string) { e.ID, e.Line = id, n.Line }, func() {
		d.decodeStruct(n, reflectValue((*environmentFields)(e)), where)
	})
}

func (c *DataClassification) decodeNode(d *decoder, n *yaml.Node, where string) {
	decodeIDShorthand(n, func(id string) { c.ID = id }, func() {
		d.decodeStruct(n, reflectValue((*dataClassificationFields)(c)), where)
	})
}

func (t *AllowedTool) decodeNode(d *decoder, n *yaml.Node, where string) {
	decodeIDShorthand(n, func(id string) { t.ID = id }, func() {
		d.decodeStruct(n, reflectValue((*allowedToolFields)(t)), where)
	})
}

func (nw *Network) decodeNode(d *decoder, n *yaml.Node, where string) {
	decodeIDShorthand(n, func(id string) { nw.ID = id }, func() {
		d.decodeStruct(n, reflectValue((*networkFields)(nw)), where)
	})
}

func (s *Server) decodeNode(d *decoder, n *yaml.Node, where string) {
	decodeIDShorthand(n, func(id string) { s.ID = id }, func() {
		d.decodeStruct(n, reflectValue((*serverFields)(s)), where)
	})
}

// SpecRule is one entry of a spec-format `policies` list.
type SpecRule struct {
	ID                  string              `yaml:"id"`
	Domain              string              `yaml:"domain"`
	Title               string              `yaml:"title"`
	Condition           *Condition          `yaml:"condition"`
	Action              string              `yaml:"action"`
	Severity            string              `yaml:"severity"`
	Directive           string              `yaml:"directive"`
	EnforcementMessage  string              `yaml:"enforcement_message"`
	AuditRequired       *bool               `yaml:"audit_required"`
	HumanReviewRequired *bool               `yaml:"human_review_required"`
	ReviewMessage       string              `yaml:"review_message"`
	EscalationContact   string              `yaml:"escalation_contact"`
	ComplianceMapping   []ComplianceMapping `yaml:"compliance_mapping"`
	Tags                []string            `yaml:"tags"`
	Platforms           []Platform          `yaml:"platforms"`
	Priority            int                 `yaml:"priority"`
	RiskLevel           string              `yaml:"risk_level"`
	ViolationResponse   *ViolationResponse  `yaml:"violation_response"`
	Extensions          map[string]any      `yaml:"-" json:"-"`
	Line                int                 `yaml:"-" json:"-"`
	Lines               map[string]int      `yaml:"-" json:"-"`
}

// ComplianceMapping links a rule to a framework control.
type ComplianceMapping struct {
	Framework   string         `yaml:"framework" json:"framework"`
	Control     string         `yaml:"control" json:"control"`
	Description string         `yaml:"description" json:"description,omitempty"`
	Extensions  map[string]any `yaml:"-" json:"-"`
}

// Platform overrides a rule's message for one target platform.
type Platform struct {
	Target          string         `yaml:"target"`
	OverrideMessage string         `yaml:"override_message"`
	Extensions      map[string]any `yaml:"-" json:"-"`
}

// ViolationResponse is the optional response block seen in the examples.
// The engine ignores it; its error_code is accepted by error_code assertions
// (decision 3).
type ViolationResponse struct {
	ErrorCode        string         `yaml:"error_code"`
	HTTPStatus       int            `yaml:"http_status"`
	Category         string         `yaml:"category"`
	UserMessage      string         `yaml:"user_message"`
	DeveloperMessage string         `yaml:"developer_message"`
	DebugHint        string         `yaml:"debug_hint"`
	AuditLog         *AuditLogSpec  `yaml:"audit_log"`
	NextSteps        []string       `yaml:"next_steps"`
	Extensions       map[string]any `yaml:"-" json:"-"`
}

// AuditLogSpec is violation_response.audit_log.
type AuditLogSpec struct {
	Required   bool           `yaml:"required"`
	Fields     []string       `yaml:"fields"`
	Extensions map[string]any `yaml:"-" json:"-"`
}

// Condition is a rule condition: either a string (Text) or a structured
// mapping (Structured). Exactly one of the two is set when decoded.
type Condition struct {
	Text       string
	IsText     bool
	Structured *StructuredCondition
	Line       int
}

func (c *Condition) decodeNode(d *decoder, n *yaml.Node, where string) {
	c.Line = n.Line
	switch {
	case n.Kind == yaml.ScalarNode && !isNull(n):
		c.Text, c.IsText = n.Value, true
	case n.Kind == yaml.MappingNode:
		c.Structured = &StructuredCondition{}
		d.decodeStruct(n, reflectValue(c.Structured), where)
	case isNull(n):
	default:
		d.errorf(n.Line, "%sexpected a string or a mapping, got %s", at(where), nodeKind(n))
	}
}

// StructuredCondition is the mapping form of a condition. The fields the
// engine reads are trigger, data_classification, environment, destination,
// pattern, language, anomaly_types, tool_not_in, keywords and match; the
// others are accepted (they appear in the specification or the examples)
// and ignored.
type StructuredCondition struct {
	Trigger            string         `yaml:"trigger"`
	DataClassification []string       `yaml:"data_classification"`
	Environment        []string       `yaml:"environment"`
	Destination        string         `yaml:"destination"`
	SourceServer       string         `yaml:"source_server"`
	ToolNotIn          []string       `yaml:"tool_not_in"`
	ProtocolBelow      string         `yaml:"protocol_below"`
	Pattern            string         `yaml:"pattern"`
	Language           []string       `yaml:"language"`
	AnomalyTypes       []string       `yaml:"anomaly_types"`
	Keywords           []string       `yaml:"keywords"`
	Match              string         `yaml:"match"`
	AgentNetwork       []string       `yaml:"agent_network"`
	ActionType         string         `yaml:"action_type"`
	ActionTypes        []string       `yaml:"action_types"`
	Extensions         map[string]any `yaml:"-" json:"-"`
	Line               int            `yaml:"-" json:"-"`
	Lines              map[string]int `yaml:"-" json:"-"`
}

// DocsFile is a `.raigo` document in the documentation format (`rules:`).
// raigo_version, metadata and context are accepted as in the spec format;
// org and version stand in for the metadata when it is absent.
type DocsFile struct {
	RaigoVersion string         `yaml:"raigo_version"`
	Metadata     *Metadata      `yaml:"metadata"`
	Context      *Context       `yaml:"context"`
	Version      string         `yaml:"version"`
	Org          string         `yaml:"org"`
	Name         string         `yaml:"name"`
	Description  string         `yaml:"description"`
	Rules        []DocsRule     `yaml:"rules"`
	Extensions   map[string]any `yaml:"-" json:"-"`
	Line         int            `yaml:"-" json:"-"`
	Lines        map[string]int `yaml:"-" json:"-"`
}

// DocsRule is one entry of a docs-format `rules` list.
type DocsRule struct {
	ID          string         `yaml:"id"`
	Name        string         `yaml:"name"`
	Description string         `yaml:"description"`
	Enabled     *bool          `yaml:"enabled"`
	Action      string         `yaml:"action"`
	Severity    string         `yaml:"severity"`
	Priority    int            `yaml:"priority"`
	Triggers    *Triggers      `yaml:"triggers"`
	Condition   *Condition     `yaml:"condition"`
	Message     string         `yaml:"message"`
	ErrorCode   string         `yaml:"error_code"`
	Compliance  []string       `yaml:"compliance"`
	Extensions  map[string]any `yaml:"-" json:"-"`
	Line        int            `yaml:"-" json:"-"`
	Lines       map[string]int `yaml:"-" json:"-"`
}

// Triggers are the docs-format rule triggers. Each accepts a string or a
// list; a rule fires when any trigger matches. The *_contains triggers are
// case-insensitive substring keyword matches; tool_invocation matches when
// the context's tool_invocation (or tool_invoked) equals a listed name.
type Triggers struct {
	PromptContains StringList     `yaml:"prompt_contains"`
	InputContains  StringList     `yaml:"input_contains"`
	OutputContains StringList     `yaml:"output_contains"`
	ToolInvocation StringList     `yaml:"tool_invocation"`
	Extensions     map[string]any `yaml:"-" json:"-"`
	Line           int            `yaml:"-" json:"-"`
}
