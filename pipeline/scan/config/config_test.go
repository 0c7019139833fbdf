package config

import (
	"strconv"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, text string
		// wantErr is a substring of the error ("" for success); line is the
		// line the error must name (0: any).
		wantErr string
		line    int
	}{
		{"empty file is {} (version missing)", "", "version must be 1", 0},
		{"minimal", "version: 1\n", "", 0},
		{"comments only", "# nothing\n", "version must be 1", 0},
		{"unknown top-level key", "version: 1\ncolour: blue\n", `unknown field "colour"`, 2},
		{"unknown nested key", "version: 1\nfuzz:\n  enabled: true\n  sed: 3\n", `unknown field "sed"`, 4},
		{"bad type", "version: 1\nfuzz:\n  seed: abc\n", "cannot unmarshal", 3},
		{"non-mapping", "- a\n", "expected a mapping", 1},
		{"version 2", "version: 2\n", "version must be 1", 1},
		{"custom domain needs domain_path", "version: 1\ndomain: mine\n", "domain_path", 1},
		{"custom domain with domain_path", "version: 1\ndomain: mine\ndomain_path: d\n", "", 0},
		{"dbt escapes", "version: 1\ndbt:\n  files: [../x.yml]\n", "stay under", 3},
		{"dbt absolute", "version: 1\ndbt:\n  files: [/x.yml]\n", "stay under", 3},
		{"trace path escaping is left to the scan", "version: 1\nsql_traces:\n  files: [../t.jsonl]\n", "", 0},
		{"max cases", "version: 1\nfuzz:\n  max_cases_per_trace: 51\n", "0..50", 3},
		{"required input", "version: 1\ngate:\n  required_inputs: [dbt, magic]\n", `unknown input "magic"`, 3},
		{"startup timeout", "version: 1\ndatabase:\n  startup_timeout_seconds: 0\n", "> 0", 3},
		{"rls check without expectations", "version: 1\ndatabase:\n  rls_checks:\n    - id: a\n      sql: select 1\n", "expected_rows or expected_tenant_ids", 4},
		{"rls check bad id", "version: 1\ndatabase:\n  rls_checks:\n    - id: ../a\n      sql: select 1\n      expected_rows: 1\n", "safe identifier", 4},
		{"state assertion without condition", "version: 1\ndatabase:\n  state_assertions:\n    - id: a\n      sql: select 1\n", "at least one condition", 4},
		{"state assertion ok", "version: 1\ndatabase:\n  state_assertions:\n    - id: a\n      sql: select 1\n      forbidden_values:\n        tenant_id: [beta, 3, true]\n", "", 0},
		{"tenant column", "version: 1\ntenancy:\n  tenant_columns: ['a b']\n", "is not a column", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("policystrata.yaml", []byte(tc.text))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
			if !strictyaml.IsInputError(err) {
				t.Fatalf("not an input error (exit 2): %v", err)
			}
			if tc.line > 0 && !strings.HasPrefix(err.Error(), "policystrata.yaml:"+strconv.Itoa(tc.line)+":") {
				t.Errorf("error %q does not name line %d", err, tc.line)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	c, err := Parse("p.yaml", []byte("version: 1\ndatabase:\n  required: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Domain != "support_saas" || !c.FuzzEnabled() || c.FuzzSeed() != 1729 || c.MaxCasesPerTrace() != 8 || !c.FailOnHighConfidence() {
		t.Errorf("defaults: %+v", c)
	}
	if c.Database.ComposeService != "postgres" || *c.Database.StartupTimeoutSeconds != 30 || !c.Database.ExecuteImported() {
		t.Errorf("database defaults: %+v", c.Database)
	}
	if !c.DatabaseConfigured() {
		t.Error("a required database is configured")
	}
}

// FuzzParse: no input panics, and every error is an input error.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"version: 1\n", "version: 1\nfuzz:\n  seed: 3\n", "version: 1\ndatabase:\n  rls_checks:\n  - id: a\n    sql: s\n    expected_rows: 1\n", "- x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, err := Parse("p.yaml", []byte(s))
		if err != nil && !strictyaml.IsInputError(err) {
			t.Fatalf("not an input error: %v", err)
		}
	})
}
