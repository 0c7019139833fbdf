package importdomain

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing/fstest"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
	"github.com/policystrata/policystrata/suites"
)

// StateSeed is the seed written to the converted state.yaml (its rows are
// all explicit, so the seed only matters to suites that generate).
const StateSeed = 1

func less(a, b any) bool {
	ta, ok1 := a.(time.Time)
	tb, ok2 := b.(time.Time)
	if ok1 && ok2 {
		return ta.Before(tb)
	}
	return fmt.Sprint(a) < fmt.Sprint(b)
}

// schema builds schema.yaml's model.
func (c *conv) schema() *spec.Schema {
	s := &spec.Schema{Grants: c.grants}
	for _, t := range c.tables {
		st := &spec.Table{Name: t.Name, PrimaryKey: c.pk[t.Name], OwnerVia: c.owner[t.Name], SampleBy: c.sampleBy[t.Name]}
		for _, col := range t.Columns {
			ty, _ := portableType(col.DuckType)
			st.Columns = append(st.Columns, &spec.Column{Name: col.Name, Type: ty})
		}
		for _, fk := range t.ForeignKeys {
			parent := c.table(fk.RefTable)
			exp := 1
			if n := len(parent.Rows); n > 0 {
				exp = max(1, (len(t.Rows)+n-1)/n)
			}
			st.ForeignKeys = append(st.ForeignKeys, &spec.ForeignKey{Column: fk.Column, References: fk.RefTable + "." + fk.RefColumn, Expansion: exp})
		}
		s.Tables = append(s.Tables, st)
	}
	s.Tables = append(s.Tables, c.views...)
	return s
}

// stateNode builds state.yaml: every seed row, explicit, in seed order.
func (c *conv) stateNode() *yaml.Node {
	tables := seq(false)
	for _, t := range c.tables {
		rows := seq(false)
		for _, r := range t.Rows {
			row := mapping(true)
			for i, col := range t.Columns {
				ty, _ := portableType(col.DuckType)
				addPair(row, col.Name, scalar(yamlValue(r[i], ty)))
			}
			rows.Content = append(rows.Content, row)
		}
		tm := mapping(false)
		addPair(tm, "table", scalar(t.Name))
		if len(t.Rows) == 0 {
			rows = seq(true)
		}
		addPair(tm, "rows", rows)
		tables.Content = append(tables.Content, tm)
	}
	doc := mapping(false)
	addPair(doc, "seed", scalar(StateSeed))
	addPair(doc, "tables", tables)
	return doc
}

func yamlValue(v any, typ string) any {
	if tv, ok := v.(time.Time); ok {
		if typ == "date" {
			return tv.Format("2006-01-02")
		}
		return tv.Format(time.RFC3339)
	}
	return v
}

func seq(flow bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return n
}

func mapping(flow bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return n
}

// scalar is the YAML node of v. Strings, integers, booleans and null are
// built directly (an encoder per value made a large seed cost gigabytes of
// allocation); the encoder still quotes a string that reads as another type.
func scalar(v any) *yaml.Node {
	switch x := v.(type) {
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: x}
	case int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(x)}
	case int64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(x, 10)}
	case int32:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(int64(x), 10)}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(x)}
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
	n := &yaml.Node{}
	if err := n.Encode(v); err != nil {
		panic(fmt.Sprintf("encode %v: %v", v, err))
	}
	return n
}

func addPair(m *yaml.Node, k string, v *yaml.Node) {
	m.Content = append(m.Content, scalar(k), v)
}

// encodeStruct encodes v, drops empty and zero-valued optional fields and
// writes short lists and small mappings in flow style.
func encodeStruct(v any) (*yaml.Node, error) {
	n := &yaml.Node{}
	if err := n.Encode(v); err != nil {
		return nil, err
	}
	tidy(n, "")
	return n, nil
}

// zeroDropped are numeric fields whose zero means unset.
var zeroDropped = map[string]bool{"sample": true, "min_cohort_size": true}

func tidy(n *yaml.Node, key string) {
	switch n.Kind {
	case yaml.MappingNode:
		var kept []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if empty(v) || (zeroDropped[k.Value] && v.Value == "0") {
				continue
			}
			tidy(v, k.Value)
			kept = append(kept, k, v)
		}
		n.Content = kept
		if key == "" {
			return
		}
		if key == "columns" || key == "foreign_keys" {
			n.Style = yaml.FlowStyle
		}
	case yaml.SequenceNode:
		allScalar := true
		for _, e := range n.Content {
			tidy(e, key)
			allScalar = allScalar && e.Kind == yaml.ScalarNode
			if e.Kind == yaml.MappingNode && (key == "columns" || key == "foreign_keys") {
				e.Style = yaml.FlowStyle
			}
		}
		if allScalar && key != "grants" && !isGrantList(n) {
			n.Style = yaml.FlowStyle
		}
	}
}

// isGrantList keeps long column lists in block style.
func isGrantList(n *yaml.Node) bool { return len(n.Content) > 12 }

func empty(v *yaml.Node) bool {
	switch v.Kind {
	case yaml.ScalarNode:
		return v.Tag == "!!null" || (v.Tag == "!!str" && v.Value == "")
	case yaml.SequenceNode, yaml.MappingNode:
		return len(v.Content) == 0
	}
	return false
}

func render(header string, n *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(header)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// emit renders the converted domain's files.
func (c *conv) emit(surfaces []byte, tasks map[string][]byte) (map[string][]byte, error) {
	header := fmt.Sprintf("# Converted by policystrata import-domain from the reference domain %s.\n# See %s for what was inferred and what needs a person.\n", c.label, ReportFile)
	out := map[string][]byte{}
	pn, err := encodeStruct(c.policy)
	if err != nil {
		return nil, fmt.Errorf("encode policy: %w", err)
	}
	sn, err := encodeStruct(c.schema())
	if err != nil {
		return nil, fmt.Errorf("encode schema: %w", err)
	}
	for name, n := range map[string]*yaml.Node{"policy.yaml": pn, "schema.yaml": sn, "state.yaml": c.stateNode()} {
		data, err := render(header, n)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", name, err)
		}
		out[name] = data
	}
	out["surfaces.yaml"] = surfaces
	for p, data := range tasks {
		out[p] = data
	}
	return out, nil
}

// check loads the converted files as a domain (they must load) and each
// suite on it (a suite that does not load is reported).
func (c *conv) check(files map[string][]byte) error {
	fsys := fstest.MapFS{}
	for p, data := range files {
		fsys[p] = &fstest.MapFile{Data: data}
	}
	d, err := spec.LoadDomain(fsys, c.opts.Name, c.opts.Name)
	if err != nil {
		why := ""
		if len(c.rep.NeedsPerson) > 0 {
			why = " (needs a person: " + strings.Join(c.rep.NeedsPerson, "; ") + ")"
		}
		return strictyaml.Errorf(c.label, 0, "the converted domain would not load: %v%s", err, why)
	}
	for _, p := range spec.SortedKeys(files) {
		if path.Dir(p) != "tasks" {
			continue
		}
		name := path.Base(p)
		name = name[:len(name)-len(".yaml")]
		st, err := suites.Parse(d, name, p, files[p])
		if err != nil {
			c.rep.person("suite %s does not load on the converted domain: %v", p, err)
			continue
		}
		c.inapplicable(d, p, st)
	}
	return nil
}

// inapplicable reports the operators a suite names that the converted
// domain cannot take (its tasks will be accounted invalid).
func (c *conv) inapplicable(d *spec.Domain, p string, st *suites.Suite) {
	counts := map[string]int{}
	for t := range st.Tasks() {
		if t.Mutation != catalog.None {
			counts[t.Mutation]++
		}
	}
	for _, id := range spec.SortedKeys(counts) {
		op, ok := catalog.Get(id)
		if !ok {
			continue
		}
		if err := catalog.Applies(op, d); err != nil {
			hint := ""
			if slices.Contains(op.Requires, catalog.FeatureMinCohort) && c.opts.MinCohortSize == 0 {
				hint = " (the reference states no cohort threshold: pass --min-cohort-size N to give its aggregate-only roles one)"
			}
			c.rep.person("suite %s: %d task(s) of %s will be accounted invalid: %v%s", p, counts[id], id, err, hint)
		}
	}
}
