// Package doctor reports how far a scan integration is wired: the
// environment, the policy, and a stack of items (policy domain, surface
// contracts, dbt adapter, traces, tenancy, database fixture, RLS policies,
// state assertions, release tests, policy documents, prompt manifests,
// source maps, export coverage, CI gate), each wired, partial, missing or
// invalid with what to do next. Items are decided by loading and checking
// the inputs (the dbt inspection, the trace contract, the PostgreSQL
// catalog when a database answers), not by matching text.
package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/policystrata/policystrata/pipeline/scan"
	"github.com/policystrata/policystrata/pipeline/scan/config"
	"github.com/policystrata/policystrata/pipeline/scan/dbtsemantic"
	"github.com/policystrata/policystrata/pipeline/scan/source"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// Statuses of a stack item.
const (
	Wired   = "wired"
	Partial = "partial"
	Missing = "missing"
	Invalid = "invalid"
)

// Item is one stack item.
type Item struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	Status string   `json:"status"`
	Owner  string   `json:"owner"`
	Files  []string `json:"files"`
	Detail string   `json:"detail"`
	Error  string   `json:"error,omitempty"`
}

// Todo is the remediation of a non-wired item.
type Todo struct {
	ID            string   `json:"id"`
	Title         string   `json:"title"`
	Owner         string   `json:"owner"`
	Files         []string `json:"files"`
	Reason        string   `json:"reason"`
	ExpectedTests []string `json:"expected_tests"`
	CIGateCommand string   `json:"ci_gate_command"`
}

// Report is doctor's output with a config.
type Report struct {
	Version               string            `json:"version"`
	Environment           map[string]any    `json:"environment"`
	ConfigPath            string            `json:"config_path"`
	Domain                string            `json:"domain"`
	DomainPath            string            `json:"domain_path"`
	Policy                map[string]any    `json:"policy"`
	PolicyDocuments       []DocClass        `json:"policy_documents"`
	RuntimeManifests      []string          `json:"runtime_manifests"`
	RuntimeEvents         []string          `json:"runtime_events"`
	Surfaces              map[string]string `json:"surfaces"`
	Stack                 []Item            `json:"stack"`
	CoverageAccounting    map[string]any    `json:"coverage_accounting"`
	DatabaseIntrospection *Introspection    `json:"database_introspection"`
	Remediation           []Todo            `json:"remediation"`
	GoldenTemplates       []string          `json:"golden_templates"`
	Commands              map[string]string `json:"commands"`
}

// Strict reports whether every stack item is wired.
func (r *Report) Strict() bool {
	for _, it := range r.Stack {
		if it.Status != Wired {
			return false
		}
	}
	return true
}

// Environment describes the machine: no LLM key and no host psql needed.
func Environment() map[string]any {
	_, dockerErr := exec.LookPath("docker")
	return map[string]any{
		"go":                     runtime.Version(),
		"os":                     runtime.GOOS + "/" + runtime.GOARCH,
		"duckdb":                 "embedded",
		"docker":                 dockerErr == nil,
		"requires_llm_api_key":   false,
		"requires_host_psql":     false,
		"postgres_dsn_available": os.Getenv("POLICYSTRATA_PG_DSN") != "" || os.Getenv("POLICYSTRATA_DATABASE_URL") != "",
	}
}

// Run inspects the integration the config describes.
func Run(ctx context.Context, c *config.Config) (*Report, error) {
	d, err := scan.LoadDomain(c)
	if err != nil {
		return nil, err
	}
	cmd := "policystrata scan --config " + c.Path
	r := &Report{Version: "doctor.v1", Environment: Environment(), ConfigPath: c.Path, Domain: c.Domain, DomainPath: c.DomainPath,
		Surfaces: d.Surfaces.Versions, GoldenTemplates: []string{"basic", "postgres_dbt"},
		Commands: map[string]string{"scan": cmd, "doctor_strict": "policystrata doctor --strict --config " + c.Path}}
	if r.Surfaces == nil {
		r.Surfaces = map[string]string{}
	}
	r.Policy = policySummary(d.Policy)
	r.RuntimeManifests, r.RuntimeEvents = nonNil(c.RuntimeManifests.Files), nonNil(c.RuntimeEvents.Files)
	add := func(it Item) {
		if it.Files == nil {
			it.Files = []string{}
		}
		r.Stack = append(r.Stack, it)
	}
	add(Item{ID: "policy_domain", Title: "Canonical policy domain", Status: Wired, Owner: "manifest", Files: domainFiles(c, d),
		Detail: fmt.Sprintf("%d principals, %d roles, %d metrics, %d dimensions", len(d.Policy.Principals), len(d.Policy.Roles), len(d.Policy.Metrics), len(d.Policy.Dimensions))})
	add(surfaceItem(d))
	add(dbtItem(c, d))
	traces, traceItem := tracesItem(c)
	add(traceItem)
	add(tenancyItem(c, d, traces))
	intro, dbItem, rlsItem := databaseItems(ctx, c, d)
	r.DatabaseIntrospection = intro
	add(dbItem)
	add(rlsItem)
	add(assertionsItem(c))
	add(releaseItem(d, traces))
	docs, docItem := policyDocsItem(c, d)
	r.PolicyDocuments = docs
	add(docItem)
	add(promptItem(c, d))
	add(sourceMapItem(c, traces))
	add(exportItem(traces))
	add(ciItem(c))
	if len(c.RuntimeManifests.Files) > 0 {
		add(filesItem(c, "runtime_manifests", "Runtime manifests", "manifest", c.RuntimeManifests.Files))
	}
	if len(c.RuntimeEvents.Files) > 0 {
		add(filesItem(c, "runtime_event_fixtures", "Runtime event fixtures", "release", c.RuntimeEvents.Files))
	}
	r.Remediation = []Todo{}
	for _, it := range r.Stack {
		if it.Status == Wired || it.ID == "policy_domain" || it.ID == "surface_contracts" || it.ID == "dbt_semantic_adapter" {
			continue
		}
		r.Remediation = append(r.Remediation, Todo{ID: "fix_" + it.ID, Title: "Wire " + it.Title, Owner: it.Owner, Files: it.Files,
			Reason: it.Detail, ExpectedTests: []string{"policystrata scan --config " + c.Path}, CIGateCommand: cmd})
	}
	if len(c.DBT.Files) == 0 {
		r.Remediation = append(r.Remediation, Todo{ID: "wire_dbt_semantic_adapter", Title: "Wire the dbt semantic adapter", Owner: "manifest",
			Files: []string{}, Reason: "dbt.files is empty", ExpectedTests: []string{"policystrata check-integration dbt-semantic --path <semantic_models.yml>"}, CIGateCommand: cmd})
	}
	r.CoverageAccounting = coverage(d, traces)
	return r, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func domainFiles(c *config.Config, d *scan.Domain) []string {
	if d.Builtin {
		return []string{"builtin:" + d.Name}
	}
	return []string{filepath.ToSlash(filepath.Join(c.DomainPath, "policy.yaml")), filepath.ToSlash(filepath.Join(c.DomainPath, "surfaces.yaml"))}
}

func policySummary(p *spec.Policy) map[string]any {
	var sensitive []string
	for _, name := range spec.SortedKeys(p.Dimensions) {
		if p.Dimensions[name].Sensitive {
			sensitive = append(sensitive, name)
		}
	}
	limits := map[string]any{}
	for _, name := range spec.SortedKeys(p.Roles) {
		limits[name] = map[string]int{"max_rows": p.Roles[name].MaxRows, "max_cost": p.Roles[name].MaxCost}
	}
	return map[string]any{"principals": len(p.Principals), "roles": len(p.Roles), "metrics": len(p.Metrics), "dimensions": len(p.Dimensions),
		"sensitive_fields": nonNil(sensitive), "limits": limits}
}

func surfaceItem(d *scan.Domain) Item {
	var missing []string
	for _, s := range spec.SurfaceOrder {
		if d.Surfaces.Contracts[s] == nil {
			missing = append(missing, s)
		}
	}
	it := Item{ID: "surface_contracts", Title: "Surface contracts", Owner: "manifest", Status: Wired, Detail: "all six layer contracts are declared"}
	if len(missing) > 0 {
		it.Status, it.Detail = Partial, "missing contracts: "+strings.Join(missing, ", ")
	}
	return it
}

func dbtItem(c *config.Config, d *scan.Domain) Item {
	it := Item{ID: "dbt_semantic_adapter", Title: "dbt semantic adapter", Owner: "manifest", Files: c.DBT.Files}
	if len(c.DBT.Files) == 0 {
		it.Status, it.Detail = Missing, "dbt.files is empty"
		return it
	}
	var problems []string
	for _, f := range c.DBT.Files {
		m, err := dbtsemantic.Load(c.Resolve(f))
		if err != nil {
			it.Status, it.Detail, it.Error = Invalid, "a dbt file does not load", err.Error()
			return it
		}
		if in := dbtsemantic.Inspect(d.Name, f, d.Policy, m); in.Warnings() {
			problems = append(problems, fmt.Sprintf("%s: %d missing/stale metrics, %d missing/stale dimensions, %d expression mismatches, %d sensitive dimensions without metadata",
				f, len(in.MissingMetrics)+len(in.StaleMetrics), len(in.MissingDimensions)+len(in.StaleDimensions), len(in.ExpressionMismatches), len(in.SensitiveMetadataMissing)))
		}
	}
	if len(problems) > 0 {
		it.Status, it.Detail = Partial, strings.Join(problems, "; ")
		return it
	}
	it.Status, it.Detail = Wired, "the semantic models serve every policy metric and dimension with matching expressions and sensitive metadata"
	return it
}

func tracesItem(c *config.Config) ([]*source.Trace, Item) {
	it := Item{ID: "app_sql_traces", Title: "Application SQL traces", Owner: "compiler", Files: c.SQLTraces.Files}
	if len(c.SQLTraces.Files) == 0 {
		it.Status, it.Detail = Missing, "sql_traces.files is empty"
		return nil, it
	}
	if err := source.CheckFiles(c.Dir, c.SQLTraces.Files); err != nil {
		it.Status, it.Detail, it.Error = Invalid, "a trace file is missing", err.Error()
		return nil, it
	}
	var traces []*source.Trace
	for item := range source.Stream(c.Dir, c.SQLTraces.Files) {
		if item.Err != nil {
			it.Status, it.Detail, it.Error = Invalid, "the trace export breaks the contract", item.Err.Error()
			return nil, it
		}
		if len(traces) < 100000 {
			traces = append(traces, item.Trace)
		}
	}
	if len(traces) == 0 {
		it.Status, it.Detail = Partial, "the trace files hold no SQL records"
		return nil, it
	}
	it.Status, it.Detail = Wired, fmt.Sprintf("%d traces load under the trace contract", len(traces))
	return traces, it
}

func tenancyItem(c *config.Config, d *scan.Domain, traces []*source.Trace) Item {
	it := Item{ID: "tenancy", Title: "Tenant scope rules", Owner: "compiler"}
	t := c.Tenancy
	configured := len(t.CanonicalPredicates)+len(t.TenantColumns)+len(t.TableTenantColumns) > 0 || d.Policy.Tenancy.Column != ""
	traced := 0
	for _, tr := range traces {
		if len(tr.TenantIDs) > 0 {
			traced++
		}
	}
	switch {
	case configured && traced == len(traces) && traced > 0:
		it.Status, it.Detail = Wired, "tenancy rules are configured and every trace carries its tenant ids"
	case configured || traced > 0:
		it.Status, it.Detail = Partial, fmt.Sprintf("tenancy configured: %t; traces with tenant ids: %d of %d", configured, traced, len(traces))
	default:
		it.Status, it.Detail = Missing, "no tenancy rule and no tenant ids in the traces"
	}
	return it
}

func assertionsItem(c *config.Config) Item {
	it := Item{ID: "state_assertions", Title: "Database state assertions", Owner: "database"}
	if c.Database != nil && len(c.Database.StateAssertions) > 0 {
		it.Status, it.Detail = Wired, fmt.Sprintf("%d state assertions", len(c.Database.StateAssertions))
	} else {
		it.Status, it.Detail = Missing, "database.state_assertions is empty"
	}
	return it
}

// releaseItem is wired when the traces exercise the release layer on denied
// requests (held back, or released and flagged).
func releaseItem(d *scan.Domain, traces []*source.Trace) Item {
	it := Item{ID: "release_layer_tests", Title: "Release layer tests", Owner: "release"}
	denials, decisions := 0, 0
	for _, tr := range traces {
		if tr.ReleaseAllowed == nil || tr.IR == nil {
			continue
		}
		decisions++
		if !d.Authorize(tr.Principal, tr.IR).Allowed {
			denials++
		}
	}
	switch {
	case denials > 0:
		it.Status, it.Detail = Wired, fmt.Sprintf("%d traces record the release decision on a denied request", denials)
	case decisions > 0:
		it.Status, it.Detail = Partial, "traces record release decisions, but none on a denied request"
	default:
		it.Status, it.Detail = Missing, "no trace records a release decision with its semantic intent"
	}
	return it
}

// DocClass is a policy document and what it was recognized as.
type DocClass struct {
	File        string   `json:"file"`
	Kinds       []string `json:"kinds"`
	Obligations []string `json:"obligations"`
}

func policyDocsItem(c *config.Config, d *scan.Domain) ([]DocClass, Item) {
	it := Item{ID: "policy_docs_ingestion", Title: "Policy documents", Owner: "validator", Files: c.PolicyDocs.Files}
	docs := []DocClass{}
	if len(c.PolicyDocs.Files) == 0 {
		it.Status, it.Detail = Missing, "policy_docs.files is empty"
		return docs, it
	}
	kinds := map[string]bool{}
	obligations := map[string]bool{}
	for _, f := range c.PolicyDocs.Files {
		b, err := os.ReadFile(c.Resolve(f))
		if err != nil {
			it.Status, it.Detail, it.Error = Invalid, "a policy document is missing", err.Error()
			return docs, it
		}
		text := strings.ToLower(string(b))
		dc := DocClass{File: f, Kinds: []string{}, Obligations: []string{}}
		for kind, words := range map[string][]string{"privacy_policy": {"privacy"}, "terms_of_service": {"terms of service", "terms"}, "data_processing": {"data processing", "processor"}, "internal_access": {"internal access", "least privilege"}} {
			for _, w := range words {
				if strings.Contains(text, w) {
					dc.Kinds = append(dc.Kinds, kind)
					kinds[kind] = true
					break
				}
			}
		}
		for _, name := range spec.SortedKeys(d.Policy.Dimensions) {
			if d.Policy.Dimensions[name].Sensitive && strings.Contains(text, name) {
				dc.Obligations = append(dc.Obligations, "protect:"+name)
				obligations[name] = true
			}
		}
		slices.Sort(dc.Kinds)
		docs = append(docs, dc)
	}
	var lacking []string
	for _, k := range []string{"privacy_policy", "terms_of_service"} {
		if !kinds[k] {
			lacking = append(lacking, k)
		}
	}
	if len(obligations) == 0 {
		lacking = append(lacking, "obligations on the policy's sensitive fields")
	}
	if len(lacking) > 0 {
		it.Status, it.Detail = Partial, "missing: "+strings.Join(lacking, ", ")
		return docs, it
	}
	it.Status, it.Detail = Wired, fmt.Sprintf("privacy policy and terms found; obligations on %d sensitive fields", len(obligations))
	return docs, it
}

// promptItem is wired when every name a prompt manifest exposes is a
// policy metric (or one of its aliases) or dimension.
func promptItem(c *config.Config, d *scan.Domain) Item {
	it := Item{ID: "prompt_manifest_checks", Title: "Prompt manifests", Owner: "manifest", Files: c.PromptManifests.Files}
	if len(c.PromptManifests.Files) == 0 {
		it.Status, it.Detail = Missing, "prompt_manifests.files is empty"
		return it
	}
	var unknown []string
	for _, f := range c.PromptManifests.Files {
		b, err := os.ReadFile(c.Resolve(f))
		if err != nil {
			it.Status, it.Detail, it.Error = Invalid, "a prompt manifest is missing", err.Error()
			return it
		}
		var m struct {
			Tools []struct {
				Name       string   `json:"name"`
				Metrics    []string `json:"metrics"`
				Dimensions []string `json:"dimensions"`
			} `json:"model_visible_tools"`
			Prompt struct {
				MetricHints    []string `json:"metric_hints"`
				DimensionHints []string `json:"dimension_hints"`
			} `json:"prompt_components"`
		}
		if err := json.Unmarshal(b, &m); err != nil {
			it.Status, it.Detail, it.Error = Invalid, "a prompt manifest is not JSON", err.Error()
			return it
		}
		check := func(metrics, dims []string) {
			for _, x := range metrics {
				if _, ok := d.ResolveMetric(x); !ok {
					unknown = append(unknown, "metric "+x)
				}
			}
			for _, x := range dims {
				if d.Policy.Dimensions[x] == nil {
					unknown = append(unknown, "dimension "+x)
				}
			}
		}
		for _, t := range m.Tools {
			check(t.Metrics, t.Dimensions)
		}
		check(m.Prompt.MetricHints, m.Prompt.DimensionHints)
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		it.Status, it.Detail = Partial, "exposed names the policy does not define: "+strings.Join(slices.Compact(unknown), ", ")
		return it
	}
	it.Status, it.Detail = Wired, "every exposed metric (or alias) and dimension is a policy name"
	return it
}

// sourceMapItem is wired when every trace source maps to a file.
func sourceMapItem(c *config.Config, traces []*source.Trace) Item {
	it := Item{ID: "source_mapping", Title: "Source maps", Owner: "compiler", Files: c.SourceMaps.Files}
	if len(c.SourceMaps.Files) == 0 {
		it.Status, it.Detail = Missing, "source_maps.files is empty"
		return it
	}
	mapped := map[string]bool{}
	for _, f := range c.SourceMaps.Files {
		b, err := os.ReadFile(c.Resolve(f))
		if err != nil {
			it.Status, it.Detail, it.Error = Invalid, "a source map is missing", err.Error()
			return it
		}
		var m struct {
			Mappings []struct {
				Source string `json:"source"`
				File   string `json:"file"`
			} `json:"mappings"`
		}
		if err := json.Unmarshal(b, &m); err != nil {
			it.Status, it.Detail, it.Error = Invalid, "a source map is not JSON", err.Error()
			return it
		}
		for _, mp := range m.Mappings {
			if mp.Source != "" && mp.File != "" {
				mapped[mp.Source] = true
			}
		}
	}
	var unmapped []string
	for _, tr := range traces {
		if !mapped[tr.Source] {
			unmapped = append(unmapped, tr.Source)
		}
	}
	if len(unmapped) > 0 || len(traces) == 0 {
		slices.Sort(unmapped)
		it.Status, it.Detail = Partial, "trace sources without a mapping: "+strings.Join(slices.Compact(unmapped), ", ")
		return it
	}
	it.Status, it.Detail = Wired, "every trace source maps to a file"
	return it
}

// exportItem is wired when every trace carries what the checks need: the
// semantic intent, tenant ids and the release decision.
func exportItem(traces []*source.Trace) Item {
	it := Item{ID: "export_coverage", Title: "Trace export coverage", Owner: "release"}
	if len(traces) == 0 {
		it.Status, it.Detail = Missing, "no traces"
		return it
	}
	full := 0
	for _, tr := range traces {
		if tr.IR != nil && len(tr.TenantIDs) > 0 && tr.ReleaseAllowed != nil {
			full++
		}
	}
	if full < len(traces) {
		it.Status, it.Detail = Partial, fmt.Sprintf("%d of %d traces carry semantic_ir, tenant_ids and release_allowed", full, len(traces))
		return it
	}
	it.Status, it.Detail = Wired, "every trace carries semantic_ir, tenant_ids and release_allowed"
	return it
}

func ciItem(c *config.Config) Item {
	it := Item{ID: "ci_gate", Title: "CI release gate", Owner: "release", Files: []string{filepath.Base(c.Path)}}
	switch {
	case len(c.Gate.RequiredInputs) > 0 && c.FailOnHighConfidence():
		it.Status, it.Detail = Wired, "the gate fails on high-confidence findings and requires "+strings.Join(c.Gate.RequiredInputs, ", ")
	case c.FailOnHighConfidence():
		it.Status, it.Detail = Partial, "gate.required_inputs is empty: a scan with no inputs passes"
	default:
		it.Status, it.Detail = Missing, "gate.fail_on_high_confidence is off"
	}
	return it
}

func filesItem(c *config.Config, id, title, owner string, files []string) Item {
	it := Item{ID: id, Title: title, Owner: owner, Files: files, Status: Wired, Detail: fmt.Sprintf("%d files", len(files))}
	for _, f := range files {
		if _, err := os.Stat(c.Resolve(f)); err != nil {
			it.Status, it.Detail, it.Error = Invalid, "a file is missing", err.Error()
		}
	}
	return it
}

// coverage counts which policy metrics and principals the traces exercise.
func coverage(d *scan.Domain, traces []*source.Trace) map[string]any {
	metrics, principals := map[string]bool{}, map[string]bool{}
	for _, tr := range traces {
		principals[tr.Principal] = true
		if tr.IR != nil {
			if m, ok := d.ResolveMetric(tr.IR.Metric); ok {
				metrics[m] = true
			}
		}
	}
	return map[string]any{"traces": len(traces), "metrics_exercised": len(metrics), "metrics_total": len(d.Policy.Metrics),
		"principals_exercised": len(principals), "principals_total": len(d.Policy.Principals)}
}
