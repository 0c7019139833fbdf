package state_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// seeded loads built-in domain name and generates its state from seed.
func seeded(t *testing.T, name string, seed uint64) (*spec.Domain, *state.State) {
	t.Helper()
	d, err := domains.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	st, err := state.GenerateSeed(d, seed)
	if err != nil {
		t.Fatal(err)
	}
	return d, st
}

// TestFromRowsRoundTrip rebuilds every built-in domain's state from its base
// rows: owners and materialized-view rows are derived again, identically.
func TestFromRowsRoundTrip(t *testing.T) {
	for _, name := range domains.Names() {
		t.Run(name, func(t *testing.T) {
			d, st := seeded(t, name, 7)
			got, err := state.FromRows(d, st.BaseRows(d))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range st.Tables {
				g := got.Table(want.Name)
				if diff := cmp.Diff(want.Rows, g.Rows); diff != "" {
					t.Errorf("%s rows (-want +got):\n%s", want.Name, diff)
				}
				if diff := cmp.Diff(want.Owner, g.Owner); diff != "" {
					t.Errorf("%s owners (-want +got):\n%s", want.Name, diff)
				}
			}
		})
	}
}

// TestFromRowsErrors: a dangling owner reference, a repeated key, a short
// row and an unknown table are errors, not states.
func TestFromRowsErrors(t *testing.T) {
	d, st := seeded(t, "support_saas", 7)
	cases := map[string]func(map[string][][]any){
		"dangling":  func(r map[string][][]any) { r["tenants"] = nil },
		"duplicate": func(r map[string][][]any) { r["accounts"] = append(r["accounts"], r["accounts"][0]) },
		"short row": func(r map[string][][]any) { r["accounts"][0] = r["accounts"][0][:1] },
		"unknown":   func(r map[string][][]any) { r["nope"] = nil },
	}
	for name, mut := range cases {
		t.Run(name, func(t *testing.T) {
			rows := st.BaseRows(d)
			mut(rows)
			if _, err := state.FromRows(d, rows); err == nil {
				t.Fatal("FromRows accepted a broken state")
			}
		})
	}
}
