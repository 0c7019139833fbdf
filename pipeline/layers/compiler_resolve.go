package layers

import (
	"errors"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// unresolved lists, as kind:name in request order, the names of in the
// compiler has no definition for: the metric the validator resolved, the
// dimensions, the filters and the time range (the compiler's own calendar
// arithmetic has no window for it).
func unresolved(d *spec.Domain, in CompileInput) []string {
	p := d.Policy
	var out []string
	if p.Metrics[in.Metric] == nil {
		out = append(out, "metric:"+in.Metric)
	}
	for _, name := range in.Query.Dimensions {
		if p.Dimensions[name] == nil {
			out = append(out, "dimension:"+name)
		}
	}
	for _, name := range spec.SortedKeys(in.Query.Filters) {
		if p.Dimensions[name] == nil {
			out = append(out, "filter:"+name)
		}
	}
	if _, err := compilerWindow(p.Calendar, in.Query.TimeRange, false); errors.Is(err, errUnknownRange) {
		out = append(out, "time_range:"+in.Query.TimeRange)
	}
	return out
}
