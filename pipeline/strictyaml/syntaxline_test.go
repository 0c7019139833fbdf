package strictyaml

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestSyntaxLine checks the corrected line of real yaml.v3 errors against
// the line of the construct each document breaks (yaml.v3 itself prints
// the parser's errors one line early and the first line's not at all).
func TestSyntaxLine(t *testing.T) {
	cases := []struct {
		name, doc string
		line      int
		problem   string
	}{
		{"unclosed flow sequence", "a: 1\nb: [1, 2\nc: 3\n", 2, "did not find expected ',' or ']'"},
		{"unclosed flow mapping", "a: 1\nb: {x: 1\nc: 3\n", 2, "did not find expected ',' or '}'"},
		{"mapping inside a sequence", "a: 1\nb:\n  - x\n  y: 2\n", 3, "did not find expected '-' indicator"},
		{"bad dedent", "x: 1\ny: 2\nz:\n  p: 1\n q: 2\n", 5, "did not find expected key"},
		{"unclosed quote", "tests:\n  - id: 1\n    name: \"open\n    input:\n      prompt: \"hello\"\n", 2, "did not find expected key"},
		{"sequence then mapping", "x: 1\n- a\n", 2, "did not find expected key"},
		{"tab (scanner)", "a: 1\n\tb: 2\n", 2, "found a tab character that violates indentation"},
		{"bad token (scanner)", "a: 1\nb: @x\n", 2, "found character that cannot start any token"},
		{"nested mapping value (scanner)", "a: 1\nb: 2: 3\n", 2, "mapping values are not allowed in this context"},
		{"first line (no line printed)", "a: b: c\n", 1, "mapping values are not allowed in this context"},
		{"end of stream, clamped to the last line", "a: 1\nb: [\n", 2, "did not find expected node content"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var n yaml.Node
			err := yaml.Unmarshal([]byte(tc.doc), &n)
			if err == nil {
				t.Fatal("document parsed")
			}
			line, problem := SyntaxLine(err.Error(), []byte(tc.doc))
			if line != tc.line || problem != tc.problem {
				t.Fatalf("SyntaxLine(%q) = %d, %q; want %d, %q", err, line, problem, tc.line, tc.problem)
			}
		})
	}
}

func TestSyntaxLineOtherMessages(t *testing.T) {
	for _, msg := range []string{"yaml: unknown problem parsing YAML content", "read failed", ""} {
		if line, _ := SyntaxLine(msg, []byte("a\nb\n")); line != 0 {
			t.Errorf("SyntaxLine(%q) line %d, want 0", msg, line)
		}
	}
	if line, _ := SyntaxLine("yaml: line 7: mapping key \"a\" already defined at line 2", []byte("1\n2\n3\n4\n5\n6\n7\n")); line != 7 {
		t.Errorf("a decoder message's 1-based line changed: %d", line)
	}
}
