// Package config loads a scan config (policystrata.yaml) exactly as the
// reference scanner accepts it: strict YAML (an unknown key at any level,
// a bad type or a non-mapping top level is an error), the reference's
// defaults, and its validation rules. Every error is a `path:line: message`
// input error (exit 2).
package config

// Config is a loaded, validated scan config with defaults applied and every
// path resolved.
type Config struct {
	// Path is the config file's absolute path; Dir its directory.
	Path string `yaml:"-"`
	Dir  string `yaml:"-"`

	Version    int    `yaml:"version"`
	Domain     string `yaml:"domain"`
	DomainPath string `yaml:"domain_path"`
	Output     string `yaml:"output"`
	SARIF      bool   `yaml:"sarif"`

	DBT              FileSet `yaml:"dbt"`
	SQLTraces        FileSet `yaml:"sql_traces"`
	PolicyDocs       FileSet `yaml:"policy_docs"`
	PromptManifests  FileSet `yaml:"prompt_manifests"`
	SourceMaps       FileSet `yaml:"source_maps"`
	RuntimeManifests FileSet `yaml:"runtime_manifests"`
	RuntimeEvents    FileSet `yaml:"runtime_events"`

	Tenancy  Tenancy   `yaml:"tenancy"`
	Fuzz     Fuzz      `yaml:"fuzz"`
	Gate     Gate      `yaml:"gate"`
	Database *Database `yaml:"database"`

	// Line is the line of the top-level mapping.
	Line int `yaml:"-"`
}

// FileSet is a list of input files relative to the config directory.
type FileSet struct {
	Files    []string `yaml:"files"`
	Required bool     `yaml:"required"`
	Line     int      `yaml:"-"`
}

// Tenancy says how a statement must be scoped to the principal's tenants.
type Tenancy struct {
	// CanonicalPredicates are SQL predicates (one must hold), which may use
	// :principal.tenant_id (or :principal.tenant_ids) for the tenant binding.
	CanonicalPredicates []string `yaml:"canonical_predicates"`
	// TenantColumns are tenant columns, qualified (table.column) or bare.
	TenantColumns []string `yaml:"tenant_columns"`
	// TableTenantColumns maps a table to its tenant columns.
	TableTenantColumns map[string][]string `yaml:"table_tenant_columns"`
	Line               int                 `yaml:"-"`
}

// Fuzz configures the mutants generated from each trace.
type Fuzz struct {
	Enabled          *bool `yaml:"enabled"`
	Seed             *int  `yaml:"seed"`
	MaxCasesPerTrace *int  `yaml:"max_cases_per_trace"`
	Line             int   `yaml:"-"`
}

// Gate configures the release gate.
type Gate struct {
	FailOnHighConfidence *bool    `yaml:"fail_on_high_confidence"`
	RequiredInputs       []string `yaml:"required_inputs"`
	Line                 int      `yaml:"-"`
}

// Database configures the real-database stage.
type Database struct {
	Mode                  string           `yaml:"mode"`
	Required              bool             `yaml:"required"`
	StartDocker           bool             `yaml:"start_docker"`
	ComposeFile           string           `yaml:"compose_file"`
	ComposeService        string           `yaml:"compose_service"`
	StartupTimeoutSeconds *float64         `yaml:"startup_timeout_seconds"`
	AdminURL              string           `yaml:"admin_url"`
	AppURL                string           `yaml:"app_url"`
	Schema                string           `yaml:"schema"`
	SchemaPath            string           `yaml:"schema_path"`
	Seed                  string           `yaml:"seed"`
	ExecuteImportedSQL    *bool            `yaml:"execute_imported_sql"`
	SARIF                 bool             `yaml:"sarif"`
	RLSChecks             []RLSCheck       `yaml:"rls_checks"`
	StateAssertions       []StateAssertion `yaml:"state_assertions"`
	Line                  int              `yaml:"-"`
	// ExplicitURL is true when the config names admin_url or app_url (a
	// PostgreSQL server); otherwise the embedded DuckDB fixture is used.
	ExplicitURL bool `yaml:"-"`
}

// RLSCheck is a query whose visible rows must match expectations under a
// tenant context.
type RLSCheck struct {
	ID                string   `yaml:"id"`
	SQL               string   `yaml:"sql"`
	TenantID          string   `yaml:"tenant_id"`
	ExpectedRows      *int     `yaml:"expected_rows"`
	ExpectedTenantIDs []string `yaml:"expected_tenant_ids"`
	TenantColumn      string   `yaml:"tenant_column"`
	Required          bool     `yaml:"required"`
	Line              int      `yaml:"-"`
}

// StateAssertion is a query whose result must satisfy conditions.
type StateAssertion struct {
	ID               string           `yaml:"id"`
	SQL              string           `yaml:"sql"`
	TenantID         string           `yaml:"tenant_id"`
	ExpectedRows     *int             `yaml:"expected_rows"`
	ExpectEmpty      bool             `yaml:"expect_empty"`
	RequireColumns   []string         `yaml:"require_columns"`
	ForbiddenColumns []string         `yaml:"forbidden_columns"`
	AllowedValues    map[string][]any `yaml:"allowed_values"`
	ForbiddenValues  map[string][]any `yaml:"forbidden_values"`
	Required         bool             `yaml:"required"`
	RegressionCase   string           `yaml:"regression_case"`
	Line             int              `yaml:"-"`
}

// Defaults of the reference scanner.
const (
	DefaultDomain           = "support_saas"
	DefaultSeed             = 1729
	DefaultMaxCasesPerTrace = 8
	DefaultComposeService   = "postgres"
	DefaultStartupTimeout   = 30
	DefaultAdminURL         = "postgresql://policystrata:policystrata@localhost:55432/support_saas"
	DefaultAppURL           = "postgresql://policystrata_app:policystrata_app@localhost:55432/support_saas"
)

// BuiltinDomains are the domains a config may name without domain_path.
var BuiltinDomains = []string{"support_saas", "finance_saas", "analytics_clickhouse"}

// RequiredInputNames are the inputs gate.required_inputs may name.
var RequiredInputNames = []string{"dbt", "sql_traces", "database", "state_assertions"}

// FuzzEnabled reports fuzz.enabled (default true).
func (c *Config) FuzzEnabled() bool { return c.Fuzz.Enabled == nil || *c.Fuzz.Enabled }

// FuzzSeed is fuzz.seed (default 1729).
func (c *Config) FuzzSeed() int {
	if c.Fuzz.Seed == nil {
		return DefaultSeed
	}
	return *c.Fuzz.Seed
}

// MaxCasesPerTrace is fuzz.max_cases_per_trace (default 8).
func (c *Config) MaxCasesPerTrace() int {
	if c.Fuzz.MaxCasesPerTrace == nil {
		return DefaultMaxCasesPerTrace
	}
	return *c.Fuzz.MaxCasesPerTrace
}

// FailOnHighConfidence is gate.fail_on_high_confidence (default true).
func (c *Config) FailOnHighConfidence() bool {
	return c.Gate.FailOnHighConfidence == nil || *c.Gate.FailOnHighConfidence
}

// WantSARIF reports whether scan.sarif is written (sarif or database.sarif).
func (c *Config) WantSARIF() bool { return c.SARIF || (c.Database != nil && c.Database.SARIF) }

// RequiresInput reports whether gate.required_inputs names input.
func (c *Config) RequiresInput(input string) bool {
	for _, r := range c.Gate.RequiredInputs {
		if r == input {
			return true
		}
	}
	return false
}

// IsBuiltinDomain reports whether name is a built-in domain.
func IsBuiltinDomain(name string) bool {
	for _, b := range BuiltinDomains {
		if b == name {
			return true
		}
	}
	return false
}

// ExecuteImported is database.execute_imported_sql (default true).
func (d *Database) ExecuteImported() bool {
	return d.ExecuteImportedSQL == nil || *d.ExecuteImportedSQL
}

// UsesPostgres reports whether the database stage targets PostgreSQL: the
// config names admin_url or app_url, SQL schema or seed scripts (which
// only a server runs), or start_docker. Otherwise the embedded DuckDB fixture is used.
func (d *Database) UsesPostgres() bool {
	return d.ExplicitURL || d.SchemaFile() != "" || d.Seed != "" || d.StartDocker
}

// SchemaFile is database.schema, or its alias schema_path.
func (d *Database) SchemaFile() string {
	if d.Schema != "" {
		return d.Schema
	}
	return d.SchemaPath
}
