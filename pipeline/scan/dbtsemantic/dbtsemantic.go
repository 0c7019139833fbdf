// Package dbtsemantic reads dbt semantic models (MetricFlow YAML:
// semantic_models with entities, measures and dimensions, and metrics) and
// compares them with a canonical policy: which policy metrics and
// dimensions the models serve, which they declare that the policy lacks,
// whether measure expressions agree with the policy's metric expressions,
// and whether sensitive dimensions carry sensitive metadata.
package dbtsemantic

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// File is a dbt semantic-layer YAML file (unknown keys are ignored: dbt
// projects carry many more).
type File struct {
	SemanticModels []Model  `yaml:"semantic_models"`
	Metrics        []Metric `yaml:"metrics"`
}

// Model is one semantic model.
type Model struct {
	Name       string      `yaml:"name"`
	Model      string      `yaml:"model"`
	Entities   []Entity    `yaml:"entities"`
	Measures   []Measure   `yaml:"measures"`
	Dimensions []Dimension `yaml:"dimensions"`
}

// Entity is a join key of a model.
type Entity struct {
	Name string `yaml:"name"`
	Type string `yaml:"type"`
	Expr string `yaml:"expr"`
}

// Measure is an aggregation of a model.
type Measure struct {
	Name         string `yaml:"name"`
	Agg          string `yaml:"agg"`
	Expr         any    `yaml:"expr"`
	CreateMetric bool   `yaml:"create_metric"`
}

// Dimension is a grouping attribute of a model.
type Dimension struct {
	Name string         `yaml:"name"`
	Type string         `yaml:"type"`
	Expr any            `yaml:"expr"`
	Meta map[string]any `yaml:"meta"`
}

// Metric is a declared metric.
type Metric struct {
	Name       string `yaml:"name"`
	Type       string `yaml:"type"`
	TypeParams struct {
		Measure any `yaml:"measure"`
	} `yaml:"type_params"`
}

// Load reads a dbt semantic-model file.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, strictyaml.Errorf(path, 0, "dbt file does not exist")
		}
		return nil, fmt.Errorf("load dbt: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes dbt semantic-model YAML read from path.
func Parse(path string, data []byte) (*File, error) {
	var f File
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, strictyaml.Errorf(path, 0, "dbt semantic models: %v", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return &f, nil
}

// Inspection is what the models say about the policy.
type Inspection struct {
	Domain                   string     `json:"domain"`
	Path                     string     `json:"path"`
	MatchedMetrics           []string   `json:"matched_metrics"`
	MissingMetrics           []string   `json:"missing_metrics"`
	StaleMetrics             []string   `json:"stale_metrics"`
	MatchedDimensions        []string   `json:"matched_dimensions"`
	MissingDimensions        []string   `json:"missing_dimensions"`
	StaleDimensions          []string   `json:"stale_dimensions"`
	ExpressionMismatches     []Mismatch `json:"expression_mismatches"`
	SensitiveMetadataMissing []string   `json:"sensitive_metadata_missing"`
	MissingLineage           []string   `json:"missing_lineage"`
	Lineage                  []string   `json:"lineage"`
}

// Mismatch is a measure whose expression is not the policy metric's.
type Mismatch struct {
	Metric           string `json:"metric"`
	DBTExpression    string `json:"dbt_expression"`
	PolicyExpression string `json:"policy_expression"`
}

// Warnings reports whether any warning list is non-empty (matched names
// and lineage do not count).
func (in *Inspection) Warnings() bool {
	return len(in.MissingMetrics)+len(in.StaleMetrics)+len(in.MissingDimensions)+len(in.StaleDimensions)+
		len(in.ExpressionMismatches)+len(in.SensitiveMetadataMissing) > 0
}

var nonIdent = regexp.MustCompile(`[^a-z0-9._]+`)

func norm(s string) string { return nonIdent.ReplaceAllString(strings.ToLower(s), "") }

func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case map[string]any:
		if n, ok := x["name"].(string); ok {
			return n
		}
	}
	return fmt.Sprint(v)
}

// sensitive reports meta.sensitive or meta.policystrata.sensitive.
func sensitive(meta map[string]any) bool {
	if b, ok := meta["sensitive"].(bool); ok && b {
		return true
	}
	if ps, ok := meta["policystrata"].(map[string]any); ok {
		if b, ok := ps["sensitive"].(bool); ok && b {
			return true
		}
	}
	return false
}

// Inspect compares the models with the policy. A policy metric is served
// by a dbt metric or measure of its name; a declared metric (or a
// create_metric measure) the policy lacks is stale. Dimensions resolve by
// name, `entity__dimension` and entity names (metric_time serves time
// buckets). A measure's expression (its name when omitted), reduced to
// [a-z0-9._], must occur in the policy expression or equal one of the
// metric's columns or column tails.
func Inspect(domain, path string, p *spec.Policy, f *File) *Inspection {
	in := &Inspection{Domain: domain, Path: path}
	measures := map[string]Measure{}
	dims := map[string]Dimension{}
	entities := map[string]bool{}
	for _, m := range f.SemanticModels {
		if strings.TrimSpace(m.Model) == "" {
			in.MissingLineage = append(in.MissingLineage, m.Name)
		} else {
			in.Lineage = append(in.Lineage, m.Name+" <- "+m.Model)
		}
		for _, ms := range m.Measures {
			measures[ms.Name] = ms
		}
		for _, d := range m.Dimensions {
			dims[d.Name] = d
		}
		for _, e := range m.Entities {
			entities[e.Name] = true
		}
	}
	declared := map[string]Metric{}
	for _, m := range f.Metrics {
		declared[m.Name] = m
	}
	for _, name := range spec.SortedKeys(p.Metrics) {
		_, isMetric := declared[name]
		ms, isMeasure := measures[name]
		if !isMetric && !isMeasure {
			in.MissingMetrics = append(in.MissingMetrics, name)
			continue
		}
		in.MatchedMetrics = append(in.MatchedMetrics, name)
		if isMetric && !isMeasure {
			if mn := text(declared[name].TypeParams.Measure); mn != "" {
				ms, isMeasure = measures[mn]
			}
		}
		if !isMeasure {
			continue
		}
		expr := text(ms.Expr)
		if expr == "" {
			expr = ms.Name
		}
		if !exprAgrees(norm(expr), p.Metrics[name]) {
			in.ExpressionMismatches = append(in.ExpressionMismatches, Mismatch{Metric: name, DBTExpression: expr, PolicyExpression: p.Metrics[name].Expression})
		}
	}
	stale := map[string]bool{}
	for name := range declared {
		if p.Metrics[name] == nil {
			stale[name] = true
		}
	}
	for name, ms := range measures {
		if ms.CreateMetric && p.Metrics[name] == nil {
			stale[name] = true
		}
	}
	in.StaleMetrics = sortedSet(stale)
	served := func(name string) (Dimension, bool) {
		if d, ok := dims[name]; ok {
			return d, true
		}
		if ent, dim, ok := strings.Cut(name, "__"); ok && entities[ent] {
			d, ok := dims[dim]
			return d, ok
		}
		return Dimension{}, entities[name]
	}
	for _, name := range spec.SortedKeys(p.Dimensions) {
		d, ok := served(name)
		if !ok && p.Dimensions[name].Bucket != "" {
			_, ok = dims["metric_time"]
			ok = ok || len(dims) > 0 && hasTime(dims)
		}
		if !ok {
			in.MissingDimensions = append(in.MissingDimensions, name)
			continue
		}
		in.MatchedDimensions = append(in.MatchedDimensions, name)
		if p.Dimensions[name].Sensitive && !sensitive(d.Meta) {
			in.SensitiveMetadataMissing = append(in.SensitiveMetadataMissing, name)
		}
	}
	staleDims := map[string]bool{}
	for name, d := range dims {
		if p.Dimensions[name] == nil && d.Type != "time" && name != "metric_time" {
			staleDims[name] = true
		}
	}
	in.StaleDimensions = sortedSet(staleDims)
	for _, l := range []*[]string{&in.MatchedMetrics, &in.MissingMetrics, &in.StaleMetrics, &in.MatchedDimensions, &in.MissingDimensions, &in.StaleDimensions, &in.SensitiveMetadataMissing, &in.MissingLineage, &in.Lineage} {
		if *l == nil {
			*l = []string{}
		}
		sort.Strings(*l)
	}
	if in.ExpressionMismatches == nil {
		in.ExpressionMismatches = []Mismatch{}
	}
	return in
}

func hasTime(dims map[string]Dimension) bool {
	for _, d := range dims {
		if d.Type == "time" {
			return true
		}
	}
	return false
}

func exprAgrees(expr string, m *spec.Metric) bool {
	if expr == "" {
		return false
	}
	if strings.Contains(norm(m.Expression), expr) {
		return true
	}
	for _, c := range m.Columns {
		c = strings.ToLower(c)
		if c == expr || strings.HasSuffix(c, "."+expr) {
			return true
		}
	}
	return false
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
