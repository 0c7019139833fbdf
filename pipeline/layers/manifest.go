package layers

import (
	"slices"
	"sort"

	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// ManifestStaleAliases builds aliases from the pre-restriction alias table:
// every alias in the catalog is advertised as a usable metric name, including
// aliases of metrics the principal's role may no longer use.
const ManifestStaleAliases = "stale_aliases"

// Manifest builds the capability document principal's model sees.
func Manifest(variant string, p *spec.Policy, principal string) observe.Manifest {
	pr := p.Principals[principal]
	doc := observe.Manifest{Principal: principal, Metrics: []observe.ManifestMetric{}, Dimensions: []string{}, TimeRanges: []string{}}
	if pr == nil {
		return doc
	}
	role := p.Roles[pr.Role]
	listed := map[string]bool{}
	for _, name := range spec.SortedKeys(p.Metrics) {
		m := p.Metrics[name]
		if !slices.Contains(role.AllowedMetrics, name) || !slices.Contains(m.AllowedRoles, pr.Role) {
			continue
		}
		doc.Metrics = append(doc.Metrics, observe.ManifestMetric{Name: name, Aliases: append([]string{}, m.Aliases...)})
		listed[name] = true
	}
	if variant == ManifestStaleAliases {
		for _, name := range spec.SortedKeys(p.Metrics) {
			if listed[name] {
				continue
			}
			for _, a := range p.Metrics[name].Aliases {
				doc.Metrics = append(doc.Metrics, observe.ManifestMetric{Name: a, Aliases: []string{}})
			}
		}
		sort.Slice(doc.Metrics, func(i, j int) bool { return doc.Metrics[i].Name < doc.Metrics[j].Name })
	}
	for _, name := range spec.SortedKeys(p.Dimensions) {
		if slices.Contains(role.AllowedDimensions, name) && slices.Contains(p.Dimensions[name].AllowedRoles, pr.Role) {
			doc.Dimensions = append(doc.Dimensions, name)
		}
	}
	doc.TimeRanges = append(doc.TimeRanges, role.AllowedTimeRanges...)
	sort.Strings(doc.TimeRanges)
	doc.MaxRows = role.MaxRows
	return doc
}
