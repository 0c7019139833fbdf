package spec

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// placeholderRE finds the {name} placeholders of a template generator.
var placeholderRE = regexp.MustCompile(`\{([A-Za-z0-9_]*)\}`)

// validateGenerator checks one column generator of table t in state.yaml:
// exactly one kind, and the kind's arguments in range (shares in [0, 1],
// ordered and real dates, non-empty choices, columns and tables that
// exist). It returns a message, or "" when g is valid.
func (sch *Schema) validateGenerator(t *Table, col string, g *Generator) string {
	if g == nil {
		return fmt.Sprintf("column %s: empty generator", col)
	}
	kinds := []string{}
	add := func(set bool, name string) {
		if set {
			kinds = append(kinds, name)
		}
	}
	add(g.Choice != nil, "choice")
	add(g.IntBetween != nil, "int_between")
	add(g.Bool != nil, "bool")
	add(g.DateBetween != nil, "date_between")
	add(g.Template != "", "template")
	add(g.Lookup != "", "lookup")
	add(g.RatioOf != nil, "ratio_of")
	add(g.Ref != "", "ref")
	if len(kinds) != 1 {
		return fmt.Sprintf("column %s: a generator needs exactly one kind (choice, int_between, bool, date_between, template, lookup, ratio_of, ref), got %d: %s", col, len(kinds), strings.Join(kinds, ", "))
	}
	if m := sch.generatorType(t, col, kinds[0], g); m != "" {
		return m
	}
	share := func(name string, v float64) string {
		if v < 0 || v > 1 {
			return fmt.Sprintf("column %s: %s %v must be between 0 and 1", col, name, v)
		}
		return ""
	}
	if m := share("null_share", g.NullShare); m != "" {
		return m
	}
	if m := share("boundary_share", g.BoundaryShare); m != "" {
		return m
	}
	if (len(g.Boundaries) > 0 || g.BoundaryShare != 0) && g.DateBetween == nil {
		return fmt.Sprintf("column %s: boundaries and boundary_share belong to a date_between generator", col)
	}
	switch kinds[0] {
	case "choice":
		if len(g.Choice) == 0 {
			return fmt.Sprintf("column %s: choice needs at least one value", col)
		}
	case "int_between":
		if len(g.IntBetween) != 2 || g.IntBetween[0] > g.IntBetween[1] {
			return fmt.Sprintf("column %s: int_between needs [low, high] with low <= high", col)
		}
		if g.IntBetween[0] < -MaxGeneratedInt || g.IntBetween[1] > MaxGeneratedInt {
			return fmt.Sprintf("column %s: int_between bounds must lie within ±%d (2^53, exact in JSON traces)", col, MaxGeneratedInt)
		}
	case "bool":
		return share("bool", *g.Bool)
	case "date_between":
		if len(g.DateBetween) != 2 {
			return fmt.Sprintf("column %s: date_between needs [first, last]", col)
		}
		// the range is two dates (spec.ParseDate, as the generator reads
		// them); boundaries may also be RFC 3339 instants (timestamp columns)
		lo, err := ParseDate(g.DateBetween[0])
		if err != nil {
			return fmt.Sprintf("column %s: date_between: %v", col, err)
		}
		hi, err := ParseDate(g.DateBetween[1])
		if err != nil {
			return fmt.Sprintf("column %s: date_between: %v", col, err)
		}
		if hi.Before(lo) {
			return fmt.Sprintf("column %s: date_between: %s is after %s", col, g.DateBetween[0], g.DateBetween[1])
		}
		for _, b := range g.Boundaries {
			if _, err := ParseDate(b); err != nil {
				if _, err := time.Parse(time.RFC3339, b); err != nil {
					return fmt.Sprintf("column %s: boundary %q is neither a YYYY-MM-DD date nor an RFC 3339 time", col, b)
				}
			}
		}
	case "lookup":
		fk, ref, ok := strings.Cut(g.Lookup, ".")
		f := t.FK(fk)
		if !ok || f == nil {
			return fmt.Sprintf("column %s: lookup %q: want fk_column.referenced_column with a foreign key of %s", col, g.Lookup, t.Name)
		}
		rt, _, err := SplitQualified(f.References)
		if err != nil || sch.Table(rt) == nil || sch.Table(rt).Column(ref) == nil {
			return fmt.Sprintf("column %s: lookup %q: %s has no column %q", col, g.Lookup, rt, ref)
		}
	case "ratio_of":
		c := t.Column(g.RatioOf.Column)
		if c == nil || c.Type != "integer" {
			return fmt.Sprintf("column %s: ratio_of: %q is not an integer column of %s", col, g.RatioOf.Column, t.Name)
		}
		if g.RatioOf.Max < g.RatioOf.Min {
			return fmt.Sprintf("column %s: ratio_of needs min <= max", col)
		}
	case "template":
		for _, m := range placeholderRE.FindAllStringSubmatch(g.Template, -1) {
			if m[1] != "n" && t.Column(m[1]) == nil {
				return fmt.Sprintf("column %s: template placeholder {%s} is neither {n} nor a column of %s", col, m[1], t.Name)
			}
		}
	case "ref":
		rt, rc, err := SplitQualified(g.Ref)
		if err != nil || sch.Table(rt) == nil || sch.Table(rt).Column(rc) == nil {
			return fmt.Sprintf("column %s: ref %q is not a table.column of the schema", col, g.Ref)
		}
	}
	return ""
}

// MaxGeneratedInt bounds int_between: 2^53, the largest magnitude every
// integer below it keeps exactly in JSON (and a span that cannot overflow).
const MaxGeneratedInt = 1 << 53

// generatorTypes are the column types each kind of generator produces
// (choice values are converted, and checked, as they are generated).
var generatorTypes = map[string][]string{
	"int_between":  {"integer"},
	"ratio_of":     {"integer"},
	"date_between": {"date", "timestamp"},
	"bool":         {"boolean"},
	"template":     {"text"},
}

// generatorType reports a generator whose values cannot fill column col
// of t, or "".
func (sch *Schema) generatorType(t *Table, col, kind string, g *Generator) string {
	c := t.Column(col)
	if c == nil {
		return ""
	}
	if want, ok := generatorTypes[kind]; ok && !slices.Contains(want, c.Type) {
		return fmt.Sprintf("column %s is %s, but the %s generator makes %s values", col, c.Type, kind, strings.Join(want, " or "))
	}
	src := ""
	switch kind {
	case "ref":
		src = g.Ref
	case "lookup":
		if fk, ref, ok := strings.Cut(g.Lookup, "."); ok && t.FK(fk) != nil {
			rt, _, _ := SplitQualified(t.FK(fk).References)
			src = rt + "." + ref
		}
	}
	if rt, rc, err := SplitQualified(src); err == nil && sch.Table(rt) != nil && sch.Table(rt).Column(rc) != nil {
		if from := sch.Table(rt).Column(rc).Type; from != c.Type {
			return fmt.Sprintf("column %s is %s, but its %s %s is %s", col, c.Type, kind, src, from)
		}
	}
	return ""
}
