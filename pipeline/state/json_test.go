package state_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/state"
)

// Every built-in domain's base rows survive EncodeRows, JSON and
// DecodeRows with their Go types (int64, string, bool, dates and
// timestamps as time.Time, nil), so a witness's state rebuilds exactly.
func TestEncodeRowsRoundTrip(t *testing.T) {
	for _, name := range domains.Names() {
		t.Run(name, func(t *testing.T) {
			d, st := seeded(t, name, 11)
			rows := st.BaseRows(d)
			enc, err := state.EncodeRows(d, rows)
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(enc)
			if err != nil {
				t.Fatal(err)
			}
			var back []state.EncodedTable
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			got, err := state.DecodeRows(d, back)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(rows, got); diff != "" {
				t.Fatalf("rows changed (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeRowsErrors(t *testing.T) {
	d, err := domains.Load("support_saas")
	if err != nil {
		t.Fatal(err)
	}
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	for _, tc := range []struct {
		name string
		in   []state.EncodedTable
	}{
		{"unknown table", []state.EncodedTable{{Table: "nope"}}},
		{"columns out of order", []state.EncodedTable{{Table: "tenants", Columns: []string{"name", "id", "legacy_id"}}}},
		{"short row", []state.EncodedTable{{Table: "tenants", Columns: []string{"id", "name", "legacy_id"}, Rows: [][]json.RawMessage{{raw(`"a"`)}}}}},
		{"wrong type", []state.EncodedTable{{Table: "tenants", Columns: []string{"id", "name", "legacy_id"}, Rows: [][]json.RawMessage{{raw(`1`), raw(`"n"`), raw(`"l"`)}}}}},
		{"twice", []state.EncodedTable{{Table: "tenants", Columns: []string{"id", "name", "legacy_id"}}, {Table: "tenants", Columns: []string{"id", "name", "legacy_id"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := state.DecodeRows(d, tc.in); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// Cascade keeps foreign keys whole: dropping a tenant drops its accounts,
// their subscriptions, invoices, tickets and events, and nothing else.
func TestCascade(t *testing.T) {
	d, st := seeded(t, "support_saas", 7)
	rows := st.BaseRows(d)
	gone := rows["tenants"][0][0]
	got := state.Cascade(d, rows, func(table string, i int) bool {
		return table != "tenants" || rows["tenants"][i][0] != gone
	})
	if _, err := state.FromRows(d, got); err != nil {
		t.Fatalf("cascaded rows do not build a state: %v", err)
	}
	full, _ := state.FromRows(d, rows)
	for _, tab := range full.Tables {
		want := 0
		for _, o := range tab.Owner {
			if o != gone {
				want++
			}
		}
		if tab.Name == "tenants" {
			want = len(tab.Rows) - 1
		}
		if n := len(got[tab.Name]); n != want {
			t.Errorf("%s: kept %d rows, want %d (those %v does not own)", tab.Name, n, want, gone)
		}
	}
	all := state.Cascade(d, rows, func(string, int) bool { return true })
	if diff := cmp.Diff(rows, all); diff != "" {
		t.Errorf("keeping everything changed rows:\n%s", diff)
	}
}
