package layers_test

import (
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/layers"
)

// FuzzGrammar feeds arbitrary model output to the grammar: it never panics,
// an accepted intent always has a metric, a time range and a positive limit.
func FuzzGrammar(f *testing.F) {
	d, err := domains.Load("support_saas")
	if err != nil {
		f.Fatal(err)
	}
	doc := layers.Manifest(layers.Correct, d.Policy, "acme_analyst")
	f.Add([]byte(`{"metric":"tickets","dimensions":["region"],"time_range":"last_month","limit":10}`))
	f.Add([]byte(`{"metric":"bookings","filters":{"tenant_id":"beta"},"time_range":"x","limit":1}`))
	f.Add([]byte(`{"metric":1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, intent []byte) {
		for _, v := range layers.Variants("grammar") {
			g := layers.Grammar(v, d.Policy, doc, intent)
			if g.Accepted && (g.Query == nil || g.Query.Metric == "" || g.Query.TimeRange == "" || g.Query.Limit < 1) {
				t.Fatalf("accepted malformed intent %q as %+v", intent, g.Query)
			}
			if !g.Accepted && g.Error == "" {
				t.Fatalf("rejected %q without a reason", intent)
			}
		}
	})
}
