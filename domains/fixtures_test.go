package domains_test

import (
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/state"
)

// TestGrantsMatchPolicy: every built-in domain's per-role column grants are
// exactly the columns the canonical policy lets the role read (the oracle's
// AllowedColumns): a missing grant makes the database refuse authorized
// queries, an extra one exposes a column the policy withholds.
func TestGrantsMatchPolicy(t *testing.T) {
	for _, name := range domains.Names() {
		t.Run(name, func(t *testing.T) {
			d, err := domains.Load(name)
			if err != nil {
				t.Fatal(err)
			}
			st, err := state.Generate(d)
			if err != nil {
				t.Fatal(err)
			}
			o := oracle.New(d, st)
			for role := range d.Policy.Roles {
				var want []string
				for c := range o.AllowedColumns(role) {
					want = append(want, c)
				}
				got := append([]string{}, d.Schema.Grants[role]...)
				sort.Strings(want)
				sort.Strings(got)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("grants for %s:\n got %v\nwant %v", role, got, want)
				}
			}
		})
	}
}

// TestFinanceStateEdgeCases pins the rows of the finance_saas state that
// kill mutants, so an edit of state.yaml cannot silently weaken it.
func TestFinanceStateEdgeCases(t *testing.T) {
	d, err := domains.Load("finance_saas")
	if err != nil {
		t.Fatal(err)
	}
	st, err := state.Generate(d)
	if err != nil {
		t.Fatal(err)
	}
	col := func(tab *state.Table, c string) int {
		i := tab.Col(c)
		if i < 0 {
			t.Fatalf("%s has no column %s", tab.Name, c)
		}
		return i
	}
	firms := st.Table("firms")
	legacyOf := map[string]string{}
	for _, r := range firms.Rows {
		legacyOf[r[col(firms, "id")].(string)] = r[col(firms, "legacy_id")].(string)
	}
	if len(firms.Rows) < 3 {
		t.Errorf("%d firms, want at least three", len(firms.Rows))
	}

	// households that moved firms, in both directions, and one without a legacy code
	hh := st.Table("households")
	moved := map[[2]string]bool{}
	noLegacy := 0
	for _, r := range hh.Rows {
		cur := r[col(hh, "firm_id")].(string)
		leg, ok := r[col(hh, "legacy_firm_id")].(string)
		switch {
		case !ok:
			noLegacy++
		case leg != legacyOf[cur]:
			for f, l := range legacyOf {
				if l == leg {
					moved[[2]string{f, cur}] = true
				}
			}
		}
	}
	for _, m := range [][2]string{{"north", "south"}, {"south", "north"}} {
		if !moved[m] {
			t.Errorf("no household moved from %s to %s", m[0], m[1])
		}
	}
	if noLegacy == 0 {
		t.Errorf("no household without a legacy firm code")
	}

	// firms share dimension values
	for _, c := range []struct{ table, column string }{{"households", "segment"}, {"accounts", "account_type"}, {"advisors", "region"}} {
		tab := st.Table(c.table)
		by := map[string]map[string]bool{}
		for i, r := range tab.Rows {
			v := r[col(tab, c.column)].(string)
			if by[v] == nil {
				by[v] = map[string]bool{}
			}
			by[v][tab.Owner[i]] = true
		}
		for v, owners := range by {
			if len(owners) < 2 {
				t.Errorf("%s.%s = %q belongs to one firm only", c.table, c.column, v)
			}
		}
	}

	// every principal's firm has a household served by two advisors of one region
	adv := st.Table("advisors")
	region := map[int64]string{}
	for _, r := range adv.Rows {
		region[r[adv.PK].(int64)] = r[col(adv, "region")].(string)
	}
	team := st.Table("household_advisors")
	seen := map[[2]any]map[int64]bool{}
	dup := map[string]bool{}
	withTeam := map[int64]bool{}
	for i, r := range team.Rows {
		h := r[col(team, "household_id")].(int64)
		a := r[col(team, "advisor_id")].(int64)
		withTeam[h] = true
		k := [2]any{h, region[a]}
		if seen[k] == nil {
			seen[k] = map[int64]bool{}
		}
		seen[k][a] = true
		if len(seen[k]) > 1 {
			dup[team.Owner[i]] = true
		}
	}
	for _, f := range []string{"north", "south"} {
		if !dup[f] {
			t.Errorf("no %s household has two advisors in one region", f)
		}
	}
	if len(withTeam) == len(hh.Rows) {
		t.Errorf("every household has a service team; want some without (an inner join must drop rows)")
	}

	// pending ledger rows (NULL batch) in last month, and rows on both sides
	// of the fiscal (21st) and calendar (1st) boundaries, for north and south
	tx := st.Table("transactions")
	pending := map[string]bool{}
	days := map[string]map[time.Time]bool{}
	for i, r := range tx.Rows {
		day := r[col(tx, "transaction_date")].(time.Time)
		if r[col(tx, "batch_id")] == nil && !day.Before(state.Date(2026, 5, 1)) && day.Before(state.Date(2026, 6, 1)) {
			pending[tx.Owner[i]] = true
		}
		if days[tx.Owner[i]] == nil {
			days[tx.Owner[i]] = map[time.Time]bool{}
		}
		days[tx.Owner[i]][day] = true
	}
	for _, f := range []string{"north", "south"} {
		if !pending[f] {
			t.Errorf("no pending %s transaction in last month", f)
		}
		between := func(a, b time.Time) bool {
			for day := range days[f] {
				if !day.Before(a) && day.Before(b) {
					return true
				}
			}
			return false
		}
		// fiscal-only days (Apr 21-30) and calendar-only days (May 21-31)
		if !between(state.Date(2026, 4, 21), state.Date(2026, 5, 1)) || !between(state.Date(2026, 5, 21), state.Date(2026, 6, 1)) {
			t.Errorf("%s lacks transactions that only one of the fiscal and calendar months contains", f)
		}
	}
}
