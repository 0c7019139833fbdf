package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

var safeIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// SafeID reports whether s is a safe identifier of the reference: letters,
// digits, `_`, `.` and `-`, starting with a letter or digit, at most 128
// characters.
func SafeID(s string) bool { return len(s) <= 128 && safeIDRE.MatchString(s) }

// RegressionCases are the values a regression_case may take.
var RegressionCases = []string{"fail_to_pass", "pass_to_pass", "contain_to_contain", "deny_to_deny", "allow_to_allow", "unclassified"}

// Load reads and validates the config at path. A missing file, bad YAML or
// a failed validation is a strictyaml.Error (exit 2).
func Load(path string) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, strictyaml.Errorf(path, 0, "config file does not exist")
		}
		return nil, strictyaml.Errorf(path, 0, "read config: %v", err)
	}
	c, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	c.Path, c.Dir = abs, filepath.Dir(abs)
	return c, nil
}

// Parse decodes and validates config text read from path (used in messages).
// Path-dependent fields are left relative; Load resolves them.
func Parse(path string, data []byte) (*Config, error) {
	c := &Config{}
	if !blankYAML(data) {
		if err := strictyaml.Decode(path, data, c); err != nil {
			return nil, err
		}
	}
	if err := c.validate(path); err != nil {
		return nil, err
	}
	return c, nil
}

// blankYAML reports whether data holds only whitespace and comments (an
// empty file counts as {}).
func blankYAML(data []byte) bool {
	for _, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		if t != "" && !strings.HasPrefix(t, "#") && t != "---" {
			return false
		}
	}
	return true
}

func (c *Config) validate(path string) error {
	errf := func(line int, format string, args ...any) error {
		return strictyaml.Errorf(path, line, format, args...)
	}
	if c.Version != 1 {
		return errf(c.Line, "version must be 1, got %d", c.Version)
	}
	if c.Domain == "" {
		c.Domain = DefaultDomain
	}
	if c.DomainPath == "" && !IsBuiltinDomain(c.Domain) {
		return errf(c.Line, "domain %q is not built-in (%s); set domain_path to a directory holding policy.yaml and surfaces.yaml", c.Domain, strings.Join(BuiltinDomains, "|"))
	}
	if c.Output == "" {
		c.Output = "scan-out"
	}
	for _, fsx := range []struct {
		name string
		set  *FileSet
	}{{"dbt", &c.DBT}, {"sql_traces", &c.SQLTraces}, {"policy_docs", &c.PolicyDocs}, {"prompt_manifests", &c.PromptManifests}, {"source_maps", &c.SourceMaps}, {"runtime_manifests", &c.RuntimeManifests}, {"runtime_events", &c.RuntimeEvents}} {
		for _, f := range fsx.set.Files {
			if strings.TrimSpace(f) == "" {
				return errf(fsx.set.Line, "%s.files: empty path", fsx.name)
			}
			// Trace paths that escape the config directory become an
			// invalid_sql_trace_input finding at scan time (reference).
			if fsx.name == "dbt" && !StaysUnder(f) {
				return errf(fsx.set.Line, "dbt.files: %q must be relative and stay under the config directory", f)
			}
		}
	}
	if m := c.MaxCasesPerTrace(); m < 0 || m > 50 {
		return errf(c.Fuzz.Line, "fuzz.max_cases_per_trace must be in 0..50, got %d", m)
	}
	for _, r := range c.Gate.RequiredInputs {
		if !slices.Contains(RequiredInputNames, r) {
			return errf(c.Gate.Line, "gate.required_inputs: unknown input %q (known: %s)", r, strings.Join(RequiredInputNames, ", "))
		}
	}
	for _, p := range c.Tenancy.CanonicalPredicates {
		if strings.TrimSpace(p) == "" {
			return errf(c.Tenancy.Line, "tenancy.canonical_predicates: empty predicate")
		}
	}
	for _, col := range c.Tenancy.TenantColumns {
		if !validColumnRef(col) {
			return errf(c.Tenancy.Line, "tenancy.tenant_columns: %q is not a column (column or table.column)", col)
		}
	}
	for table, cols := range c.Tenancy.TableTenantColumns {
		for _, col := range cols {
			if !validColumnRef(table) || !validColumnRef(col) {
				return errf(c.Tenancy.Line, "tenancy.table_tenant_columns: %q: %q is not a column", table, col)
			}
		}
	}
	if c.Database != nil {
		if err := c.Database.validate(errf); err != nil {
			return err
		}
	}
	return nil
}

var columnRefRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)*$`)

func validColumnRef(s string) bool { return columnRefRE.MatchString(s) }

// StaysUnder reports whether the relative path p stays under its base
// directory (not absolute, no `..` escape).
func StaysUnder(p string) bool {
	if filepath.IsAbs(p) || strings.HasPrefix(p, "/") || strings.HasPrefix(p, "\\") {
		return false
	}
	clean := filepath.ToSlash(filepath.Clean(p))
	return clean != ".." && !strings.HasPrefix(clean, "../")
}

func (d *Database) validate(errf func(int, string, ...any) error) error {
	if d.ComposeService == "" {
		d.ComposeService = DefaultComposeService
	}
	if d.StartupTimeoutSeconds == nil {
		t := float64(DefaultStartupTimeout)
		d.StartupTimeoutSeconds = &t
	} else if *d.StartupTimeoutSeconds <= 0 {
		return errf(d.Line, "database.startup_timeout_seconds must be > 0")
	}
	d.ExplicitURL = d.AdminURL != "" || d.AppURL != ""
	if d.AdminURL == "" {
		d.AdminURL = envOr("POLICYSTRATA_DATABASE_URL", DefaultAdminURL)
	}
	if d.AppURL == "" {
		d.AppURL = envOr("POLICYSTRATA_APP_DATABASE_URL", DefaultAppURL)
	}
	if d.Schema != "" && d.SchemaPath != "" && d.Schema != d.SchemaPath {
		return errf(d.Line, "database: schema and schema_path name different files")
	}
	for i := range d.RLSChecks {
		r := &d.RLSChecks[i]
		if !SafeID(r.ID) {
			return errf(r.Line, "database.rls_checks: id %q is not a safe identifier", r.ID)
		}
		if strings.TrimSpace(r.SQL) == "" {
			return errf(r.Line, "database.rls_checks[%s]: sql is required", r.ID)
		}
		if r.ExpectedRows != nil && *r.ExpectedRows < 0 {
			return errf(r.Line, "database.rls_checks[%s]: expected_rows must be >= 0", r.ID)
		}
		if r.ExpectedRows == nil && len(r.ExpectedTenantIDs) == 0 {
			return errf(r.Line, "database.rls_checks[%s]: needs expected_rows or expected_tenant_ids", r.ID)
		}
		if r.TenantColumn == "" {
			r.TenantColumn = "tenant_id"
		}
	}
	for i := range d.StateAssertions {
		a := &d.StateAssertions[i]
		if !SafeID(a.ID) {
			return errf(a.Line, "database.state_assertions: id %q is not a safe identifier", a.ID)
		}
		if strings.TrimSpace(a.SQL) == "" {
			return errf(a.Line, "database.state_assertions[%s]: sql is required", a.ID)
		}
		if a.ExpectedRows != nil && *a.ExpectedRows < 0 {
			return errf(a.Line, "database.state_assertions[%s]: expected_rows must be >= 0", a.ID)
		}
		if a.ExpectedRows == nil && !a.ExpectEmpty && len(a.RequireColumns) == 0 && len(a.ForbiddenColumns) == 0 &&
			len(a.AllowedValues) == 0 && len(a.ForbiddenValues) == 0 {
			return errf(a.Line, "database.state_assertions[%s]: needs at least one condition", a.ID)
		}
		if a.RegressionCase == "" {
			a.RegressionCase = "pass_to_pass"
		} else if !slices.Contains(RegressionCases, a.RegressionCase) {
			return errf(a.Line, "database.state_assertions[%s]: unknown regression_case %q", a.ID, a.RegressionCase)
		}
		for _, m := range []map[string][]any{a.AllowedValues, a.ForbiddenValues} {
			for col, vs := range m {
				for _, v := range vs {
					switch v.(type) {
					case nil, string, bool, int, int64, float64:
					default:
						return errf(a.Line, "database.state_assertions[%s]: %s: values must be scalars", a.ID, col)
					}
				}
			}
		}
	}
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// Resolve returns p resolved against the config directory.
func (c *Config) Resolve(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// OutputDir is the output directory: override (relative to the current
// directory) when set, else output relative to the config directory.
func (c *Config) OutputDir(override string) (string, error) {
	if override != "" {
		return filepath.Abs(override)
	}
	return c.Resolve(c.Output), nil
}

// DatabaseConfigured reports whether the real-database stage has work:
// required, a schema or seed, checks or assertions.
func (c *Config) DatabaseConfigured() bool {
	d := c.Database
	return d != nil && (d.Required || d.SchemaFile() != "" || d.Seed != "" || len(d.RLSChecks) > 0 || len(d.StateAssertions) > 0)
}
