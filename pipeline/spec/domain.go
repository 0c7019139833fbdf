package spec

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"

	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// Domain is a loaded, validated domain directory.
type Domain struct {
	Name     string
	Policy   *Policy
	Surfaces *Surfaces
	Schema   *Schema
	State    *StateSettings
	// FS is the domain directory; suites are read from FS/tasks.
	FS fs.FS
	// Label is how the directory is named in messages (a path or builtin:NAME).
	Label string
	// Hashes are sha256 hex digests of the raw fixture files by file name.
	Hashes map[string]string
}

// DomainFiles are the files every domain directory holds.
var DomainFiles = []string{"policy.yaml", "surfaces.yaml", "schema.yaml", "state.yaml"}

var idRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)

// ValidID reports whether s is safe as an identifier and a file name.
func ValidID(s string) bool { return idRE.MatchString(s) && s != "." && s != ".." }

// LoadDomain reads and validates the domain in fsys. label prefixes file
// names in error messages.
func LoadDomain(fsys fs.FS, name, label string) (*Domain, error) {
	d := &Domain{Name: name, FS: fsys, Label: label, Hashes: map[string]string{}}
	targets := map[string]any{
		"policy.yaml":   &d.Policy,
		"surfaces.yaml": &d.Surfaces,
		"schema.yaml":   &d.Schema,
		"state.yaml":    &d.State,
	}
	for _, file := range DomainFiles {
		p := path.Join(label, file)
		if _, err := fs.Stat(fsys, file); errors.Is(err, fs.ErrNotExist) {
			return nil, strictyaml.Errorf(p, 0, "missing domain file")
		}
		data, err := strictyaml.ReadFile(fsys, file, p)
		if err != nil {
			return nil, err
		}
		d.Hashes[file] = SHA256Hex(data)
		if err := strictyaml.Decode(p, data, targets[file]); err != nil {
			return nil, err
		}
	}
	if err := d.validate(); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *Domain) file(name string) string { return path.Join(d.Label, name) }

// validate checks every cross-reference between the four files.
func (d *Domain) validate() error {
	pf, sf, schf, stf := d.file("policy.yaml"), d.file("surfaces.yaml"), d.file("schema.yaml"), d.file("state.yaml")
	p, s, sch := d.Policy, d.Surfaces, d.Schema
	if p == nil || s == nil || sch == nil || d.State == nil {
		return strictyaml.Errorf(d.Label, 0, "empty domain file")
	}
	// the tenancy block first: every schema check below depends on it
	switch {
	case p.Tenancy.Table == "" && p.Lines["tenancy"] > 0:
		return strictyaml.Errorf(pf, p.Lines["tenancy"], "tenancy.table is missing (it names the table of tenants)")
	case p.Tenancy.Table == "":
		return strictyaml.Errorf(pf, 0, "missing tenancy block (tenancy.table names the table of tenants)")
	case sch.Table(p.Tenancy.Table) == nil:
		return strictyaml.Errorf(pf, p.Tenancy.Lines["table"], "tenancy.table %q is not a table of schema.yaml", p.Tenancy.Table)
	}
	// schema
	seen := map[string]bool{}
	for _, t := range sch.Tables {
		if !ValidID(t.Name) || seen[t.Name] {
			return strictyaml.Errorf(schf, t.Line, "table name %q is invalid or duplicated", t.Name)
		}
		seen[t.Name] = true
		if t.Column(t.PrimaryKey) == nil {
			return strictyaml.Errorf(schf, t.Line, "table %s: primary key %q is not a column", t.Name, t.PrimaryKey)
		}
		cols := map[string]bool{}
		for _, c := range t.Columns {
			if !ValidID(c.Name) || !ColumnTypes[c.Type] {
				return strictyaml.Errorf(schf, orLine(c.Line, t.Line), "table %s: column %q has invalid name or type %q", t.Name, c.Name, c.Type)
			}
			if cols[c.Name] {
				return strictyaml.Errorf(schf, orLine(c.Line, t.Line), "table %s: duplicate column %q", t.Name, c.Name)
			}
			cols[c.Name] = true
		}
		for _, fk := range t.ForeignKeys {
			if fk.Expansion < 0 {
				return strictyaml.Errorf(schf, orLine(fk.Line, t.Line), "table %s: foreign key %s: expansion %d must not be negative", t.Name, fk.Column, fk.Expansion)
			}
		}
	}
	for _, t := range sch.Tables {
		for _, fk := range t.ForeignKeys {
			if t.Column(fk.Column) == nil {
				return strictyaml.Errorf(schf, orLine(fk.Line, t.Line), "table %s: foreign key column %q is not a column", t.Name, fk.Column)
			}
			if fk.Column == t.PrimaryKey {
				return strictyaml.Errorf(schf, orLine(fk.Line, t.Line), "table %s: foreign key on the primary key %s (the state generator numbers keys and may null references; reference the parent from another column)", t.Name, fk.Column)
			}
			if err := d.checkColumn(fk.References); err != nil {
				return strictyaml.Errorf(schf, orLine(fk.Line, t.Line), "table %s: foreign key references %v", t.Name, err)
			}
			rt, rc, _ := SplitQualified(fk.References)
			if from, to := t.Column(fk.Column).Type, sch.Table(rt).Column(rc).Type; from != to {
				return strictyaml.Errorf(schf, orLine(fk.Line, t.Line), "table %s: foreign key %s is %s but references %s, which is %s", t.Name, fk.Column, from, fk.References, to)
			}
		}
		if t.Name != p.Tenancy.Table {
			if err := sch.ownerChainError(t.Name, p.Tenancy.Table); err != nil {
				return strictyaml.Errorf(schf, t.Line, "%v", err)
			}
		}
	}
	for _, role := range SortedKeys(sch.Grants) {
		at := sch.GrantsLines[role]
		if p.Roles[role] == nil {
			return strictyaml.Errorf(schf, at.Key, "grants: unknown role %q", role)
		}
		for i, c := range sch.Grants[role] {
			if err := d.checkColumn(c); err != nil {
				return strictyaml.Errorf(schf, itemLine(at.Items, i, at.Key), "grants for %s: %v", role, err)
			}
		}
	}
	// policy
	tl, cl := p.Tenancy.Lines, p.Calendar.Lines
	calLine := func(key string) int { // a missing key is reported at its block
		if l := cl[key]; l > 0 {
			return l
		}
		return p.Lines["calendar"]
	}
	for _, k := range []struct{ key, col string }{{"column", p.Tenancy.Column}, {"legacy_column", p.Tenancy.LegacyColumn}, {"legacy_key", p.Tenancy.LegacyKey}} {
		if k.col == "" {
			continue
		}
		if err := d.checkColumn(k.col); err != nil {
			return strictyaml.Errorf(pf, tl[k.key], "tenancy.%s: %v", k.key, err)
		}
	}
	if err := d.checkTenancyColumns(); err != nil {
		return err
	}
	if _, err := ParseDate(p.Calendar.AsOf); err != nil {
		return strictyaml.Errorf(pf, calLine("as_of"), "calendar.as_of: %v", err)
	}
	if p.Calendar.FiscalMonthStartDay < 1 || p.Calendar.FiscalMonthStartDay > 28 {
		return strictyaml.Errorf(pf, calLine("fiscal_month_start_day"), "calendar.fiscal_month_start_day must be 1..28, got %d", p.Calendar.FiscalMonthStartDay)
	}
	if p.Calendar.FiscalYearStartMonth < 1 || p.Calendar.FiscalYearStartMonth > 12 {
		return strictyaml.Errorf(pf, calLine("fiscal_year_start_month"), "calendar.fiscal_year_start_month must be 1..12, got %d", p.Calendar.FiscalYearStartMonth)
	}
	for _, id := range SortedKeys(p.Principals) {
		pr := p.Principals[id]
		if pr.ID != id || !ValidID(id) {
			return strictyaml.Errorf(pf, pr.Line, "principal %q: id %q must equal its key and be a safe identifier", id, pr.ID)
		}
		if p.Roles[pr.Role] == nil {
			return strictyaml.Errorf(pf, pr.Line, "principal %s: unknown role %q", id, pr.Role)
		}
		if len(pr.TenantIDs) == 0 {
			return strictyaml.Errorf(pf, pr.Line, "principal %s: tenant_ids is empty", id)
		}
	}
	for _, name := range SortedKeys(p.Roles) {
		r := p.Roles[name]
		for _, list := range []struct {
			key   string
			items []string
		}{{"allowed_metrics", r.AllowedMetrics}, {"allowed_dimensions", r.AllowedDimensions}, {"allowed_time_ranges", r.AllowedTimeRanges}} {
			if dup := firstDuplicate(list.items); dup != "" {
				return strictyaml.Errorf(pf, r.Line, "role %s: %s lists %q twice", name, list.key, dup)
			}
		}
		for _, m := range r.AllowedMetrics {
			if p.Metrics[m] == nil {
				return strictyaml.Errorf(pf, r.Line, "role %s: unknown metric %q", name, m)
			}
		}
		for _, dim := range r.AllowedDimensions {
			if p.Dimensions[dim] == nil {
				return strictyaml.Errorf(pf, r.Line, "role %s: unknown dimension %q", name, dim)
			}
		}
		for _, tr := range r.AllowedTimeRanges {
			if !KnownTimeRange(tr) {
				return strictyaml.Errorf(pf, r.Line, "role %s: unknown time range %q", name, tr)
			}
		}
		if r.MaxRows < 1 || r.MaxCost < 1 {
			return strictyaml.Errorf(pf, r.Line, "role %s: max_rows and max_cost must be positive", name)
		}
	}
	aliases := map[string]string{}
	for _, name := range SortedKeys(p.Metrics) {
		m := p.Metrics[name]
		if sch.Table(m.Table) == nil {
			return strictyaml.Errorf(pf, m.Line, "metric %s: unknown table %q", name, m.Table)
		}
		if m.Cost < 0 {
			return strictyaml.Errorf(pf, m.Line, "metric %s: cost %d must not be negative", name, m.Cost)
		}
		if err := sch.checkExpression(m.Expression); err != nil {
			return strictyaml.Errorf(pf, m.Line, "metric %s: %v", name, err)
		}
		switch m.Aggregate {
		case "sum", "count", "count_distinct", "avg":
		default:
			return strictyaml.Errorf(pf, m.Line, "metric %s: aggregate %q must be sum, count, count_distinct or avg", name, m.Aggregate)
		}
		for _, c := range append([]string{m.Measure, m.TimeColumn}, m.Columns...) {
			if err := d.checkColumn(c); err != nil {
				return strictyaml.Errorf(pf, m.Line, "metric %s: %v", name, err)
			}
		}
		if m.Where != "" {
			if err := d.checkColumn(m.Where); err != nil {
				return strictyaml.Errorf(pf, m.Line, "metric %s: where: %v", name, err)
			}
		}
		for _, c := range []string{m.Measure, m.TimeColumn, m.Where} {
			if t, _, _ := SplitQualified(c); c != "" && t != m.Table {
				return strictyaml.Errorf(pf, m.Line, "metric %s: column %s is not on table %s", name, c, m.Table)
			}
		}
		if ty := d.columnType(m.TimeColumn); ty != "date" && ty != "timestamp" {
			return strictyaml.Errorf(pf, m.Line, "metric %s: time_column %s is %s, not a date or timestamp", name, m.TimeColumn, ty)
		}
		if ty := d.columnType(m.Measure); (m.Aggregate == "sum" || m.Aggregate == "avg") && ty != "integer" {
			return strictyaml.Errorf(pf, m.Line, "metric %s: %s of %s, which is %s, not integer", name, m.Aggregate, m.Measure, ty)
		}
		for _, r := range m.AllowedRoles {
			if p.Roles[r] == nil {
				return strictyaml.Errorf(pf, m.Line, "metric %s: unknown role %q", name, r)
			}
		}
		for _, a := range m.Aliases {
			if p.Metrics[a] != nil || aliases[a] != "" {
				return strictyaml.Errorf(pf, m.Line, "metric %s: alias %q is ambiguous", name, a)
			}
			aliases[a] = name
		}
	}
	for _, name := range SortedKeys(p.Dimensions) {
		dm := p.Dimensions[name]
		if dm != nil && dm.Cost < 0 {
			return strictyaml.Errorf(pf, dm.Line, "dimension %s: cost %d must not be negative", name, dm.Cost)
		}
		switch {
		case dm.Bucket != "":
			if dm.Bucket != "month" && dm.Bucket != "day" {
				return strictyaml.Errorf(pf, dm.Line, "dimension %s: bucket %q must be month or day", name, dm.Bucket)
			}
			if dm.Source != "" {
				return strictyaml.Errorf(pf, dm.Line, "dimension %s: a bucket of each metric's time column has no source (got %s)", name, dm.Source)
			}
		default:
			if err := d.checkColumn(dm.Source); err != nil {
				return strictyaml.Errorf(pf, dm.Line, "dimension %s: source: %v", name, err)
			}
		}
		for _, r := range dm.AllowedRoles {
			if p.Roles[r] == nil {
				return strictyaml.Errorf(pf, dm.Line, "dimension %s: unknown role %q", name, r)
			}
		}
	}
	// surfaces
	if err := s.Validate(sf); err != nil {
		return err
	}
	// state
	for _, ts := range d.State.Tables {
		t := sch.Table(ts.Table)
		if t == nil {
			return strictyaml.Errorf(stf, ts.Line, "unknown table %q", ts.Table)
		}
		if ts.PerParent != nil {
			if t.FK(ts.PerParent.Column) == nil {
				return strictyaml.Errorf(stf, ts.Line, "per_parent.column %q is not a foreign key of %s", ts.PerParent.Column, t.Name)
			}
			if ts.PerParent.Min < 0 || ts.PerParent.Max < ts.PerParent.Min || ts.PerParent.Max > 1000 {
				return strictyaml.Errorf(stf, ts.Line, "per_parent: need 0 <= min <= max <= 1000")
			}
		}
		for _, col := range SortedKeys(ts.Columns) {
			g := ts.Columns[col]
			line := ts.Line
			if g != nil {
				line = g.Line
			}
			if t.Column(col) == nil {
				return strictyaml.Errorf(stf, line, "table %s: unknown column %q", t.Name, col)
			}
			if msg := sch.validateGenerator(t, col, g); msg != "" {
				return strictyaml.Errorf(stf, line, "table %s: %s", t.Name, msg)
			}
		}
		for _, row := range ts.Rows {
			for col := range row {
				if t.Column(col) == nil {
					return strictyaml.Errorf(stf, ts.Line, "table %s: explicit row has unknown column %q", t.Name, col)
				}
			}
		}
		if pk := t.Column(t.PrimaryKey); pk != nil && pk.Type != "integer" {
			// the generator numbers rows 1, 2, ... only for an integer key
			if ts.PerParent != nil {
				return strictyaml.Errorf(stf, ts.Line, "table %s: generated rows (per_parent) need an integer primary key; %s is %s", t.Name, pk.Name, pk.Type)
			}
			for i, row := range ts.Rows {
				if _, ok := row[pk.Name]; !ok {
					return strictyaml.Errorf(stf, ts.Line, "table %s: explicit row %d does not set the %s primary key (a %s key is not numbered)", t.Name, i+1, pk.Name, pk.Type)
				}
			}
		}
	}
	return d.validateFeatures()
}

func isSurface(s string) bool {
	for _, x := range SurfaceOrder {
		if x == s {
			return true
		}
	}
	return false
}

// IsSurface reports whether s names one of the six layers.
func IsSurface(s string) bool { return isSurface(s) }

func (d *Domain) checkColumn(q string) error {
	t, c, err := SplitQualified(q)
	if err != nil {
		return err
	}
	tab := d.Schema.Table(t)
	if tab == nil {
		return fmt.Errorf("unknown table %q in %s", t, q)
	}
	if tab.Column(c) == nil {
		return fmt.Errorf("unknown column %q in %s", c, q)
	}
	return nil
}

// SHA256Hex is the hex sha256 of data.
func SHA256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// columnType is the type of qualified column q ("" when q is not one).
func (d *Domain) columnType(q string) string {
	t, c, err := SplitQualified(q)
	if err != nil || d.Schema.Table(t) == nil || d.Schema.Table(t).Column(c) == nil {
		return ""
	}
	return d.Schema.Table(t).Column(c).Type
}

// checkTenancyColumns checks what the tenancy block's columns mean:
// tenancy.column is a foreign key to the tenancy table's primary key;
// legacy_column (on the same table) and legacy_key (on the tenancy table)
// come together.
func (d *Domain) checkTenancyColumns() error {
	pf, ten, tl := d.file("policy.yaml"), d.Policy.Tenancy, d.Policy.Tenancy.Lines
	at := func(key string) int {
		if l := tl[key]; l > 0 {
			return l
		}
		return d.Policy.Lines["tenancy"]
	}
	if ten.Column == "" {
		return strictyaml.Errorf(pf, at("column"), "tenancy.column is missing (the foreign key to %s that scopes rows to a tenant)", ten.Table)
	}
	ct, cc, _ := SplitQualified(ten.Column)
	pk := ten.Table + "." + d.Schema.Table(ten.Table).PrimaryKey
	if fk := d.Schema.Table(ct).FK(cc); fk == nil || fk.References != pk {
		return strictyaml.Errorf(pf, at("column"), "tenancy.column %s must be a foreign key to %s (the tenancy table's primary key)", ten.Column, pk)
	}
	switch {
	case (ten.LegacyColumn == "") != (ten.LegacyKey == ""):
		return strictyaml.Errorf(pf, at("legacy_column"), "tenancy.legacy_column and tenancy.legacy_key come together (the old column holds the tenancy table's legacy keys)")
	case ten.LegacyColumn == "":
		return nil
	}
	if lt, _, _ := SplitQualified(ten.LegacyColumn); lt != ct {
		return strictyaml.Errorf(pf, at("legacy_column"), "tenancy.legacy_column %s must be on table %s, beside tenancy.column", ten.LegacyColumn, ct)
	}
	if kt, _, _ := SplitQualified(ten.LegacyKey); kt != ten.Table {
		return strictyaml.Errorf(pf, at("legacy_key"), "tenancy.legacy_key %s must be a column of the tenancy table %s", ten.LegacyKey, ten.Table)
	}
	return nil
}

// firstDuplicate is the first item listed twice ("" when none is).
func firstDuplicate(items []string) string {
	seen := map[string]bool{}
	for _, it := range items {
		if seen[it] {
			return it
		}
		seen[it] = true
	}
	return ""
}

// orLine is line, or fallback when line is unknown (0).
func orLine(line, fallback int) int {
	if line > 0 {
		return line
	}
	return fallback
}
