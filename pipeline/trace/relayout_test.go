package trace

import (
	"bytes"
	"encoding/json"
	"testing"
)

// unsorted holds values under keys out of order, with a map and a slice,
// so that the re-layout has struct fields to sort as well as map keys.
type unsorted struct {
	Zeta  any            `json:"zeta"`
	Alpha any            `json:"alpha"`
	Map   map[string]any `json:"m"`
	List  []any          `json:"list"`
	Empty struct{}       `json:"empty"`
	Text  string         `json:"Text"`
}

// canonicalAgrees checks CanonicalJSON against decoding into generic values
// and encoding again (the definition) for v.
func canonicalAgrees(t *testing.T, v any) {
	t.Helper()
	got, err := CanonicalJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	want, err := canonicalGeneric(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("CanonicalJSON differs from decode-and-encode:\n got %q\nwant %q", got, want)
	}
}

func TestCanonicalJSONMatchesDecodeAndEncode(t *testing.T) {
	for _, v := range []any{
		nil, 1, "x", []any{}, map[string]any{},
		unsorted{Zeta: 1.5, Alpha: []any{map[string]any{"b": 1, "a": []any{}}}, Map: map[string]any{"é": "<&>", "a\u2028": "\x01\t"}, Text: "q\"\\"},
		unsorted{Zeta: "bad \xff byte", Map: map[string]any{"k": "\ufffd"}},
		map[string]any{"b": map[string]any{}, "a": []any{nil, true, false, json.Number("1e+06"), -0.0}},
		Witness{TaskID: "t", State: nil},
		Trace{TaskID: "t<1>", Reasons: []string{"a & b"}},
	} {
		canonicalAgrees(t, v)
	}
}

func TestRelayoutRefusesWhatItCannotReproduce(t *testing.T) {
	for _, raw := range []string{`{"a":1,"a":2}`, `["\ufffd"]`, `{"a":`, `[1,]`, `{"a" 1}`} {
		if _, ok := relayout([]byte(raw)); ok {
			t.Errorf("relayout accepted %s", raw)
		}
	}
}

// FuzzCanonicalJSON: for any JSON document, CanonicalJSON of its generic
// value, alone and inside a struct with unsorted fields, is what decoding
// and encoding gives.
func FuzzCanonicalJSON(f *testing.F) {
	for _, s := range []string{`{"b":[1,{"d":null,"c":"<"}],"a":{}}`, `"\u2028\u0001"`, `[1.0e3,-0,true]`, `{"\u00e9":1,"e":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return
		}
		canonicalAgrees(t, v)
		m, _ := v.(map[string]any)
		l, _ := v.([]any)
		canonicalAgrees(t, unsorted{Zeta: v, Alpha: v, Map: m, List: l})
	})
}
