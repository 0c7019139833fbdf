package layers

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"

	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// Grammar variants.
const (
	// GrammarAllDimensions builds the dimension enum from the whole policy
	// instead of the manifest, so the model may ask for forbidden dimensions.
	GrammarAllDimensions = "all_dimensions"
	// GrammarDropFilters has no filter clause in its schema and silently
	// discards the filters of an intent.
	GrammarDropFilters = "drop_filters"
)

// Intent is the tool call a model emits; the grammar parses its JSON.
type Intent struct {
	Metric     string            `json:"metric"`
	Dimensions []string          `json:"dimensions"`
	Filters    map[string]string `json:"filters"`
	TimeRange  string            `json:"time_range"`
	Grain      string            `json:"grain"`
	Limit      int               `json:"limit"`
}

// IntentJSON serializes a semantic query as the model's tool call.
func IntentJSON(q spec.SemanticQuery) []byte {
	b, _ := json.Marshal(Intent{q.Metric, q.Dimensions, q.Filters, q.TimeRange, q.Grain, q.Limit})
	return b
}

// GrammarSchemaFor derives the intent language from the manifest (or, for
// the faulty variant, partly from the policy).
func GrammarSchemaFor(variant string, p *spec.Policy, doc observe.Manifest) observe.GrammarSchema {
	s := observe.GrammarSchema{Metrics: doc.Names(), Dimensions: append([]string{}, doc.Dimensions...), TimeRanges: append([]string{}, doc.TimeRanges...)}
	if variant == GrammarAllDimensions {
		s.Dimensions = spec.SortedKeys(p.Dimensions)
	}
	sort.Strings(s.Metrics)
	sort.Strings(s.Dimensions)
	return s
}

// Grammar parses the model's intent. The schema it advertises for
// constrained decoding is derived from the manifest; parsing itself keeps the
// untrusted intent intact for the validator: a well-formed intent is accepted
// even when it names capabilities outside the schema (they are listed in
// OutsideSchema), and only malformed intents are rejected.
func Grammar(variant string, p *spec.Policy, doc observe.Manifest, intent []byte) observe.Grammar {
	out := observe.Grammar{Schema: GrammarSchemaFor(variant, p, doc), OutsideSchema: []string{}}
	var in Intent
	dec := json.NewDecoder(bytes.NewReader(intent))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		out.Error = "intent is not valid JSON for the query tool: " + err.Error()
		return out
	}
	switch {
	case in.Metric == "":
		out.Error = "intent names no metric"
		return out
	case in.Limit < 1:
		out.Error = "limit must be a positive integer"
		return out
	case in.TimeRange == "":
		out.Error = "intent names no time range"
		return out
	}
	if !slices.Contains(out.Schema.Metrics, in.Metric) {
		out.OutsideSchema = append(out.OutsideSchema, "metric:"+in.Metric)
	}
	for _, d := range in.Dimensions {
		if !slices.Contains(out.Schema.Dimensions, d) {
			out.OutsideSchema = append(out.OutsideSchema, "dimension:"+d)
		}
	}
	for _, f := range spec.SortedKeys(in.Filters) {
		if !slices.Contains(out.Schema.Dimensions, f) {
			out.OutsideSchema = append(out.OutsideSchema, "filter:"+f)
		}
	}
	if !slices.Contains(out.Schema.TimeRanges, in.TimeRange) {
		out.OutsideSchema = append(out.OutsideSchema, "time_range:"+in.TimeRange)
	}
	if variant == GrammarDropFilters {
		in.Filters = nil
	}
	q := spec.SemanticQuery{Metric: in.Metric, Dimensions: in.Dimensions, Filters: in.Filters, TimeRange: in.TimeRange, Grain: in.Grain, Limit: in.Limit}.Normalized()
	out.Accepted = true
	out.Query = &q
	return out
}
