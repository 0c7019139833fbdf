package raigo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// Strict decoding walks the yaml.Node tree itself instead of relying on
// yaml.v3's KnownFields, so that `x_` extension fields can be accepted at any
// level, union types (a condition is a string or a mapping) decode naturally,
// every error carries a line, and unknown fields can be downgraded to
// warnings (test suites, per decision 8).
//
// Conventions on target structs: a field named Line (int, tagged `yaml:"-"`)
// receives the line of the mapping it was decoded from; a field named Lines
// (map[string]int, tagged `yaml:"-"`) receives the line of every key present;
// a field named Extensions (map[string]any, tagged `yaml:"-"`) receives the
// `x_` fields. `x_` fields on structs without Extensions are accepted and
// dropped.

// maxDecodeNodes bounds the nodes visited while decoding, alias expansion
// included, so that a "billion laughs" document fails instead of exhausting
// memory.
const maxDecodeNodes = 1 << 20

// DecodeOptions tunes [DecodeYAML] and [DecodeNode].
type DecodeOptions struct {
	// UnknownFieldsAsWarnings reports unknown fields as warnings instead of
	// errors; the rest of the document is still decoded.
	UnknownFieldsAsWarnings bool
}

// ParseYAML parses data (read from path) and returns the root node of its
// single document, which must be a mapping. Syntax errors, empty documents,
// non-mapping documents and multi-document streams are located errors.
func ParseYAML(path string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &PosError{Path: path, Line: 1, Msg: "file does not contain a valid YAML object"}
		}
		return nil, yamlError(path, data, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &PosError{Path: path, Line: extra.Line, Msg: "multiple YAML documents; the file must hold exactly one"}
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlError(path, data, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, &PosError{Path: path, Line: 1, Msg: "file does not contain a valid YAML object"}
		}
		root = root.Content[0]
	}
	for root.Kind == yaml.AliasNode && root.Alias != nil {
		root = root.Alias
	}
	if root.Kind != yaml.MappingNode {
		return nil, &PosError{Path: path, Line: root.Line, Msg: "file does not contain a valid YAML object (found " + kindOnly(root) + ")"}
	}
	return root, nil
}

// yamlError turns a yaml.v3 parse error into a located error, with the
// line corrected by strictyaml.SyntaxLine (yaml.v3 prints parser errors one
// line early).
func yamlError(path string, data []byte, err error) error {
	line, problem := strictyaml.SyntaxLine(err.Error(), data)
	return &PosError{Path: path, Line: line, Msg: "invalid YAML: " + problem}
}

// DecodeYAML strictly decodes the single YAML mapping document in data (read
// from path) into v, a non-nil pointer to a struct. It returns the warnings
// (unknown fields, when opts asks for that) and an [ErrorList] of located
// errors.
func DecodeYAML(path string, data []byte, v any, opts DecodeOptions) ([]Diagnostic, error) {
	root, err := ParseYAML(path, data)
	if err != nil {
		return nil, err
	}
	return DecodeNode(path, root, v, opts)
}

// DecodeNode is [DecodeYAML] for a node obtained from [ParseYAML].
func DecodeNode(path string, n *yaml.Node, v any, opts DecodeOptions) ([]Diagnostic, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return nil, errors.New("decode yaml: target must be a non-nil pointer")
	}
	d := &decoder{path: path, opts: opts, budget: maxDecodeNodes}
	d.decode(n, rv.Elem(), "")
	if len(d.errs) > 0 {
		return d.warns, d.errs
	}
	return d.warns, nil
}

// decoder carries the state of one strict decode.
type decoder struct {
	path   string
	opts   DecodeOptions
	errs   ErrorList
	warns  []Diagnostic
	budget int
}

// nodeDecoder is implemented by types with their own YAML shape (unions).
type nodeDecoder interface {
	decodeNode(d *decoder, n *yaml.Node, where string)
}

func (d *decoder) errorf(line int, format string, args ...any) {
	if len(d.errs) >= 50 {
		return
	}
	d.errs = append(d.errs, &PosError{Path: d.path, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// at prefixes a message with the location inside the document.
func at(where string) string {
	if where == "" {
		return ""
	}
	return where + ": "
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func nodeKind(n *yaml.Node) string {
	k := kindOnly(n)
	if n.Kind == yaml.ScalarNode && n.ShortTag() != "!!null" {
		k += " " + quoteShort(n.Value)
	}
	return k
}

// kindOnly names n's kind without its value: a whole document that is not
// a mapping (say, a text file given as a policy) must not be echoed.
func kindOnly(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!bool":
			return "a boolean"
		case "!!int":
			return "an integer"
		case "!!float":
			return "a number"
		}
		return "a string"
	case yaml.AliasNode:
		return "an alias"
	}
	return "an unsupported node"
}

// maxQuoted bounds how much of a value an error message repeats.
const maxQuoted = 40

// quoteShort quotes v, cut to maxQuoted runes on its first line.
func quoteShort(v string) string {
	cut := false
	if i := strings.IndexByte(v, '\n'); i >= 0 {
		v, cut = v[:i], true
	}
	if r := []rune(v); len(r) > maxQuoted {
		v, cut = string(r[:maxQuoted]), true
	}
	if cut {
		return strconv.Quote(v) + "…"
	}
	return strconv.Quote(v)
}

// deref follows aliases, charging the budget.
func (d *decoder) deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode; i++ {
		if n.Alias == nil || i > 100 {
			d.errorf(n.Line, "unresolvable YAML alias")
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line}
		}
		n = n.Alias
	}
	return n
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, where string) {
	d.budget--
	if d.budget < 0 {
		if d.budget == -1 {
			d.errorf(n.Line, "document too large: more than %d nodes after alias expansion", maxDecodeNodes)
		}
		return
	}
	n = d.deref(n)
	if v.CanAddr() {
		if u, ok := v.Addr().Interface().(nodeDecoder); ok {
			u.decodeNode(d, n, where)
			return
		}
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			v.SetZero()
			return
		}
		p := reflect.New(v.Type().Elem())
		d.decode(n, p.Elem(), where)
		v.Set(p)
	case reflect.Struct:
		d.decodeStruct(n, v, where)
	case reflect.Slice:
		if isNull(n) {
			v.SetZero()
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.errorf(n.Line, "%sexpected a list, got %s", at(where), nodeKind(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			d.decode(c, s.Index(i), fmt.Sprintf("%s[%d]", where, i))
		}
		v.Set(s)
	case reflect.Map:
		d.decodeMap(n, v, where)
	case reflect.Interface:
		if isNull(n) {
			return
		}
		var x any
		if err := n.Decode(&x); err != nil {
			d.errorf(n.Line, "%s%s", at(where), strings.TrimPrefix(err.Error(), "yaml: "))
			return
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
	case reflect.String:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.ScalarNode {
			d.errorf(n.Line, "%sexpected a string, got %s", at(where), nodeKind(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		if isNull(n) {
			return
		}
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			d.errorf(n.Line, "%sexpected a boolean (true or false), got %s", at(where), nodeKind(n))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64, reflect.Int32:
		if isNull(n) {
			return
		}
		var i int64
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&i) != nil || v.OverflowInt(i) {
			d.errorf(n.Line, "%sexpected an integer, got %s", at(where), nodeKind(n))
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		if isNull(n) {
			return
		}
		var f float64
		tag := n.ShortTag()
		if n.Kind != yaml.ScalarNode || (tag != "!!int" && tag != "!!float") || n.Decode(&f) != nil {
			d.errorf(n.Line, "%sexpected a number, got %s", at(where), nodeKind(n))
			return
		}
		v.SetFloat(f)
	default:
		d.errorf(n.Line, "%sunsupported target type %s", at(where), v.Type())
	}
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, where string) {
	if isNull(n) {
		v.SetZero()
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n.Line, "%sexpected a mapping, got %s", at(where), nodeKind(n))
		return
	}
	if v.Type().Key().Kind() != reflect.String {
		d.errorf(n.Line, "%sunsupported map key type %s", at(where), v.Type().Key())
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := d.deref(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k.Line, "%skeys must be strings, got %s", at(where), nodeKind(k))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errorf(k.Line, "%sduplicate key %q (first at line %d)", at(where), k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(val, elem, joinWhere(where, k.Value))
		m.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), elem)
	}
	v.Set(m)
}

func joinWhere(where, key string) string {
	if where == "" {
		return key
	}
	return where + "." + key
}

// structInfo describes how a struct type maps to YAML keys.
type structInfo struct {
	fields     map[string]int
	names      []string
	line       int // index of the Line field or -1
	lines      int // index of the Lines field or -1
	extensions int // index of the Extensions field or -1
}

var structInfos sync.Map // reflect.Type -> *structInfo

func infoFor(t reflect.Type) *structInfo {
	if si, ok := structInfos.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{fields: map[string]int{}, line: -1, lines: -1, extensions: -1}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			switch {
			case f.Name == "Line" && f.Type.Kind() == reflect.Int:
				si.line = i
			case f.Name == "Lines" && f.Type == reflect.TypeOf(map[string]int(nil)):
				si.lines = i
			case f.Name == "Extensions" && f.Type == reflect.TypeOf(map[string]any(nil)):
				si.extensions = i
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		si.fields[name] = i
		si.names = append(si.names, name)
	}
	sort.Strings(si.names)
	actual, _ := structInfos.LoadOrStore(t, si)
	return actual.(*structInfo)
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, where string) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n.Line, "%sexpected a mapping, got %s", at(where), nodeKind(n))
		return
	}
	si := infoFor(v.Type())
	if si.line >= 0 {
		v.Field(si.line).SetInt(int64(n.Line))
	}
	var lines map[string]int
	if si.lines >= 0 {
		lines = make(map[string]int, len(n.Content)/2)
		v.Field(si.lines).Set(reflect.ValueOf(lines))
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := d.deref(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k.Line, "%sfield names must be strings, got %s", at(where), nodeKind(k))
			continue
		}
		if k.ShortTag() == "!!merge" {
			d.errorf(k.Line, "%sYAML merge keys (<<) are not supported", at(where))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errorf(k.Line, "%sduplicate field %q (first at line %d)", at(where), k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		if lines != nil {
			lines[k.Value] = k.Line
		}
		if idx, ok := si.fields[k.Value]; ok {
			d.decode(val, v.Field(idx), joinWhere(where, k.Value))
			continue
		}
		if strings.HasPrefix(k.Value, "x_") {
			if si.extensions >= 0 {
				ext := v.Field(si.extensions)
				if ext.IsNil() {
					ext.Set(reflect.ValueOf(map[string]any{}))
				}
				var x any
				d.decode(val, reflect.ValueOf(&x).Elem(), joinWhere(where, k.Value))
				ext.SetMapIndex(reflect.ValueOf(k.Value), reflect.ValueOf(&x).Elem())
			}
			continue
		}
		msg := fmt.Sprintf("unknown field %q", k.Value)
		if where != "" {
			msg += " in " + where
		}
		if s := suggest(k.Value, si.names); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		if d.opts.UnknownFieldsAsWarnings {
			d.warns = append(d.warns, Diagnostic{Path: d.path, Line: k.Line, Message: msg})
			continue
		}
		d.errorf(k.Line, "%s", msg)
	}
}

// reflectValue returns the addressable struct value behind pointer p.
func reflectValue(p any) reflect.Value { return reflect.ValueOf(p).Elem() }
