package raigorun

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// examples is the example suites directory, relative to this package.
const examples = "../../examples/raigo"

var fixedNow = func() time.Time { return time.Date(2026, 3, 26, 10, 0, 0, 0, time.UTC) }

// writeTree writes files (slash paths relative to dir) and returns dir.
func writeTree(t testing.TB, dir string, files map[string]string) string {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// mustRun runs cfg (with a fixed clock) and fails the test on error.
func mustRun(t testing.TB, cfg Config) *Report {
	t.Helper()
	cfg.Now = fixedNow
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rep
}

// policyHeader is a valid spec-format preamble without warnings.
const policyHeader = `raigo_version: "0.3"
metadata:
  organisation: "Org"
  policy_suite: "Suite"
  version: "1.0"
  classification: "INTERNAL"
  owner: "Owner"
context:
  environments: []
  data_classifications: []
  allowed_tools: []
policies:
`

// keywordRule is a spec-format rule matching a keyword.
func keywordRule(id, action, severity, keyword string) string {
	extra := ""
	switch action {
	case "DENY":
		extra = "    violation_response:\n      error_code: \"E\"\n"
	case "WARN":
		extra = "    escalation_contact: \"a@example.com\"\n"
	}
	return `  - id: "` + id + `"
    domain: "D"
    title: "Rule ` + id + `"
    condition:
      trigger: "prompt_contains"
      keywords: ["` + keyword + `"]
    action: "` + action + `"
    severity: "` + severity + `"
    directive: "Do it."
    enforcement_message: "Message of ` + id + `"
    audit_required: true
    human_review_required: false
` + extra
}
