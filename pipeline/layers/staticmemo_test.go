package layers_test

import (
	"reflect"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/resolve"
)

// TestStaticMemoMatchesRunStatic: through the memo, every stack of the
// catalog and both principals get exactly what RunStatic computes, on the
// first call and on the memo's answer; a stack with its own resolver and
// an unknown principal are computed every time.
func TestStaticMemoMatchesRunStatic(t *testing.T) {
	d, err := domains.Load("support_saas")
	if err != nil {
		t.Fatal(err)
	}
	m := layers.NewStaticMemo(8)
	queries := []string{
		`{"metric":"net_revenue","dimensions":["plan"],"time_range":"last_month"}`,
		`{"metric":"escalated_tickets","dimensions":["customer_email"],"time_range":"last_month"}`,
		`{"metric":"no_such_metric"}`,
	}
	var calls int64
	for _, op := range catalog.Default().For(d) {
		stack, err := catalog.Stack(op.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, principal := range []string{"acme_analyst", "acme_finance_admin"} {
			if d.Policy.Principals[principal] == nil {
				t.Fatalf("support_saas has no principal %s", principal)
			}
			for _, q := range queries {
				want, err := layers.RunStatic(d, stack, principal, []byte(q))
				if err != nil {
					t.Fatal(err)
				}
				for round := range 2 {
					got, err := m.RunStatic(d, stack, principal, []byte(q))
					calls++
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("%s %s %s round %d: memo gave %+v, RunStatic %+v", op.ID, principal, q, round, got, want)
					}
				}
			}
		}
	}
	hits, misses := m.Counts()
	if hits+misses != calls || hits < calls/2 {
		t.Fatalf("hits %d, misses %d over %d calls: want every second call answered", hits, misses, calls)
	}
	// a stack with its own resolver: not memoized (the key does not hold it)
	stack := layers.CorrectStack()
	stack.Resolver = resolve.Standard{}
	h0, m0 := m.Counts()
	for range 2 {
		if _, err := m.RunStatic(d, stack, "acme_analyst", []byte(queries[0])); err != nil {
			t.Fatal(err)
		}
	}
	if h1, m1 := m.Counts(); h1 != h0 || m1 != m0 {
		t.Fatalf("resolver stack counted: hits %d->%d, misses %d->%d", h0, h1, m0, m1)
	}
	// an error is not remembered
	for range 2 {
		if _, err := m.RunStatic(d, layers.CorrectStack(), "nobody", []byte(queries[0])); err == nil {
			t.Fatal("unknown principal: no error")
		}
	}
	// a nil memo computes
	var none *layers.StaticMemo
	if _, err := none.RunStatic(d, layers.CorrectStack(), "acme_analyst", []byte(queries[0])); err != nil {
		t.Fatal(err)
	}
}
