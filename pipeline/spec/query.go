package spec

import (
	"encoding/json"
	"sort"
)

// SemanticQuery is the semantic IR every layer speaks.
type SemanticQuery struct {
	Metric     string            `yaml:"metric" json:"metric"`
	Dimensions []string          `yaml:"dimensions" json:"dimensions"`
	Filters    map[string]string `yaml:"filters" json:"filters"`
	TimeRange  string            `yaml:"time_range" json:"time_range"`
	Grain      string            `yaml:"grain" json:"grain"`
	Limit      int               `yaml:"limit" json:"limit"`
}

// DefaultLimit is the row limit of a query that gives none.
const DefaultLimit = 100

// Normalized returns a copy with defaults applied, dimensions kept in
// request order, and empty collections made non-nil so serialization is
// stable.
func (q SemanticQuery) Normalized() SemanticQuery {
	out := q
	out.Dimensions = append([]string{}, q.Dimensions...)
	out.Filters = map[string]string{}
	for k, v := range q.Filters {
		out.Filters[k] = v
	}
	if out.TimeRange == "" {
		out.TimeRange = "last_month"
	}
	if out.Grain == "" {
		out.Grain = "month"
	}
	if out.Limit == 0 {
		out.Limit = DefaultLimit
	}
	return out
}

// Key is a canonical, injective string for the query (dimensions sorted,
// filters keyed), used for disjointness checks, caches and comparisons.
func (q SemanticQuery) Key() string {
	dims := append([]string{}, q.Dimensions...)
	sort.Strings(dims)
	filters := q.Filters
	if filters == nil {
		filters = map[string]string{}
	}
	b, _ := json.Marshal(struct {
		M string            `json:"m"`
		D []string          `json:"d"`
		F map[string]string `json:"f"`
		T string            `json:"t"`
		G string            `json:"g"`
		L int               `json:"l"`
	}{q.Metric, dims, filters, q.TimeRange, q.Grain, q.Limit})
	return string(b)
}

// Task is one benchmark case.
type Task struct {
	ID                       string            `json:"id"`
	Domain                   string            `json:"domain"`
	Suite                    string            `json:"suite"`
	Principal                string            `json:"principal"`
	Request                  string            `json:"request"`
	Mutation                 string            `json:"mutation"`
	SemanticQuery            SemanticQuery     `json:"semantic_query"`
	SurfaceVersions          map[string]string `json:"surface_versions"`
	ExpectedWitnessClass     string            `json:"expected_witness_class,omitempty"`
	ExpectedLocalizedSurface string            `json:"expected_localized_surface,omitempty"`
	ExpectedContainmentLayer string            `json:"expected_containment_layer,omitempty"`
	// Source locates the task in its suite file (path:line) for messages.
	Source string `json:"-"`
}

// SemanticPatch overrides some fields of a semantic query (matrix variants).
type SemanticPatch struct {
	Metric     *string           `yaml:"metric"`
	Dimensions *[]string         `yaml:"dimensions"`
	Filters    map[string]string `yaml:"filters"`
	TimeRange  *string           `yaml:"time_range"`
	Limit      *int              `yaml:"limit"`
}

// Apply returns q with the patch's set fields replaced.
func (p SemanticPatch) Apply(q SemanticQuery) SemanticQuery {
	if p.Metric != nil {
		q.Metric = *p.Metric
	}
	if p.Dimensions != nil {
		q.Dimensions = append([]string{}, (*p.Dimensions)...)
	}
	if p.Filters != nil {
		q.Filters = p.Filters
	}
	if p.TimeRange != nil {
		q.TimeRange = *p.TimeRange
	}
	if p.Limit != nil {
		q.Limit = *p.Limit
	}
	return q
}
