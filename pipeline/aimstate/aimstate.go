// Package aimstate derives, from a suite's database state, the states a
// distinguishing-state search tries before it calls a mutant equivalent.
// Each is aimed at a kind of fault, not at an operator (the search never
// reads operator ids): rows moved between tenants after an ownership
// migration, duplicated rows (duplicate values, parents that fan out, parents
// without children), optional references left empty, rare groups with
// fresh cohort keys (small cohorts), rows on the calendar, fiscal and
// time-zone boundaries of every time range, and whole subtrees cloned under
// new parents (extra accounts with their tickets and invoices). Every state
// is a pure function of the domain and the base state, built through
// state.FromRows, so foreign keys stay whole and owners and materialized
// views are derived as in generation.
package aimstate

import (
	"fmt"
	"sort"
	"time"

	"github.com/policystrata/policystrata/pipeline/cell"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
)

// Aimed is one derived state.
type Aimed struct {
	// Name identifies the derivation (moved_owners, duplicated_rows, ...).
	Name string
	// Doc says what the derivation does to the base state.
	Doc   string
	State *state.State
}

// derivation rewrites the base rows of a state in place.
type derivation struct {
	name, doc string
	apply     func(b *builder) error
}

var derivations = []derivation{
	{"moved_owners", "every third row of each table owned straight by the tenancy table moves to the next tenant, keeping its pre-migration columns (accounts moved after the ownership migration)", movedOwners},
	{"duplicated_rows", "every row below the tenancy table is duplicated under a new key: duplicate values, parents whose children fan out twice, duplicate parents with no children", duplicatedRows},
	{"null_optional_refs", "every other row leaves its optional references (foreign keys other than owner_via) empty (unassigned tickets)", nullOptionalRefs},
	{"rare_groups", "each tenant gets, in every table, a copy of one of its rows with rare text values and a fresh cohort key, and one with a fresh cohort key dated on the as-of day (small cohorts, rare groups)", rareGroups},
	{"time_boundaries", "every tenant moves to a time zone other than its own and UTC, and gets, in every table with a date or timestamp, copies of its rows (one per combination of low-cardinality text values) on the first and last days of every time range and the days around them (timestamps half an hour either side of midnight UTC on those days and the next, so a local day changes there in every time zone)", timeBoundaries},
	{"cloned_subtrees", "each tenant gets copies of its first three rows of every table it owns directly, each with all the rows below it (extra accounts with their subscriptions, invoices, tickets and events)", clonedSubtrees},
}

// Names lists the derivations in the order the search tries them.
func Names() []string {
	out := make([]string, len(derivations))
	for i, d := range derivations {
		out[i] = d.name
	}
	return out
}

// Derive builds the aimed states of domain d from base, in Names order; a
// derivation whose state would exceed state.MaxRows is left out.
func Derive(d *spec.Domain, base *state.State) ([]Aimed, error) {
	out := make([]Aimed, 0, len(derivations))
	for _, dv := range derivations {
		b := newBuilder(d, base)
		if err := dv.apply(b); err != nil {
			return nil, fmt.Errorf("derive state %s: %w", dv.name, err)
		}
		if b.rowCount() > state.MaxRows {
			continue // a state this large is not built; the search tries the others
		}
		st, err := state.FromRows(d, b.rows)
		if err != nil {
			return nil, fmt.Errorf("derive state %s: %w", dv.name, err)
		}
		out = append(out, Aimed{Name: dv.name, Doc: dv.doc, State: st})
	}
	return out, nil
}

// builder holds the base rows being rewritten and allocates fresh keys.
type builder struct {
	d    *spec.Domain
	base *state.State
	rows map[string][][]any
	// next[table] is the next free integer key; text keys get a suffix.
	next map[string]int64
	n    int
	// refs[child+"."+column] indexes the base rows of child by the
	// formatted value of column (built on first use)
	refs map[string]map[string][]int
}

// referencing lists, in order, the base rows of table child whose column
// col holds key (formatted with cell.Format).
func (b *builder) referencing(child, col, key string) []int {
	k := child + "." + col
	idx, ok := b.refs[k]
	if !ok {
		if b.refs == nil {
			b.refs = map[string]map[string][]int{}
		}
		ct := b.base.Table(child)
		ci := ct.Col(col)
		idx = map[string][]int{}
		for j, cr := range ct.Rows {
			f := cell.Format(cr[ci])
			idx[f] = append(idx[f], j)
		}
		b.refs[k] = idx
	}
	return idx[key]
}

func newBuilder(d *spec.Domain, base *state.State) *builder {
	b := &builder{d: d, base: base, rows: base.BaseRows(d), next: map[string]int64{}}
	for name, rows := range b.rows {
		t := base.Table(name)
		var max int64
		for _, r := range rows {
			if v, ok := r[t.PK].(int64); ok && v > max {
				max = v
			}
		}
		b.next[name] = max + 1
	}
	return b
}

// rowCount counts the rows the builder holds.
func (b *builder) rowCount() int {
	n := 0
	for _, rows := range b.rows {
		n += len(rows)
	}
	return n
}

// tables lists the base tables below the tenancy table, in schema order.
func (b *builder) tables() []*spec.Table {
	var out []*spec.Table
	for _, t := range b.d.Schema.Tables {
		if t.MaterializedView == nil && t.Name != b.d.Policy.Tenancy.Table {
			out = append(out, t)
		}
	}
	return out
}

// freshKey returns a new primary key for table, like old.
func (b *builder) freshKey(table string, old any) any {
	if _, ok := old.(int64); ok {
		k := b.next[table]
		b.next[table]++
		return k
	}
	b.n++
	return fmt.Sprintf("%v_aim%d", old, b.n)
}

// tenants lists the tenancy table's keys, sorted.
func (b *builder) tenants() []any {
	t := b.base.Table(b.d.Policy.Tenancy.Table)
	out := make([]any, len(t.Rows))
	for i, r := range t.Rows {
		out[i] = r[t.PK]
	}
	sort.Slice(out, func(i, j int) bool { return cell.Format(out[i]) < cell.Format(out[j]) })
	return out
}

// firstOwned returns, per tenant in tenants() order, the indexes of the
// first n rows of table it owns in the base state.
func (b *builder) firstOwned(table string, n int) [][]int {
	t := b.base.Table(table)
	ts := b.tenants()
	out := make([][]int, len(ts))
	for ti, tenant := range ts {
		for i := range t.Rows {
			if len(out[ti]) < n && t.Owner[i] == cell.Format(tenant) {
				out[ti] = append(out[ti], i)
			}
		}
	}
	return out
}

// copyRow returns a copy of base row i of table under a fresh key.
func (b *builder) copyRow(table string, i int) []any {
	t := b.base.Table(table)
	r := append([]any{}, t.Rows[i]...)
	r[t.PK] = b.freshKey(table, r[t.PK])
	return r
}

func movedOwners(b *builder) error {
	ts := b.tenants()
	if len(ts) < 2 {
		return nil
	}
	next := map[string]any{}
	for i, k := range ts {
		next[cell.Format(k)] = ts[(i+1)%len(ts)]
	}
	for _, t := range b.straightOwned() {
		ci := b.base.Table(t.Name).Col(t.OwnerVia)
		for i, r := range b.rows[t.Name] {
			if i%3 == 1 && r[ci] != nil {
				r[ci] = next[cell.Format(r[ci])]
			}
		}
	}
	return nil
}

func duplicatedRows(b *builder) error {
	for _, t := range b.tables() {
		n := len(b.rows[t.Name])
		for i := 0; i < n; i++ {
			b.rows[t.Name] = append(b.rows[t.Name], b.copyRow(t.Name, i))
		}
	}
	return nil
}

func nullOptionalRefs(b *builder) error {
	for _, t := range b.tables() {
		st := b.base.Table(t.Name)
		for _, fk := range t.ForeignKeys {
			if fk.Column == t.OwnerVia {
				continue
			}
			ci := st.Col(fk.Column)
			for i, r := range b.rows[t.Name] {
				if i%2 == 0 {
					r[ci] = nil
				}
			}
		}
	}
	return nil
}

// fkColumns lists the columns of t that are keys or references.
func fkColumns(t *spec.Table) map[string]bool {
	out := map[string]bool{t.PrimaryKey: true}
	for _, fk := range t.ForeignKeys {
		out[fk.Column] = true
	}
	return out
}

func (b *builder) asOf() (time.Time, error) { return spec.ParseDate(b.d.Policy.Calendar.AsOf) }

func rareGroups(b *builder) error {
	ckTable, ckCol, _ := spec.SplitQualified(b.d.Policy.CohortKey)
	asOf, err := b.asOf()
	if err != nil {
		return err
	}
	for _, t := range b.tables() {
		st := b.base.Table(t.Name)
		keys := fkColumns(t)
		for _, idx := range b.firstOwned(t.Name, 1) {
			for _, i := range idx {
				rare, dated := b.copyRow(t.Name, i), b.copyRow(t.Name, i)
				for ci, col := range st.Columns {
					if keys[col] {
						continue
					}
					switch rare[ci].(type) {
					case string:
						rare[ci] = "zz_rare_" + col
					case time.Time:
						if st.Types[ci] == "date" {
							dated[ci] = asOf
						} else {
							dated[ci] = asOf.Add(12 * time.Hour)
						}
					}
					if t.Name == ckTable && col == ckCol {
						rare[ci], dated[ci] = b.freshValue(st.Types[ci], col), b.freshValue(st.Types[ci], col)
					}
				}
				b.rows[t.Name] = append(b.rows[t.Name], rare, dated)
			}
		}
	}
	return nil
}

// freshValue is a value of type typ that no generated row holds.
func (b *builder) freshValue(typ, col string) any {
	b.n++
	if typ == "integer" {
		return int64(1_000_000_000 + b.n)
	}
	return fmt.Sprintf("zz_%s_%d", col, b.n)
}

// boundaryDays are the first and last days of every time range the policy
// names and the days either side of them, sorted.
func (b *builder) boundaryDays() ([]time.Time, error) {
	seen := map[time.Time]bool{}
	for _, name := range resolve.TimeRangeNames(b.d.Policy) {
		w, err := oracle.TimeWindow(b.d.Policy.Calendar, name)
		if err != nil {
			return nil, err
		}
		for _, day := range []time.Time{w.Start.AddDate(0, 0, -1), w.Start, w.End.AddDate(0, 0, -1), w.End} {
			seen[day] = true
		}
	}
	out := make([]time.Time, 0, len(seen))
	for d := range seen {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out, nil
}

// maxRepresentatives bounds the rows per tenant and table that
// timeBoundaries copies onto every boundary.
const maxRepresentatives = 64

// representatives lists, per tenant, the first row of each distinct
// combination of the table's low-cardinality text columns (at most eight
// values each, keys excluded), so that copies of them pass any filter a
// request may set; at most maxRepresentatives per tenant.
func (b *builder) representatives(t *spec.Table) [][]int {
	st := b.base.Table(t.Name)
	keys := fkColumns(t)
	var cols []int
	for ci, col := range st.Columns {
		if keys[col] || st.Types[ci] != "text" {
			continue
		}
		vals := map[string]bool{}
		for _, r := range st.Rows {
			vals[cell.Format(r[ci])] = true
		}
		if len(vals) <= 8 {
			cols = append(cols, ci)
		}
	}
	ts := b.tenants()
	out := make([][]int, len(ts))
	for ti, tenant := range ts {
		seen := map[string]bool{}
		for i, r := range st.Rows {
			if st.Owner[i] != cell.Format(tenant) || len(out[ti]) >= maxRepresentatives {
				continue
			}
			combo := ""
			for _, ci := range cols {
				combo += cell.Format(r[ci]) + "\x00"
			}
			if !seen[combo] {
				seen[combo] = true
				out[ti] = append(out[ti], i)
			}
		}
	}
	return out
}

// shiftZones gives every tenant a time zone other than its own and UTC
// (when the tenancy declares one), so local and UTC days differ for all.
func (b *builder) shiftZones() {
	tz := b.d.Policy.Tenancy.Timezone
	if tz == "" {
		return
	}
	tbl, col, err := spec.SplitQualified(tz)
	if err != nil || b.base.Table(tbl) == nil {
		return
	}
	ci := b.base.Table(tbl).Col(col)
	if ci < 0 {
		return
	}
	for _, r := range b.rows[tbl] {
		if r[ci] == "America/Los_Angeles" {
			r[ci] = "Asia/Tokyo"
		} else {
			r[ci] = "America/Los_Angeles"
		}
	}
}

func timeBoundaries(b *builder) error {
	days, err := b.boundaryDays()
	if err != nil {
		return err
	}
	b.shiftZones()
	for _, t := range b.tables() {
		st := b.base.Table(t.Name)
		reps := b.representatives(t)
		for ci, typ := range st.Types {
			if typ != "date" && typ != "timestamp" {
				continue
			}
			for _, idx := range reps {
				for _, i := range idx {
					for _, day := range days {
						instants := []time.Time{day}
						if typ == "timestamp" {
							// either side of midnight UTC on the day and around it: a
							// local day ends or starts there in every time zone
							instants = []time.Time{day.Add(-30 * time.Minute), day.Add(30 * time.Minute),
								day.Add(23*time.Hour + 30*time.Minute), day.Add(24*time.Hour + 30*time.Minute)}
						}
						for _, at := range instants {
							r := b.copyRow(t.Name, i)
							r[ci] = at
							b.rows[t.Name] = append(b.rows[t.Name], r)
						}
					}
				}
			}
		}
	}
	return nil
}

// straightOwned lists the tables whose owner_via references the tenancy
// table (accounts, agents), in schema order.
func (b *builder) straightOwned() []*spec.Table {
	var out []*spec.Table
	for _, t := range b.tables() {
		fk := t.FK(t.OwnerVia)
		if fk == nil {
			continue
		}
		if rt, _, _ := spec.SplitQualified(fk.References); rt == b.d.Policy.Tenancy.Table {
			out = append(out, t)
		}
	}
	return out
}

func clonedSubtrees(b *builder) error {
	for _, t := range b.straightOwned() {
		for _, idx := range b.firstOwned(t.Name, 3) {
			for _, i := range idx {
				if err := b.cloneTree(t.Name, i, nil, 0); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// cloneTree copies base row i of table under a fresh key (with column
// remap[0] set to remap[1] when given), then every base row of every table
// that references it, recursively, re-pointed at the copy.
func (b *builder) cloneTree(table string, i int, remap []any, depth int) error {
	if depth > len(b.d.Schema.Tables) {
		return fmt.Errorf("reference cycle at table %s", table)
	}
	st := b.base.Table(table)
	r := b.copyRow(table, i)
	if remap != nil {
		r[st.Col(remap[0].(string))] = remap[1]
	}
	b.rows[table] = append(b.rows[table], r)
	oldKey, newKey := cell.Format(st.Rows[i][st.PK]), r[st.PK]
	for _, child := range b.tables() {
		for _, fk := range child.ForeignKeys {
			rt, rc, _ := spec.SplitQualified(fk.References)
			if rt != table || rc != b.d.Schema.Table(table).PrimaryKey {
				continue
			}
			for _, j := range b.referencing(child.Name, fk.Column, oldKey) {
				if err := b.cloneTree(child.Name, j, []any{fk.Column, newKey}, depth+1); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
