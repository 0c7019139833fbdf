package state_test

import (
	"math/rand/v2"
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

// closedSubset keeps each base row of st with probability p when every row
// its foreign keys reference is kept (tables in an order that puts a
// referenced table first, found by repeated passes), so the subset is
// closed under foreign keys.
func closedSubset(t *testing.T, d *spec.Domain, st *state.State, rng *rand.Rand, p float64) map[string][]int {
	t.Helper()
	keep := map[string][]int{}
	kept := map[string]map[any]bool{}
	done := map[string]bool{}
	for pass := 0; len(done) < len(d.Schema.Tables) && pass <= len(d.Schema.Tables); pass++ {
		for _, tb := range d.Schema.Tables {
			if done[tb.Name] {
				continue
			}
			if tb.MaterializedView != nil {
				done[tb.Name] = true
				continue
			}
			ready := true
			for _, fk := range tb.ForeignKeys {
				rt, _, _ := spec.SplitQualified(fk.References)
				if rt != tb.Name && !done[rt] {
					ready = false
				}
			}
			if !ready {
				continue
			}
			tab := st.Table(tb.Name)
			kept[tb.Name] = map[any]bool{}
			for i, r := range tab.Rows {
				ok := rng.Float64() < p
				for _, fk := range tb.ForeignKeys {
					rt, rc, _ := spec.SplitQualified(fk.References)
					v := r[tab.Col(fk.Column)]
					if v == nil || rt == tb.Name {
						continue
					}
					if rc != d.Schema.Table(rt).PrimaryKey || !kept[rt][v] {
						ok = false
					}
				}
				if ok {
					keep[tb.Name] = append(keep[tb.Name], i)
					kept[tb.Name][r[tab.PK]] = true
				}
			}
			done[tb.Name] = true
		}
	}
	if len(done) < len(d.Schema.Tables) {
		t.Fatalf("%s: no order of tables puts referenced tables first", d.Name)
	}
	return keep
}

// TestSubsetIsFromRows: for subsets of every built-in domain's state
// (none, some, all rows, closed under foreign keys), Subset gives the state
// FromRows builds from the same rows: rows, owners, keys and materialized
// views.
func TestSubsetIsFromRows(t *testing.T) {
	for _, name := range domains.Names() {
		t.Run(name, func(t *testing.T) {
			d, st := seeded(t, name, 7)
			base := st.BaseRows(d)
			rng := rand.New(rand.NewPCG(1, 2))
			for _, p := range []float64{0, 0.05, 0.5, 0.9, 1} {
				keep := closedSubset(t, d, st, rng, p)
				rows := map[string][][]any{}
				for tb, ix := range keep {
					for _, i := range ix {
						rows[tb] = append(rows[tb], base[tb][i])
					}
				}
				want, err := state.FromRows(d, rows)
				if err != nil {
					t.Fatalf("p=%v: FromRows: %v", p, err)
				}
				got, err := st.Subset(d, keep)
				if err != nil {
					t.Fatalf("p=%v: Subset: %v", p, err)
				}
				if diff := cmp.Diff(want, got, cmp.AllowUnexported(state.State{}, state.Table{})); diff != "" {
					t.Fatalf("p=%v: Subset differs from FromRows (-want +got):\n%s", p, diff)
				}
			}
			if _, err := st.Subset(d, map[string][]int{d.Schema.Tables[0].Name: {1 << 30}}); err == nil {
				t.Fatal("a row index past the table: no error")
			}
		})
	}
}
