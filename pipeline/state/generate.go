package state

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/policystrata/policystrata/pipeline/spec"
)

// MaxRows bounds a generated state so a typo in state.yaml cannot exhaust memory.
const MaxRows = 2_000_000

// Generate builds the state of domain d with its settings' seed.
func Generate(d *spec.Domain) (*State, error) {
	return GenerateSeed(d, d.State.Seed)
}

// GenerateSeed builds the state of domain d with an explicit seed.
func GenerateSeed(d *spec.Domain, seed uint64) (*State, error) {
	s := &State{byName: map[string]*Table{}}
	for _, t := range d.Schema.Tables {
		nt := newTable(t)
		s.Tables = append(s.Tables, nt)
		s.byName[t.Name] = nt
	}
	total := 0
	for _, ts := range d.State.Tables {
		g := &gen{d: d, s: s, ts: ts, schema: d.Schema.Table(ts.Table), t: s.byName[ts.Table], total: &total}
		h := fnv.New64a()
		h.Write([]byte(ts.Table))
		g.rng = rand.New(rand.NewPCG(seed, h.Sum64()))
		if err := g.run(); err != nil {
			return nil, fmt.Errorf("generate state: %w", err)
		}
	}
	for _, t := range d.Schema.Tables {
		if t.MaterializedView == nil {
			continue
		}
		if err := s.materialize(d, t, &total); err != nil {
			return nil, fmt.Errorf("generate state: %w", err)
		}
	}
	return s, nil
}

type gen struct {
	d      *spec.Domain
	s      *State
	ts     *spec.TableState
	schema *spec.Table
	t      *Table
	rng    *rand.Rand
	n      int
	// total counts rows over all tables, so the bound holds mid-table.
	total *int
}

func (g *gen) run() error {
	if pp := g.ts.PerParent; pp != nil {
		fk := g.schema.FK(pp.Column)
		pt, _, _ := spec.SplitQualified(fk.References)
		parent := g.s.Table(pt)
		for _, prow := range parent.Rows {
			k := pp.Min + g.rng.IntN(pp.Max-pp.Min+1)
			for i := 0; i < k; i++ {
				row := make([]any, len(g.t.Columns))
				set := make([]bool, len(row))
				c := g.t.Col(pp.Column)
				row[c], set[c] = prow[parent.PK], true
				if err := g.emit(row, set); err != nil {
					return err
				}
			}
		}
	}
	for _, explicit := range g.ts.Rows {
		row := make([]any, len(g.t.Columns))
		set := make([]bool, len(row))
		for col, v := range explicit {
			i := g.t.Col(col)
			cv, err := convert(v, g.t.Types[i])
			if err != nil {
				return fmt.Errorf("table %s column %s: %w", g.t.Name, col, err)
			}
			row[i], set[i] = cv, true
		}
		if err := g.emit(row, set); err != nil {
			return err
		}
	}
	return nil
}

// emit fills the unset columns of row and appends it.
func (g *gen) emit(row []any, set []bool) error {
	if *g.total >= MaxRows {
		return fmt.Errorf("more than %d rows (table %s); lower the per_parent counts", MaxRows, g.t.Name)
	}
	*g.total++
	g.n++
	pk := g.t.PK
	if !set[pk] {
		if g.t.Types[pk] != "integer" {
			return fmt.Errorf("table %s: explicit rows must set the %s primary key", g.t.Name, g.t.Columns[pk])
		}
		row[pk], set[pk] = int64(len(g.t.Rows)+1), true
	}
	// three passes: independent generators, derived ones, then templates
	for pass := 0; pass < 3; pass++ {
		for i, col := range g.t.Columns {
			if set[i] {
				continue
			}
			gn := g.ts.Columns[col]
			if gn == nil {
				if pass == 2 {
					return fmt.Errorf("table %s: no generator and no value for column %s", g.t.Name, col)
				}
				continue
			}
			kind := 0
			switch {
			case gn.Lookup != "" || gn.RatioOf != nil || gn.Ref != "":
				kind = 1
			case gn.Template != "":
				kind = 2
			}
			if kind != pass {
				continue
			}
			v, err := g.value(gn, row, g.t.Types[i])
			if err != nil {
				return fmt.Errorf("table %s column %s: %w", g.t.Name, col, err)
			}
			row[i], set[i] = v, true
		}
	}
	owner, err := g.owner(row)
	if err != nil {
		return err
	}
	return g.t.add(row, owner)
}

func (g *gen) owner(row []any) (string, error) {
	if g.t.Name == g.d.Policy.Tenancy.Table {
		return fmt.Sprint(row[g.t.PK]), nil
	}
	via := g.schema.OwnerVia
	fk := g.schema.FK(via)
	pt, _, _ := spec.SplitQualified(fk.References)
	parent := g.s.Table(pt)
	_, idx, ok := parent.ByPK(row[g.t.Col(via)])
	if !ok {
		return "", fmt.Errorf("table %s: %s=%v references no %s row", g.t.Name, via, row[g.t.Col(via)], pt)
	}
	return parent.Owner[idx], nil
}

func (g *gen) value(gn *spec.Generator, row []any, typ string) (any, error) {
	if gn.NullShare > 0 && g.rng.Float64() < gn.NullShare {
		return nil, nil
	}
	switch {
	case len(gn.Choice) > 0:
		return convert(gn.Choice[g.rng.IntN(len(gn.Choice))], typ)
	case len(gn.IntBetween) == 2:
		lo, hi := gn.IntBetween[0], gn.IntBetween[1]
		if hi < lo {
			return nil, fmt.Errorf("int_between: %d > %d", lo, hi)
		}
		return lo + g.rng.Int64N(hi-lo+1), nil
	case gn.Bool != nil:
		return g.rng.Float64() < *gn.Bool, nil
	case len(gn.DateBetween) == 2:
		if len(gn.Boundaries) > 0 && g.rng.Float64() < gn.BoundaryShare {
			// dates, or RFC 3339 instants for timestamp columns
			return convert(gn.Boundaries[g.rng.IntN(len(gn.Boundaries))], typ)
		}
		lo, err := spec.ParseDate(gn.DateBetween[0])
		if err != nil {
			return nil, err
		}
		hi, err := spec.ParseDate(gn.DateBetween[1])
		if err != nil {
			return nil, err
		}
		days := int(hi.Sub(lo).Hours()/24) + 1
		if days < 1 {
			return nil, fmt.Errorf("date_between: empty range")
		}
		d := lo.AddDate(0, 0, g.rng.IntN(days))
		if typ == "timestamp" {
			d = d.Add(time.Duration(g.rng.IntN(86400)) * time.Second)
		}
		return d, nil
	case gn.Lookup != "":
		fkCol, refCol, ok := strings.Cut(gn.Lookup, ".")
		if !ok {
			return nil, fmt.Errorf("lookup %q: want fk_column.referenced_column", gn.Lookup)
		}
		fk := g.schema.FK(fkCol)
		if fk == nil {
			return nil, fmt.Errorf("lookup %q: %s is not a foreign key", gn.Lookup, fkCol)
		}
		pt, _, _ := spec.SplitQualified(fk.References)
		parent := g.s.Table(pt)
		prow, _, found := parent.ByPK(row[g.t.Col(fkCol)])
		if !found || parent.Col(refCol) < 0 {
			return nil, fmt.Errorf("lookup %q: no referenced row or column", gn.Lookup)
		}
		return prow[parent.Col(refCol)], nil
	case gn.RatioOf != nil:
		c := g.t.Col(gn.RatioOf.Column)
		base, ok := row[c].(int64)
		if c < 0 || !ok {
			return nil, fmt.Errorf("ratio_of: column %s is not an integer set earlier", gn.RatioOf.Column)
		}
		r := gn.RatioOf.Min + g.rng.Float64()*(gn.RatioOf.Max-gn.RatioOf.Min)
		return int64(math.Round(float64(base) * r)), nil
	case gn.Ref != "":
		rt, _, err := spec.SplitQualified(gn.Ref)
		if err != nil {
			return nil, err
		}
		ref := g.s.Table(rt)
		if ref == nil || len(ref.Rows) == 0 {
			return nil, fmt.Errorf("ref %s: no rows generated yet", gn.Ref)
		}
		cands := make([]int, 0, len(ref.Rows))
		want := ""
		if gn.SameOwner {
			o, err := g.owner(row)
			if err != nil {
				return nil, err
			}
			want = o
		}
		for i := range ref.Rows {
			if !gn.SameOwner || ref.Owner[i] == want {
				cands = append(cands, i)
			}
		}
		if len(cands) == 0 {
			return nil, nil
		}
		return ref.Rows[cands[g.rng.IntN(len(cands))]][ref.PK], nil
	case gn.Template != "":
		out := strings.ReplaceAll(gn.Template, "{n}", fmt.Sprint(g.n))
		for i, c := range g.t.Columns {
			if strings.Contains(out, "{"+c+"}") {
				out = strings.ReplaceAll(out, "{"+c+"}", fmt.Sprint(row[i]))
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("generator sets no kind")
}

// convert coerces a YAML scalar to a column type.
func convert(v any, typ string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch typ {
	case "text":
		return fmt.Sprint(v), nil
	case "integer":
		switch x := v.(type) {
		case int:
			return int64(x), nil
		case int64:
			return x, nil
		}
	case "boolean":
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case "date", "timestamp":
		switch x := v.(type) {
		case string:
			if typ == "timestamp" {
				if t, err := time.Parse(time.RFC3339, x); err == nil {
					return t.UTC(), nil
				}
			}
			return spec.ParseDate(x)
		case time.Time:
			return x.UTC(), nil
		}
	}
	return nil, fmt.Errorf("value %v (%T) does not fit column type %s", v, v, typ)
}
