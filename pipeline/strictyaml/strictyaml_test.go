package strictyaml

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// item is a nested struct with a Line field.
type item struct {
	Name string   `yaml:"name"`
	Tags []string `yaml:"tags"`
	Line int      `yaml:"-"`
}

// Common is inlined into doc.
type Common struct {
	Owner string `yaml:"owner"`
}

// doc exercises nested structs, maps, slices, inline fields and Line filling.
type doc struct {
	Version string            `yaml:"version"`
	Count   int               `yaml:"count"`
	Enabled bool              `yaml:"enabled"`
	Nested  item              `yaml:"nested"`
	Ptr     *item             `yaml:"ptr"`
	Items   []*item           `yaml:"items"`
	Values  []item            `yaml:"values"`
	ByName  map[string]*item  `yaml:"by_name"`
	ByValue map[string]item   `yaml:"by_value"`
	Labels  map[string]string `yaml:"labels"`
	Extra   map[string]any    `yaml:"extra"`
	Untag   string
	Common  `yaml:",inline"`
	Line    int `yaml:"-"`
}

func knownDoc() string {
	return "by_name, by_value, count, enabled, extra, items, labels, nested, owner, ptr, untag, values, version"
}

// decodeErr decodes src into a fresh doc and returns the *Error (failing the
// test if the error has another type).
func decodeErr(t *testing.T, src string) *Error {
	t.Helper()
	var v doc
	err := Decode("dir/f.yaml", []byte(src), &v)
	if err == nil {
		t.Fatalf("Decode(%q) = nil error, want an error", src)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Decode(%q) error %v has type %T, want *strictyaml.Error", src, err, err)
	}
	if !IsInputError(err) {
		t.Errorf("IsInputError(%v) = false", err)
	}
	if e.Path != "dir/f.yaml" {
		t.Errorf("Path = %q, want dir/f.yaml", e.Path)
	}
	return e
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string // the full error text
	}{
		{
			name: "unknown top-level field",
			src:  "version: v1\nbogus: 1\n",
			want: `dir/f.yaml:2: unknown field "bogus" (known: ` + knownDoc() + ")",
		},
		{
			name: "unknown field in nested struct",
			src:  "version: v1\nnested:\n  name: a\n  colour: red\n",
			want: `dir/f.yaml:4: unknown field "colour" (known: name, tags)`,
		},
		{
			name: "unknown field in pointer struct",
			src:  "ptr:\n  nam: a\n",
			want: `dir/f.yaml:2: unknown field "nam" (known: name, tags)`,
		},
		{
			name: "unknown field in slice element",
			src:  "items:\n  - name: a\n  - name: b\n    size: 3\n",
			want: `dir/f.yaml:4: unknown field "size" (known: name, tags)`,
		},
		{
			name: "unknown field in value slice element",
			src:  "values:\n  - {name: a, x: 1}\n",
			want: `dir/f.yaml:2: unknown field "x" (known: name, tags)`,
		},
		{
			name: "unknown field in map value",
			src:  "by_name:\n  a:\n    name: a\n  b:\n    name: b\n    weight: 2\n",
			want: `dir/f.yaml:6: unknown field "weight" (known: name, tags)`,
		},
		{
			name: "line field is not a yaml key",
			src:  "nested:\n  name: a\n  line: 3\n",
			want: `dir/f.yaml:3: unknown field "line" (known: name, tags)`,
		},
		{
			name: "wrong scalar type",
			src:  "version: v1\ncount: many\n",
			want: "dir/f.yaml:2: cannot unmarshal !!str `many` into int",
		},
		{
			name: "wrong scalar type deep in a map",
			src:  "by_value:\n  a:\n    name: a\n    tags: [x]\n  b:\n    name: [1]\n",
			want: "dir/f.yaml:6: cannot unmarshal !!seq into string",
		},
		{
			name: "bool expected",
			src:  "enabled: maybe\n",
			want: "dir/f.yaml:1: cannot unmarshal !!str `maybe` into bool",
		},
		{
			name: "mapping expected, scalar given",
			src:  "version: v1\nnested: 5\n",
			want: `dir/f.yaml:2: expected a mapping, got scalar "5"`,
		},
		{
			name: "mapping expected, list given",
			src:  "labels:\n  - a\n",
			want: "dir/f.yaml:2: expected a mapping, got a list",
		},
		{
			name: "list expected, mapping given",
			src:  "items:\n  name: a\n",
			want: "dir/f.yaml:2: expected a list, got a mapping",
		},
		{
			name: "list expected, scalar given",
			src:  "nested:\n  tags: solo\n",
			want: `dir/f.yaml:2: expected a list, got scalar "solo"`,
		},
		{
			name: "top level is a list",
			src:  "- 1\n- 2\n",
			want: "dir/f.yaml:1: expected a mapping, got a list",
		},
		{
			name: "duplicate struct field",
			src:  "version: v1\ncount: 1\nversion: v2\n",
			want: `dir/f.yaml:3: duplicate field "version"`,
		},
		{
			name: "duplicate nested struct field",
			src:  "items:\n  - name: a\n    tags: []\n    name: b\n",
			want: `dir/f.yaml:4: duplicate field "name"`,
		},
		{
			name: "duplicate map key",
			src:  "labels:\n  a: x\n  b: y\n  a: z\n",
			want: `dir/f.yaml:4: duplicate key "a"`,
		},
		{
			name: "duplicate inline field",
			src:  "owner: a\nowner: b\n",
			want: `dir/f.yaml:2: duplicate field "owner"`,
		},
		{
			name: "empty document",
			src:  "",
			want: "dir/f.yaml: empty document",
		},
		{
			name: "comment-only document",
			src:  "# nothing here\n\n",
			want: "dir/f.yaml: empty document",
		},
		{
			name: "alias to a scalar",
			src:  "version: &v v1\nuntag: *v\n",
			want: "dir/f.yaml:2: YAML aliases are not supported",
		},
		{
			name: "alias to a mapping",
			src:  "nested: &n\n  name: a\nptr: *n\n",
			want: "dir/f.yaml:3: YAML aliases are not supported",
		},
		{
			name: "alias as a list element",
			src:  "items:\n  - &a {name: a}\n  - *a\n",
			want: "dir/f.yaml:3: YAML aliases are not supported",
		},
		{
			name: "alias as a map value of any",
			src:  "extra:\n  a: &x 1\n  b: *x\n",
			want: "dir/f.yaml:3: YAML aliases are not supported",
		},
		{
			name: "merge key is an unknown field",
			src:  "nested: &n {name: a}\nptr:\n  <<: *n\n",
			want: `dir/f.yaml:3: unknown field "<<" (known: name, tags)`,
		},
		{
			name: "unknown anchor",
			src:  "version: *nowhere\n",
			want: "dir/f.yaml: unknown anchor 'nowhere' referenced",
		},
		{
			// The error is found at the end of the stream (line 2), which
			// is put on the last line.
			name: "syntax error carries the line",
			src:  "items: [1, 2\n",
			want: "dir/f.yaml:1: did not find expected ',' or ']'",
		},
		{
			name: "tab indentation",
			src:  "version: v1\nitems:\n\t- name: a\n",
			want: "dir/f.yaml:3: found character that cannot start any token",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := decodeErr(t, tt.src)
			if got := e.Error(); got != tt.want {
				t.Errorf("error:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{Errorf("a/b.yaml", 7, "bad %s %d", "thing", 3), "a/b.yaml:7: bad thing 3"},
		{Errorf("a/b.yaml", 0, "whole file"), "a/b.yaml: whole file"},
		{&Error{Path: "x", Line: -1, Msg: "m"}, "x: m"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
	wrapped := fmt.Errorf("load policy: %w", Errorf("p.yaml", 2, "x"))
	if !IsInputError(wrapped) {
		t.Errorf("IsInputError(wrapped) = false, want true")
	}
	if IsInputError(errors.New("plain")) || IsInputError(nil) {
		t.Errorf("IsInputError reports a plain error as input error")
	}
}

func TestDecodeTarget(t *testing.T) {
	var v doc
	for _, target := range []any{v, nil, (*doc)(nil)} {
		err := Decode("f.yaml", []byte("version: v1\n"), target)
		if err == nil {
			t.Errorf("Decode into %T: nil error, want one", target)
		}
		if IsInputError(err) {
			t.Errorf("Decode into %T: %v is reported as an input error; a bad target is a programming error", target, err)
		}
	}
}

func TestDecodeFillsLines(t *testing.T) {
	src := `version: v1
count: 3
enabled: true
nested:
  name: n
  tags: [a, b]
ptr: {name: p}
items:
  - name: i1
  - name: i2

    tags: [x]
values:
  - name: v1
  -
    name: v2
by_name:
  first:
    name: f
  second: {name: s}
by_value:
  one:
    name: o
  two:
    name: t
labels: {k: v}
extra:
  any: [1, 2]
  more: {deep: true}
untag: u
owner: me
`
	var got doc
	if err := Decode("f.yaml", []byte(src), &got); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	want := doc{
		Version: "v1", Count: 3, Enabled: true,
		Nested: item{Name: "n", Tags: []string{"a", "b"}, Line: 5},
		Ptr:    &item{Name: "p", Line: 7},
		Items:  []*item{{Name: "i1", Line: 9}, {Name: "i2", Tags: []string{"x"}, Line: 10}},
		Values: []item{{Name: "v1", Line: 14}, {Name: "v2", Line: 16}},
		ByName: map[string]*item{"first": {Name: "f", Line: 19}, "second": {Name: "s", Line: 20}},
		ByValue: map[string]item{
			"one": {Name: "o", Line: 23},
			"two": {Name: "t", Line: 25},
		},
		Labels: map[string]string{"k": "v"},
		Extra:  map[string]any{"any": []any{1, 2}, "more": map[string]any{"deep": true}},
		Untag:  "u",
		Common: Common{Owner: "me"},
		Line:   1,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Decode mismatch:\n got %#v\nwant %#v", got, want)
		for i := 0; i < reflect.TypeOf(got).NumField(); i++ {
			g, w := reflect.ValueOf(got).Field(i), reflect.ValueOf(want).Field(i)
			if !g.CanInterface() {
				continue
			}
			if !reflect.DeepEqual(g.Interface(), w.Interface()) {
				t.Errorf("field %s:\n got %s\nwant %s", reflect.TypeOf(got).Field(i).Name, show(g.Interface()), show(w.Interface()))
			}
		}
	}
}

// show prints pointers' targets so Line mismatches are readable.
func show(v any) string {
	switch x := v.(type) {
	case *item:
		if x == nil {
			return "nil"
		}
		return fmt.Sprintf("&%+v", *x)
	case []*item:
		var parts []string
		for _, p := range x {
			parts = append(parts, show(p))
		}
		return "[" + strings.Join(parts, " ") + "]"
	case map[string]*item:
		var parts []string
		for k, p := range x {
			parts = append(parts, k+":"+show(p))
		}
		return "{" + strings.Join(parts, " ") + "}"
	}
	return fmt.Sprintf("%+v", v)
}

func TestDecodeTopLevelCollections(t *testing.T) {
	t.Run("map of structs", func(t *testing.T) {
		var m map[string]*item
		if err := Decode("m.yaml", []byte("a:\n  name: x\nb:\n  name: y\n"), &m); err != nil {
			t.Fatal(err)
		}
		if m["a"].Line != 2 || m["b"].Line != 4 || m["b"].Name != "y" {
			t.Errorf("got a=%+v b=%+v, want lines 2 and 4", *m["a"], *m["b"])
		}
		err := Decode("m.yaml", []byte("a: {name: x}\na: {name: y}\n"), &m)
		if err == nil || err.Error() != `m.yaml:2: duplicate key "a"` {
			t.Errorf("duplicate top-level key: got %v", err)
		}
	})
	t.Run("slice of structs", func(t *testing.T) {
		var s []item
		if err := Decode("s.yaml", []byte("- name: x\n- name: y\n  tags: [t]\n"), &s); err != nil {
			t.Fatal(err)
		}
		want := []item{{Name: "x", Line: 1}, {Name: "y", Tags: []string{"t"}, Line: 2}}
		if !reflect.DeepEqual(s, want) {
			t.Errorf("got %+v, want %+v", s, want)
		}
		err := Decode("s.yaml", []byte("- name: x\n- nope: y\n"), &s)
		if err == nil || err.Error() != `s.yaml:2: unknown field "nope" (known: name, tags)` {
			t.Errorf("unknown field in top-level slice: got %v", err)
		}
	})
	t.Run("null values leave zero values", func(t *testing.T) {
		var v doc
		if err := Decode("n.yaml", []byte("nested: ~\nitems: null\nlabels:\nptr: ~\n"), &v); err != nil {
			t.Fatal(err)
		}
		if v.Ptr != nil || v.Items != nil || v.Labels != nil || v.Nested.Name != "" {
			t.Errorf("null values decoded to %+v", v)
		}
	})
}

// TestDecodeRejectsNestedAliasUnderAny: the alias check stops at fields typed
// any, so an alias nested inside such a value is accepted (and expanded),
// although aliases are documented as unsupported everywhere else.
func TestDecodeRejectsNestedAliasUnderAny(t *testing.T) {
	var v doc
	err := Decode("f.yaml", []byte("extra:\n  a: &x [1]\n  b:\n    c: *x\n"), &v)
	if err == nil || err.Error() != "f.yaml:4: YAML aliases are not supported" {
		t.Errorf("got %v, want f.yaml:4: YAML aliases are not supported", err)
	}
}

// TestDecodeRejectsTrailingDocuments: only the first YAML document is checked
// and decoded; anything after a `---` separator is silently dropped, so
// unknown fields (or whole sections) there are never reported.
func TestDecodeRejectsTrailingDocuments(t *testing.T) {
	var v doc
	err := Decode("f.yaml", []byte("version: v1\n---\nbogus: 1\n"), &v)
	if err == nil || !strings.HasPrefix(err.Error(), "f.yaml:2: ") && !strings.HasPrefix(err.Error(), "f.yaml:3: ") {
		t.Errorf("got %v, want an f.yaml:2 or f.yaml:3 error about the second document", err)
	}
}

// fuzzTarget has one field of each shape the domain files use.
type fuzzTarget struct {
	S      string                `yaml:"s"`
	I      int                   `yaml:"i"`
	U      uint8                 `yaml:"u"`
	F      float64               `yaml:"f"`
	B      *bool                 `yaml:"b"`
	L      []string              `yaml:"l"`
	LS     []*item               `yaml:"ls"`
	M      map[string]*item      `yaml:"m"`
	MV     map[string]item       `yaml:"mv"`
	MI     map[string]int        `yaml:"mi"`
	ML     map[string][]string   `yaml:"ml"`
	A      any                   `yaml:"a"`
	AM     map[string]any        `yaml:"am"`
	AL     []map[string]any      `yaml:"al"`
	N      item                  `yaml:"n"`
	NP     *item                 `yaml:"np"`
	Arr    [2]int                `yaml:"arr"`
	MM     map[string]*fuzzInner `yaml:"mm"`
	Common `yaml:",inline"`
	Line   int `yaml:"-"`
}

type fuzzInner struct {
	Rows []map[string]any `yaml:"rows"`
	Sub  *fuzzInner       `yaml:"sub"`
	Line int              `yaml:"-"`
}

func FuzzDecode(f *testing.F) {
	seeds := []string{
		"",
		"s: x\ni: 1\nu: 2\nf: 1.5\nb: true\n",
		"l: [a, b]\nls:\n  - name: a\n    tags: [x]\n",
		"m:\n  a: {name: x}\nmv:\n  b: {name: y}\nmi: {a: 1}\nml: {a: [x]}\n",
		"a: [1, {x: y}]\nam: {k: [1, 2]}\nal: [{a: 1}]\n",
		"n: {name: a}\nnp: ~\narr: [1, 2]\nowner: me\n",
		"mm:\n  x:\n    rows: [{a: 1}]\n    sub: {sub: {rows: []}}\n",
		"s: &a x\ni: *a\n",
		"am: {a: &x [1], b: *x}\n",
		"i: 1\ni: 2\n",
		"bogus: 1\n",
		"- 1\n",
		"s: [1, 2\n",
		"s: \"\\xff\"\n",
		"? [a, b]\n: c\n",
		"m: {? [a]: {name: x}}\n",
		"a: 1\n---\nb: 2\n",
		"!!map {s: x}\n",
		"s: !!binary aGVsbG8=\n",
		"u: 300\n",
		"i: 0x10\nf: .inf\n",
		"arr: [1, 2, 3]\n",
		"<<: {s: x}\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v fuzzTarget
		err := Decode("fuzz.yaml", data, &v)
		if err == nil {
			return
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error %v has type %T, want *strictyaml.Error", err, err)
		}
		if e.Path != "fuzz.yaml" {
			t.Fatalf("error path %q, want fuzz.yaml", e.Path)
		}
		if lines := lineBreaks(data) + 1; e.Line < 0 || e.Line > lines+1 {
			t.Fatalf("error line %d outside the %d-line input: %v", e.Line, lines, err)
		}
		if e.Msg == "" {
			t.Fatalf("empty error message: %q", err.Error())
		}
		msg := err.Error()
		prefix := "fuzz.yaml: "
		if e.Line > 0 {
			prefix = fmt.Sprintf("fuzz.yaml:%d: ", e.Line)
		}
		if !strings.HasPrefix(msg, prefix) {
			t.Fatalf("error %q does not start with %q", msg, prefix)
		}
		if strings.HasPrefix(e.Msg, "yaml: ") || yamlLineRE.MatchString(e.Msg) {
			t.Fatalf("message %q still carries the yaml library's prefix", e.Msg)
		}
	})
}

// lineBreaks counts the YAML line breaks in data (\r\n counts as two, which
// only loosens the bound it is used for).
func lineBreaks(data []byte) int {
	s := string(data)
	n := strings.Count(s, "\n") + strings.Count(s, "\r")
	for _, b := range []string{"\u0085", "\u2028", "\u2029"} {
		n += strings.Count(s, b)
	}
	return n
}

// A field <F>Lines beside F receives the lines of F's list items or of its
// mapping's entries.
func TestDecodeFillsSiblingLines(t *testing.T) {
	type target struct {
		Tags        []string              `yaml:"tags"`
		TagsLines   []int                 `yaml:"-"`
		Grants      map[string][]string   `yaml:"grants"`
		GrantsLines map[string]EntryLines `yaml:"-"`
		Flow        []string              `yaml:"flow"`
		FlowLines   []int                 `yaml:"-"`
		None        []string              `yaml:"none"`
		NoneLines   []int                 `yaml:"-"`
	}
	src := "tags:\n  - a\n  - b\ngrants:\n  r1:\n    - x\n\n    - y\n  r2: [z]\n  r3: []\nflow: [p, q]\n"
	var got target
	if err := Decode("f.yaml", []byte(src), &got); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		got, want any
	}{
		{"list items", got.TagsLines, []int{2, 3}},
		{"mapping entries", got.GrantsLines, map[string]EntryLines{"r1": {Key: 5, Items: []int{6, 8}}, "r2": {Key: 9, Items: []int{9}}, "r3": {Key: 10, Items: []int{}}}},
		{"flow list", got.FlowLines, []int{11, 11}},
		{"absent field", got.NoneLines, []int(nil)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
}
