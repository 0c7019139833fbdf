package oracle

import (
	"sort"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// vocabulary is the oracle's own index of the policy's metric names: every
// canonical name maps to itself, every alias to the metric that declares
// it. A word two metrics claim (an alias declared twice, or an alias that
// is another metric's name) names nothing: the canonical policy cannot say
// which metric it means. Domain loading rejects such policies; the oracle
// does not rely on that.
type vocabulary struct {
	metric map[string]string
	alias  map[string]bool
}

// newVocabulary indexes p's metric names and aliases.
func newVocabulary(p *spec.Policy) vocabulary {
	v := vocabulary{metric: map[string]string{}, alias: map[string]bool{}}
	claims := map[string][]string{}
	names := make([]string, 0, len(p.Metrics))
	for name := range p.Metrics {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		claims[name] = append(claims[name], name)
		for _, a := range p.Metrics[name].Aliases {
			if a != name {
				claims[a] = append(claims[a], name)
			}
		}
	}
	for word, metrics := range claims {
		if len(metrics) != 1 {
			continue
		}
		v.metric[word] = metrics[0]
		v.alias[word] = word != metrics[0]
	}
	return v
}

// lookup resolves word to its canonical metric and reports whether word was
// an alias.
func (v vocabulary) lookup(word string) (metric string, alias, ok bool) {
	m, ok := v.metric[word]
	return m, v.alias[word], ok
}
