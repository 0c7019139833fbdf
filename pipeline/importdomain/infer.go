package importdomain

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// conv is one conversion in progress.
type conv struct {
	label string
	facts *sqlFacts
	// tables are the converted tables in order; inference may add tables,
	// columns and foreign keys, and drop tables with no path to a tenant.
	tables []*dbTable
	ref    *refPolicy
	opts   Options
	rep    *Report

	pk        map[string]string
	owner     map[string]string
	tenantCol string // the tenant key's column name (tenant_id, firm_id, ...)
	tenancy   spec.Tenancy
	policy    *spec.Policy
	grants    map[string][]string
	// views are the materialized views converted to tables (no seed rows:
	// the state derives theirs).
	views []*spec.Table
	// tasks are the suite files by path (tasks/NAME.yaml).
	tasks map[string][]byte
	// sampleBy is each sampled table's SAMPLE BY key.
	sampleBy map[string]string
}

func (c *conv) table(name string) *dbTable {
	for _, t := range c.tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

func (t *dbTable) col(name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

func (t *dbTable) fk(col string) *dbForeignKey {
	for i := range t.ForeignKeys {
		if t.ForeignKeys[i].Column == col {
			return &t.ForeignKeys[i]
		}
	}
	return nil
}

func (t *dbTable) typ(col string) string {
	i := t.col(col)
	if i < 0 {
		return ""
	}
	p, _ := portableType(t.Columns[i].DuckType)
	return p
}

func (c *conv) schemaPath() string { return c.label + "/schema.sql" }

func (c *conv) run() error {
	steps := []func() error{c.primaryKeys, c.foreignKeys, c.tenancyKey, c.ownership, c.legacy, c.materializedViews, c.convertPolicy, c.cohorts, c.calendar, c.columnGrants}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	for _, t := range c.tables {
		for _, col := range t.Columns {
			if _, ok := portableType(col.DuckType); !ok {
				c.rep.person("column %s.%s has type %s, which schema.yaml cannot express: imported as text", t.Name, col.Name, col.DuckType)
			}
		}
	}
	return nil
}

// singular drops a plural ending: accounts -> account, events -> event.
func singular(name string) string {
	switch {
	case strings.HasSuffix(name, "ies"):
		return strings.TrimSuffix(name, "ies") + "y"
	case strings.HasSuffix(name, "sses"):
		return strings.TrimSuffix(name, "es")
	case strings.HasSuffix(name, "s"):
		return strings.TrimSuffix(name, "s")
	}
	return name
}

// primaryKeys takes each table's single-column primary key from the catalog,
// or infers one (id, then <singular>_id) whose seed values are unique.
func (c *conv) primaryKeys() error {
	c.pk = map[string]string{}
	for _, t := range c.tables {
		if len(t.PrimaryKey) == 1 {
			c.pk[t.Name] = strings.ToLower(t.PrimaryKey[0])
			continue
		}
		if len(t.PrimaryKey) > 1 {
			return strictyaml.Errorf(c.schemaPath(), 0, "table %s: a composite primary key (%s) is not supported; add a single-column key", t.Name, strings.Join(t.PrimaryKey, ", "))
		}
		found := ""
		for _, cand := range []string{"id", singular(t.Name) + "_id"} {
			if i := t.col(cand); i >= 0 && unique(t.Rows, i) {
				found = cand
				break
			}
		}
		if found == "" {
			return strictyaml.Errorf(c.schemaPath(), 0, "table %s has no primary key and none could be inferred (no unique id or %s_id column); declare one in schema.sql", t.Name, singular(t.Name))
		}
		c.pk[t.Name] = found
		why := "its values are unique in the seed"
		if k := c.facts.OrderBy[t.Name]; len(k) > 0 {
			why += "; the table's ORDER BY key is (" + strings.Join(k, ", ") + ")"
		}
		c.rep.infer("table %s: primary key %s (the SQL declares none; %s)", t.Name, found, why)
	}
	return nil
}

func unique(rows [][]any, i int) bool {
	seen := map[any]bool{}
	for _, r := range rows {
		if r[i] == nil || seen[r[i]] {
			return false
		}
		seen[r[i]] = true
	}
	return true
}

// foreignKeys infers foreign keys by name when the SQL declares none at all
// (ClickHouse): a column <stem>_id references the primary key of table
// <stem>s when that key is id or the column's own name.
func (c *conv) foreignKeys() error {
	for _, t := range c.tables {
		if len(t.ForeignKeys) > 0 {
			return nil
		}
	}
	for _, t := range c.tables {
		for _, col := range t.Columns {
			stem, ok := strings.CutSuffix(col.Name, "_id")
			if !ok || col.Name == c.pk[t.Name] {
				continue
			}
			for _, name := range []string{stem + "s", stem + "es", strings.TrimSuffix(stem, "y") + "ies"} {
				rt := c.table(name)
				if rt == nil || rt == t {
					continue
				}
				if pk := c.pk[rt.Name]; pk == "id" || pk == col.Name {
					t.ForeignKeys = append(t.ForeignKeys, dbForeignKey{Column: col.Name, RefTable: rt.Name, RefColumn: pk})
					c.rep.infer("foreign key %s.%s -> %s.%s (from the column name; the SQL declares no foreign keys)", t.Name, col.Name, rt.Name, pk)
					break
				}
			}
		}
	}
	return nil
}

var (
	rePGTenant = regexp.MustCompile(`(?i)([\w.]+)\s*=\s*current_setting\(\s*'([^']+)'`)
	reCHTenant = regexp.MustCompile(`(?i)([\w.]+)\s*=\s*currentUser\(\s*\)`)
)

// tenantRef is a column a row policy compares with the session's tenant.
type tenantRef struct{ table, column string }

// tenancyKey finds the tenant column from the row policies (the column
// compared with current_setting(...) or currentUser()) and the tenancy
// table it references, synthesizing that table from the seed's tenant ids
// when the schema has none.
func (c *conv) tenancyKey() error {
	var refs []tenantRef
	for _, p := range c.facts.Policies {
		for _, re := range []*regexp.Regexp{rePGTenant, reCHTenant} {
			for _, m := range re.FindAllStringSubmatch(p.Using, -1) {
				tab, col := p.Table, strings.ToLower(m[1])
				if t, cc, ok := strings.Cut(col, "."); ok {
					tab, col = bare(t), cc
				}
				if tt := c.table(tab); tt != nil && tt.col(col) >= 0 {
					refs = append(refs, tenantRef{tab, col})
				}
			}
		}
	}
	if len(refs) == 0 {
		for _, t := range c.tables {
			if t.col("tenant_id") >= 0 {
				refs = append(refs, tenantRef{t.Name, "tenant_id"})
			}
		}
		if len(refs) == 0 {
			return strictyaml.Errorf(c.schemaPath(), 0, "cannot infer the tenant column: no row policy compares a column with the session's tenant and no table has a tenant_id column")
		}
		c.rep.person("no row policy names the tenant column: took tenant_id by its name")
	}
	counts := map[string]int{}
	for _, r := range refs {
		counts[r.column]++
	}
	key := refs[0].column
	for _, r := range refs {
		if counts[r.column] > counts[key] {
			key = r.column
		}
	}
	c.tenantCol = key
	// the tenancy column's table: one a policy names, preferring the one
	// with a legacy copy of the key
	var home *dbTable
	for _, t := range c.tables {
		named := false
		for _, r := range refs {
			named = named || (r.table == t.Name && r.column == key)
		}
		if !named {
			continue
		}
		if home == nil || (t.col("legacy_"+key) >= 0 && home.col("legacy_"+key) < 0) {
			home = t
		}
	}
	policyNames := []string{}
	for _, p := range c.facts.Policies {
		if !contains(policyNames, p.Name) {
			policyNames = append(policyNames, p.Name)
		}
	}
	c.rep.infer("tenant column %s.%s (compared with the session's tenant by row policies %s)", home.Name, key, strings.Join(policyNames, ", "))
	ten := ""
	if fk := home.fk(key); fk != nil {
		ten = fk.RefTable
	} else {
		stem := strings.TrimSuffix(key, "_id")
		for _, name := range []string{stem + "s", stem + "es"} {
			if t := c.table(name); t != nil && t.col("id") >= 0 && c.pk[name] == "id" {
				ten = name
			}
		}
		if ten == "" {
			ten = c.synthesizeTenants(stem+"s", key)
		} else {
			c.rep.infer("tenancy table %s (named after the tenant column %s)", ten, key)
		}
	}
	c.tenancy = spec.Tenancy{Table: ten, Column: home.Name + "." + key}
	tenPK := c.pk[ten]
	for _, t := range c.tables {
		if t.Name == ten || t.col(key) < 0 || t.fk(key) != nil {
			continue
		}
		t.ForeignKeys = append(t.ForeignKeys, dbForeignKey{Column: key, RefTable: ten, RefColumn: tenPK})
		c.rep.infer("foreign key %s.%s -> %s.%s (the tenant column)", t.Name, key, ten, tenPK)
	}
	if tt := c.table(ten); tt.col("timezone") >= 0 && tt.typ("timezone") == "text" {
		c.tenancy.Timezone = ten + ".timezone"
		c.rep.infer("tenancy time zone %s.timezone (by its name)", ten)
	}
	return nil
}

// synthesizeTenants adds a tenancy table of the distinct tenant ids the seed
// and the principals use.
func (c *conv) synthesizeTenants(name, key string) string {
	ids := map[string]bool{}
	for _, t := range c.tables {
		if i := t.col(key); i >= 0 {
			for _, r := range t.Rows {
				if r[i] != nil {
					ids[fmt.Sprint(r[i])] = true
				}
			}
		}
	}
	for _, p := range c.ref.Principals {
		for _, id := range p.TenantIDs {
			ids[id] = true
		}
	}
	t := &dbTable{Name: name, Columns: []dbColumn{{Name: "id", DuckType: "VARCHAR"}}}
	for _, id := range spec.SortedKeys(ids) {
		t.Rows = append(t.Rows, []any{id})
	}
	c.tables = append([]*dbTable{t}, c.tables...)
	c.pk[name] = "id"
	c.rep.person("the schema has no table of tenants: added table %s(id) holding the %d tenant ids the seed and the principals use (%s); add it to the source schema or confirm", name, len(ids), strings.Join(spec.SortedKeys(ids), ", "))
	return name
}

// ownership gives every table an owner_via: the tenant column, or the
// foreign key through which a row reaches an owned table (the one its row
// policy joins through when there are several). Tables with no path to the
// tenancy table are left out.
func (c *conv) ownership() error {
	c.owner = map[string]string{}
	owned := map[string]bool{c.tenancy.Table: true}
	policyText := map[string]string{}
	for _, p := range c.facts.Policies {
		policyText[p.Table] += " " + strings.ToLower(p.Using)
	}
	for _, t := range c.tables {
		if fk := t.fk(c.tenantCol); fk != nil && fk.RefTable == c.tenancy.Table && t.Name != c.tenancy.Table {
			c.owner[t.Name], owned[t.Name] = c.tenantCol, true
		}
	}
	for changed := true; changed; {
		changed = false
		for _, t := range c.tables {
			if owned[t.Name] {
				continue
			}
			var pick string
			for _, fk := range t.ForeignKeys {
				if !owned[fk.RefTable] {
					continue
				}
				if pick == "" || (strings.Contains(policyText[t.Name], fk.Column) && !strings.Contains(policyText[t.Name], pick)) {
					pick = fk.Column
				}
			}
			if pick != "" {
				c.owner[t.Name], owned[t.Name], changed = pick, true, true
				if len(t.ForeignKeys) > 1 {
					c.rep.infer("table %s: owner_via %s (of its foreign keys, the one its row policy joins through, else the first)", t.Name, pick)
				}
			}
		}
	}
	var kept []*dbTable
	for _, t := range c.tables {
		if owned[t.Name] {
			kept = append(kept, t)
			continue
		}
		c.rep.person("table %s has no foreign-key path to the tenancy table %s: left out of the converted domain (its ownership column could not be inferred)", t.Name, c.tenancy.Table)
	}
	c.tables = kept
	for _, t := range c.tables {
		var fks []dbForeignKey
		for _, fk := range t.ForeignKeys {
			if c.table(fk.RefTable) != nil {
				fks = append(fks, fk)
			}
		}
		t.ForeignKeys = fks
		if !c.facts.RLS[t.Name] && !c.facts.ClickHouse && t.Name != c.tenancy.Table && !hasPolicy(c.facts.Policies, t.Name) {
			c.rep.infer("table %s has no row policy in the SQL; the converted domain isolates it through owner_via %s like every other table", t.Name, c.owner[t.Name])
		}
	}
	return nil
}

func hasPolicy(ps []rowPolicy, table string) bool {
	for _, p := range ps {
		if p.Table == table {
			return true
		}
	}
	return false
}

// legacy finds a pre-migration tenant column (legacy_<key> beside the
// tenant column). Each tenant's legacy key is the tenancy table's legacy_id
// when it has one; otherwise it is the tenant id itself: a policy or a
// predicate on the old column compares it with the session's tenant id, as a
// PostgreSQL policy USING (legacy_column = current_setting(...)) would.
func (c *conv) legacy() error {
	ht, hc, _ := spec.SplitQualified(c.tenancy.Column)
	home := c.table(ht)
	lc := "legacy_" + hc
	li := home.col(lc)
	if li < 0 {
		return nil
	}
	ten := c.table(c.tenancy.Table)
	c.tenancy.LegacyColumn = ht + "." + lc
	if ten.col("legacy_id") >= 0 {
		c.tenancy.LegacyKey = ten.Name + ".legacy_id"
		c.rep.infer("legacy tenant column %s.%s with legacy key %s.legacy_id (by their names)", ht, lc, ten.Name)
		return nil
	}
	pk := c.pk[ten.Name]
	c.tenancy.LegacyKey = ten.Name + "." + pk
	ids := map[string]bool{}
	for _, r := range ten.Rows {
		ids[fmt.Sprint(r[ten.col(pk)])] = true
	}
	vals, matching := map[string]bool{}, 0
	for _, r := range home.Rows {
		if v := r[li]; v != nil {
			vals[fmt.Sprint(v)] = true
			if ids[fmt.Sprint(v)] {
				matching++
			}
		}
	}
	c.rep.person("legacy tenant column %s.%s: the schema has no per-tenant legacy key, so a policy or predicate on the old column compares it with the session's tenant id (legacy_key %s.%s); %d of its %d seed rows hold a current tenant id (values: %s). If the old keys map to tenants, add that mapping as %s.legacy_id",
		ht, lc, ten.Name, pk, matching, len(home.Rows), strings.Join(spec.SortedKeys(vals), ", "), ten.Name)
	return nil
}

// calendar sets the evaluation date and fiscal calendar.
func (c *conv) calendar() error {
	cal := spec.Calendar{AsOf: c.opts.AsOf, FiscalMonthStartDay: c.opts.FiscalMonthStartDay, FiscalYearStartMonth: c.opts.FiscalYearStartMonth}
	if cal.AsOf == "" {
		var latest time.Time
		for _, t := range c.tables {
			for _, r := range t.Rows {
				for _, v := range r {
					if tv, ok := v.(time.Time); ok && tv.After(latest) {
						latest = tv
					}
				}
			}
		}
		if latest.IsZero() {
			return strictyaml.Errorf(c.label+"/seed.sql", 0, "the seed has no dates to infer the evaluation date from; pass --as-of")
		}
		if ranges := c.suiteTimeRanges(); len(ranges) > 0 && allRolling(ranges) {
			cal.AsOf = time.Date(latest.Year(), latest.Month(), latest.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1).Format("2006-01-02")
			c.rep.infer("calendar.as_of %s: the day after the seed's latest date (%s), so the rolling windows the suites ask for (%s) end on the seed's last day; pass --as-of to change", cal.AsOf, latest.Format("2006-01-02"), strings.Join(ranges, ", "))
		} else {
			first := time.Date(latest.Year(), latest.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
			cal.AsOf = first.Format("2006-01-02")
			c.rep.infer("calendar.as_of %s: the first day of the month after the seed's latest date (%s), so last_month covers the seed's last month; pass --as-of to change", cal.AsOf, latest.Format("2006-01-02"))
		}
	}
	if cal.FiscalMonthStartDay == 0 {
		cal.FiscalMonthStartDay = 1
		c.rep.person("the reference files do not state a fiscal calendar: fiscal months are calendar months (fiscal_month_start_day 1), which makes fiscal-calendar faults inapplicable; pass --fiscal-month-start-day if the business's fiscal months start on another day")
	}
	if cal.FiscalYearStartMonth == 0 {
		cal.FiscalYearStartMonth = 1
		c.rep.infer("calendar.fiscal_year_start_month 1 (not stated; pass --fiscal-year-start-month)")
	}
	c.policy.Calendar = cal
	return nil
}

// columnGrants grants each role the key columns of every table and the
// columns of its own metrics and dimensions (the reference grants whole
// tables to one application role; the policy is what says who may read
// what).
func (c *conv) columnGrants() error {
	keys := map[string]bool{}
	add := func(set map[string]bool, q string) {
		if q != "" {
			set[q] = true
		}
	}
	for _, t := range c.tables {
		add(keys, t.Name+"."+c.pk[t.Name])
		for _, fk := range t.ForeignKeys {
			add(keys, t.Name+"."+fk.Column)
		}
	}
	ten := c.tenancy
	for _, q := range []string{ten.Column, ten.LegacyColumn, ten.LegacyKey, ten.Timezone} {
		add(keys, q)
	}
	c.grants = map[string][]string{}
	p := c.policy
	for _, role := range spec.SortedKeys(p.Roles) {
		r := p.Roles[role]
		set := map[string]bool{}
		for k := range keys {
			set[k] = true
		}
		for _, m := range r.AllowedMetrics {
			mt := p.Metrics[m]
			for _, q := range append([]string{mt.Measure, mt.Where, mt.TimeColumn}, mt.Columns...) {
				add(set, q)
			}
			if mt.Sample > 0 {
				add(set, mt.Table+"."+c.sampleBy[mt.Table])
			}
		}
		for _, d := range r.AllowedDimensions {
			add(set, p.Dimensions[d].Source)
		}
		var cols []string
		for _, t := range c.tables {
			for _, col := range t.Columns {
				if set[t.Name+"."+col.Name] {
					cols = append(cols, t.Name+"."+col.Name)
				}
			}
		}
		for _, v := range c.views {
			if c.viewGranted(v.Name) {
				for _, col := range v.Columns {
					cols = append(cols, v.Name+"."+col.Name)
				}
			}
		}
		c.grants[role] = cols
	}
	for _, v := range c.views {
		if c.viewGranted(v.Name) {
			c.rep.infer("materialized view %s: every column granted to every role (a GRANT of the SQL names it)", v.Name)
		} else {
			c.rep.infer("materialized view %s: granted to no role, as in the SQL, so a query that reads it directly is refused by the database", v.Name)
		}
	}
	if len(c.facts.Grants) > 0 {
		c.rep.infer("column grants per role: every table's keys plus the columns of the role's metrics and dimensions (the SQL grants whole tables: %s)", strings.Join(c.facts.Grants, "; "))
	} else {
		c.rep.infer("column grants per role: every table's keys plus the columns of the role's metrics and dimensions (the SQL has no GRANT)")
	}
	return nil
}

var reTimeRange = regexp.MustCompile(`(?m)\btime_range:\s*["']?(\w+)`)

// suiteTimeRanges lists, sorted, the time ranges the suite files name.
func (c *conv) suiteTimeRanges() []string {
	set := map[string]bool{}
	for _, data := range c.tasks {
		for _, m := range reTimeRange.FindAllStringSubmatch(string(data), -1) {
			set[m[1]] = true
		}
	}
	return spec.SortedKeys(set)
}

// allRolling reports whether every range is a rolling day window.
func allRolling(ranges []string) bool {
	for _, r := range ranges {
		if !slices.Contains(spec.RollingTimeRanges, r) {
			return false
		}
	}
	return true
}
