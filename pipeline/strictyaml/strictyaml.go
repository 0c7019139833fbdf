// Package strictyaml decodes YAML documents strictly: an unknown field, a bad
// type or a duplicate key is an error that names the file and line
// (`path:line: message`), and struct fields named Line (tagged `yaml:"-"`) are
// filled with the line their value started on so later validation can point
// back into the file; a field Lines map[string]int (tagged `yaml:"-"`) gets
// the line of each key of the struct's mapping.
package strictyaml

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Error is a user-facing input error located in a file.
type Error struct {
	Path string
	Line int
	Msg  string
}

// Error formats the error as `path:line: message` (or `path: message` when the
// line is unknown).
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// Errorf builds an Error for path at line.
func Errorf(path string, line int, format string, args ...any) *Error {
	return &Error{Path: path, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// IsInputError reports whether err wraps an *Error (bad user input).
func IsInputError(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// Decode parses data (read from path) into v, which must be a pointer to a
// struct, map or slice. Unknown fields and type mismatches are errors.
// Fields tagged `yaml:"-"` receive lines for messages: `Line int` the line
// of its struct, `Lines map[string]int` the line of each key of its struct,
// and beside a field F, `FLines []int` the line of each item of F's list or
// `FLines map[string]EntryLines` the lines of each entry of F's mapping.
func Decode(path string, data []byte, v any) error {
	if len(data) > MaxFileBytes {
		return Errorf(path, 0, "file is %d bytes, over the limit of %d", len(data), MaxFileBytes)
	}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if err.Error() == "EOF" {
			return Errorf(path, 0, "empty document")
		}
		return convert(path, data, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return Errorf(path, extra.Line, "more than one YAML document (a second one starts here)")
	} else if err.Error() != "EOF" {
		return convert(path, data, err)
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if err := checkScalars(path, doc); err != nil {
		return err
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("strictyaml: decode target must be a non-nil pointer")
	}
	if err := check(path, doc, rv.Type().Elem(), false); err != nil {
		return err
	}
	if err := doc.Decode(v); err != nil {
		return convert(path, data, err)
	}
	fillLines(doc, rv.Elem())
	return nil
}

// convert rewrites yaml.v3 errors ("line 4: cannot unmarshal ...") into Errors.
func convert(path string, data []byte, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg := strings.TrimSpace(te.Errors[0])
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			var line int
			fmt.Sscanf(m[1], "%d", &line)
			return Errorf(path, line, "%s", m[2])
		}
		return Errorf(path, 0, "%s", msg)
	}
	line, problem := SyntaxLine(err.Error(), data)
	return Errorf(path, line, "%s", problem)
}

// yamlFields maps the YAML keys of a struct type to their field types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range yamlFields(ft) {
					out[k] = v
				}
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

var unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()

// check walks node against type t, reporting unknown and duplicate keys,
// aliases anywhere, and null where a list element or map value must be a
// mapping (optional struct fields may be null).
func check(path string, n *yaml.Node, t reflect.Type, nullable bool) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode {
		return Errorf(path, n.Line, "YAML aliases are not supported")
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	isNull := n.Kind == yaml.ScalarNode && n.Tag == "!!null"
	switch t.Kind() {
	case reflect.Interface:
		return noAliases(path, n)
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			if isNull && nullable {
				return nil
			}
			return Errorf(path, n.Line, "expected a mapping, got %s", kindName(n))
		}
		fields := yamlFields(t)
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if seen[k.Value] {
				return Errorf(path, k.Line, "duplicate field %q", k.Value)
			}
			seen[k.Value] = true
			ft, ok := fields[k.Value]
			if !ok {
				return Errorf(path, k.Line, "unknown field %q (known: %s)", k.Value, strings.Join(sortedKeys(fields), ", "))
			}
			if err := check(path, v, ft, true); err != nil {
				return err
			}
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
				return nil
			}
			return Errorf(path, n.Line, "expected a mapping, got %s", kindName(n))
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if seen[k.Value] {
				return Errorf(path, k.Line, "duplicate key %q", k.Value)
			}
			seen[k.Value] = true
			if err := check(path, v, t.Elem(), false); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
				return nil
			}
			return Errorf(path, n.Line, "expected a list, got %s", kindName(n))
		}
		for _, c := range n.Content {
			if err := check(path, c, t.Elem(), false); err != nil {
				return err
			}
		}
	}
	return nil
}

// noAliases rejects an alias anywhere below n.
func noAliases(path string, n *yaml.Node) error {
	if n.Kind == yaml.AliasNode {
		return Errorf(path, n.Line, "YAML aliases are not supported")
	}
	for _, c := range n.Content {
		if err := noAliases(path, c); err != nil {
			return err
		}
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return fmt.Sprintf("scalar %q", n.Value)
	}
	return "an unsupported node"
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// fillLines sets every `Line int` field tagged `yaml:"-"` to the line of the
// node its struct was decoded from, and the Lines fields Decode describes.
func fillLines(n *yaml.Node, v reflect.Value) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		if f := v.FieldByName("Line"); f.IsValid() && f.CanSet() && f.Kind() == reflect.Int {
			f.SetInt(int64(n.Line))
		}
		if n.Kind != yaml.MappingNode {
			return
		}
		if f := v.FieldByName("Lines"); f.IsValid() && f.CanSet() && f.Type() == reflect.TypeOf(map[string]int{}) {
			lines := map[string]int{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				lines[n.Content[i].Value] = n.Content[i].Line
			}
			f.Set(reflect.ValueOf(lines))
		}
		t := v.Type()
		byName := map[string]int{}
		for i := 0; i < t.NumField(); i++ {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
			if name == "" {
				name = strings.ToLower(t.Field(i).Name)
			}
			byName[name] = i
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if idx, ok := byName[n.Content[i].Value]; ok && t.Field(idx).IsExported() {
				fillLines(n.Content[i+1], v.Field(idx))
				fillSiblingLines(n.Content[i+1], v.FieldByName(t.Field(idx).Name+"Lines"))
			}
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode || v.IsNil() {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := reflect.ValueOf(n.Content[i].Value)
			if !key.Type().AssignableTo(v.Type().Key()) {
				return
			}
			elem := v.MapIndex(key)
			if !elem.IsValid() {
				continue
			}
			if elem.Kind() == reflect.Pointer {
				fillLines(n.Content[i+1], elem)
				continue
			}
			cp := reflect.New(elem.Type()).Elem()
			cp.Set(elem)
			fillLines(n.Content[i+1], cp)
			v.SetMapIndex(key, cp)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for i := 0; i < len(n.Content) && i < v.Len(); i++ {
			fillLines(n.Content[i], v.Index(i))
		}
	}
}

// EntryLines locates one entry of a mapping: the line of its key and, when
// its value is a list, the line of each item.
type EntryLines struct {
	Key   int
	Items []int
}

// fillSiblingLines fills the field <F>Lines (tagged `yaml:"-"`) that sits
// beside a field F decoded from node n: a []int gets the line of each item
// of a list, a map[string]EntryLines the lines of each entry of a mapping.
func fillSiblingLines(n *yaml.Node, f reflect.Value) {
	if !f.IsValid() || !f.CanSet() {
		return
	}
	items := func(n *yaml.Node) []int {
		if n.Kind != yaml.SequenceNode {
			return nil
		}
		out := make([]int, len(n.Content))
		for i, c := range n.Content {
			out[i] = c.Line
		}
		return out
	}
	switch f.Type() {
	case reflect.TypeOf([]int(nil)):
		f.Set(reflect.ValueOf(items(n)))
	case reflect.TypeOf(map[string]EntryLines(nil)):
		if n.Kind != yaml.MappingNode {
			return
		}
		m := map[string]EntryLines{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = EntryLines{Key: n.Content[i].Line, Items: items(n.Content[i+1])}
		}
		f.Set(reflect.ValueOf(m))
	}
}
