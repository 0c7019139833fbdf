package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseContext(t *testing.T) {
	tests := []struct {
		name  string
		pairs []string
		want  map[string]any
		err   string
	}{
		{"none", nil, nil, ""},
		{"a string", []string{"tool_invocation=web_search"}, map[string]any{"tool_invocation": "web_search"}, ""},
		{"an empty string", []string{"destination="}, map[string]any{"destination": ""}, ""},
		{"the value keeps its = signs", []string{"q=a=b"}, map[string]any{"q": "a=b"}, ""},
		{"list keys are always lists", []string{"data_classification=PII"}, map[string]any{"data_classification": []any{"PII"}}, ""},
		{"a repeated key collects a list", []string{"anomaly_types=jailbreak", "anomaly_types=prompt_injection"},
			map[string]any{"anomaly_types": []any{"jailbreak", "prompt_injection"}}, ""},
		{"a repeated plain key too", []string{"x=1", "x=2"}, map[string]any{"x": []any{"1", "2"}}, ""},
		{"JSON values", []string{`flag:=true`, `n:=42`, `f:=1.5`, `nil:=null`, `l:=["PII","PHI"]`, `o:={"a":1}`},
			map[string]any{"flag": true, "n": int64(42), "f": 1.5, "nil": nil, "l": []any{"PII", "PHI"}, "o": map[string]any{"a": int64(1)}}, ""},
		{"a JSON list joins a repeated key", []string{"data_classification=PII", `data_classification:=["PHI"]`},
			map[string]any{"data_classification": []any{"PII", "PHI"}}, ""},
		{"no separator", []string{"novalue"}, nil, `context "novalue": expected key=value or key:=JSON`},
		{"empty key", []string{"=x"}, nil, `invalid key ""`},
		{"bad key", []string{"a b=x"}, nil, `invalid key "a b"`},
		{"bad JSON", []string{"x:=[1,"}, nil, `context "x:=[1,": invalid JSON value`},
		{"two JSON values", []string{"x:=1 2"}, nil, "more than one value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseContext(tt.pairs)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzParseContext: parsing never panics, accepted input always gives a
// JSON-serialisable context with valid keys, and a single key=value pair
// round-trips its value.
func FuzzParseContext(f *testing.F) {
	for _, s := range []string{"tool_invocation=web", "data_classification=PII", `x:=["a",1,null]`, "=", ":=", "a:=", "k==v", "é=x", `o:={"a":{"b":[true]}}`} {
		f.Add(s, "anomaly_types=jailbreak")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ctx, err := ParseContext([]string{a, b})
		if err != nil {
			return
		}
		for k := range ctx {
			if !contextKeyRE.MatchString(k) {
				t.Fatalf("accepted key %q", k)
			}
		}
		if _, err := json.Marshal(ctx); err != nil {
			t.Fatalf("context not serialisable: %v", err)
		}
		key, value, ok := strings.Cut(a, "=")
		if ok && !strings.HasSuffix(key, ":") && contextKeyRE.MatchString(key) && key != "data_classification" && key != "anomaly_types" {
			single, err := ParseContext([]string{a})
			if err != nil || single[key] != value {
				t.Fatalf("%q parsed to %#v, %v", a, single, err)
			}
		}
	})
}
