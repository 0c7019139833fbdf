package layers

import (
	"fmt"

	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// attributionDenials are the validator's reasons to refuse q on metric
// because a dimension or filter cannot be attached to the metric's rows: no
// join path reaches its table, or more than one ranks first (the compiler
// would pick one by table name, which says nothing about the rows meant).
func attributionDenials(r resolve.Resolver, d *spec.Domain, metric string, q spec.SemanticQuery) []string {
	m := d.Policy.Metrics[metric]
	if m == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, name := range append(append([]string{}, q.Dimensions...), spec.SortedKeys(q.Filters)...) {
		dim := d.Policy.Dimensions[name]
		if dim == nil || dim.Source == "" || seen[name] {
			continue
		}
		seen[name] = true
		t, _, err := spec.SplitQualified(dim.Source)
		if err != nil {
			continue
		}
		if _, ok := r.Path(d.Schema, m.Table, t); !ok {
			out = append(out, fmt.Sprintf("%s cannot be joined to metric %s: no join path from %s to %s", name, metric, m.Table, t))
		} else if r.Ambiguous(d.Schema, m.Table, t) {
			out = append(out, fmt.Sprintf("%s is joined to metric %s ambiguously: %s reaches %s by more than one equally short join path", name, metric, m.Table, t))
		}
	}
	return out
}
