package aimstate_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/aimstate"
	"github.com/policystrata/policystrata/pipeline/cell"
	"github.com/policystrata/policystrata/pipeline/state"
)

// TestDeriveEveryDomain: every derivation builds a valid state for every
// built-in domain (foreign keys whole, owners derived), deterministically,
// and each one really changes the base state in the way it is aimed.
func TestDeriveEveryDomain(t *testing.T) {
	for _, name := range domains.Names() {
		t.Run(name, func(t *testing.T) {
			d, err := domains.Load(name)
			if err != nil {
				t.Fatal(err)
			}
			base, err := state.GenerateSeed(d, 11)
			if err != nil {
				t.Fatal(err)
			}
			got, err := aimstate.Derive(d, base)
			if err != nil {
				t.Fatal(err)
			}
			again, err := aimstate.Derive(d, base)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(aimstate.Names()) {
				t.Fatalf("%d states, want %d", len(got), len(aimstate.Names()))
			}
			for i, a := range got {
				if a.Name != aimstate.Names()[i] || a.Doc == "" {
					t.Errorf("state %d: %q", i, a.Name)
				}
				if fingerprint(a.State) == fingerprint(base) {
					t.Errorf("%s: identical to the base state", a.Name)
				}
				if fingerprint(a.State) != fingerprint(again[i].State) {
					t.Errorf("%s: not deterministic", a.Name)
				}
			}
			byName := map[string]*state.State{}
			for _, a := range got {
				byName[a.Name] = a.State
			}
			ten := d.Policy.Tenancy
			tbl, col, _ := splitQ(ten.Column)
			moved := byName["moved_owners"].Table(tbl)
			b := base.Table(tbl)
			changed := 0
			for i := range b.Rows {
				if cell.Format(b.Rows[i][b.Col(col)]) != cell.Format(moved.Rows[i][moved.Col(col)]) {
					changed++
					if moved.Owner[i] == b.Owner[i] {
						t.Errorf("moved_owners: row %d changed tenant column but kept its owner", i)
					}
				}
			}
			if changed == 0 {
				t.Error("moved_owners moved no row")
			}
			if n := byName["duplicated_rows"].RowCount(); n <= base.RowCount() {
				t.Errorf("duplicated_rows: %d rows, base %d", n, base.RowCount())
			}
		})
	}
}

func splitQ(q string) (string, string, bool) {
	i := slices.Index([]byte(q), '.')
	return q[:i], q[i+1:], i > 0
}

func fingerprint(st *state.State) string {
	var out strings.Builder
	for _, t := range st.Tables {
		for i, r := range t.Rows {
			for _, v := range r {
				out.WriteString(cell.Format(v) + ",")
			}
			out.WriteString(t.Owner[i] + ";")
		}
		out.WriteString("|")
	}
	return out.String()
}
