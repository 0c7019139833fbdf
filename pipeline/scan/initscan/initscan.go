// Package initscan writes starter scan projects: `basic` (a config, a
// reference-shaped domain directory and one authorised example trace whose
// SQL is this project's canonical compiler SQL) for each built-in domain,
// and `postgres_dbt` (the shipped example with its three configs, traces,
// dbt semantic models and the full support_saas domain).
package initscan

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

//go:embed postgres_dbt
var templates embed.FS

// Templates lists the template names.
var Templates = []string{"basic", "postgres_dbt"}

// example is the authorised request of each domain's basic template.
var example = map[string]struct{ principal, metric string }{
	"support_saas":         {"acme_analyst", "ticket_count"},
	"finance_saas":         {"north_advisor", "aum"},
	"analytics_clickhouse": {"acme_product_viewer", "active_users"},
}

// Files renders a template: file contents by slash path.
func Files(template, sourceDomain string) (map[string][]byte, error) {
	switch template {
	case "basic":
		return basic(sourceDomain)
	case "postgres_dbt":
		return postgresDBT()
	}
	return nil, strictyaml.Errorf(template, 0, "unknown template (known: basic, postgres_dbt)")
}

func basic(name string) (map[string][]byte, error) {
	ex, ok := example[name]
	if !ok {
		return nil, strictyaml.Errorf(name, 0, "unknown source domain (built-in: %v)", domains.Names())
	}
	d, err := domains.Load(name)
	if err != nil {
		return nil, err
	}
	fsys, err := domains.Builtin(name)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, f := range []string{"policy.yaml", "surfaces.yaml"} {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("init scan: %w", err)
		}
		files["domain/"+f] = b
	}
	col := d.Policy.Tenancy.Column
	files["policystrata.yaml"] = []byte(fmt.Sprintf(`version: 1
domain: %s
domain_path: domain
output: scan-out
sql_traces:
  required: true
  files:
    - traces.example.jsonl
tenancy:
  canonical_predicates:
    - "%s = :principal.tenant_id"
  tenant_columns:
    - %s
fuzz:
  enabled: false
gate:
  fail_on_high_confidence: true
  required_inputs: [sql_traces]
`, name, col, col))
	pr := d.Policy.Principals[ex.principal]
	q := spec.SemanticQuery{Metric: ex.metric, Dimensions: []string{}, Filters: map[string]string{}, TimeRange: "last_month", Grain: "month", Limit: 100}
	out := layers.Compile("v7", d, layers.CompileInput{Metric: ex.metric, Query: q,
		Obligations: observe.Obligations{TenantScope: pr.TenantIDs, RowBudget: q.Limit}})
	if out.Error != "" {
		return nil, fmt.Errorf("init scan: compile the example: %s", out.Error)
	}
	trace := map[string]any{
		"id": "example_" + ex.metric, "principal": ex.principal, "tenant_ids": pr.TenantIDs,
		"source": "init-scan", "timestamp": d.Policy.Calendar.AsOf + "T12:00:00Z", "release_allowed": true,
		"regression_case": "pass_to_pass",
		"semantic_ir":     map[string]any{"metric": ex.metric, "dimensions": []string{}, "time_range": "last_month", "grain": "month", "limit": 100},
		"sql":             out.SQL,
	}
	b, err := json.Marshal(trace)
	if err != nil {
		return nil, fmt.Errorf("init scan: %w", err)
	}
	files["traces.example.jsonl"] = append(b, '\n')
	return files, nil
}

func postgresDBT() (map[string][]byte, error) {
	files := map[string][]byte{}
	err := fs.WalkDir(templates, "postgres_dbt", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templates, p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("postgres_dbt", p)
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("init scan: %w", err)
	}
	fsys, err := domains.Builtin("support_saas")
	if err != nil {
		return nil, err
	}
	err = fs.WalkDir(fsys, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files[path.Join("domain", p)] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("init scan: %w", err)
	}
	return files, nil
}

// Write writes files under dir. An existing file is an input error (exit
// 2) unless force is set. Each file is written to a temporary name beside
// it and renamed.
func Write(dir string, files map[string][]byte, force bool) ([]string, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	if !force {
		for _, n := range names {
			p := filepath.Join(dir, filepath.FromSlash(n))
			if _, err := os.Stat(p); err == nil {
				return nil, strictyaml.Errorf(p, 0, "file exists (use --force to overwrite)")
			}
		}
	}
	for _, n := range names {
		p := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, fmt.Errorf("init scan: %w", err)
		}
		tmp := p + ".tmp-init-scan"
		if err := os.WriteFile(tmp, files[n], 0o644); err != nil {
			return nil, fmt.Errorf("init scan: %w", err)
		}
		if err := os.Rename(tmp, p); err != nil {
			return nil, fmt.Errorf("init scan: %w", err)
		}
	}
	return names, nil
}
