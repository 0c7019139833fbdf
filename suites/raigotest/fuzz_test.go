package raigotest

import (
	"os"
	"path/filepath"
	"testing"
)

func FuzzParseSuite(f *testing.F) {
	files, _ := filepath.Glob("testdata/suites/*/*.raigo-test.y*ml")
	more, _ := filepath.Glob("testdata/suites/*.raigo-test.yaml")
	for _, file := range append(files, more...) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, false)
	}
	f.Add([]byte("suite: s\npolicy: [a, b]\ncases:\n  - {name: n, input: {prompt: p, context: {k: [1, {a: b}]}}, expect: {action: DENY}}\n"), true)
	f.Add([]byte("tests: &a [*a]\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, strict bool) {
		s, err := Parse("fuzz.raigo-test.yaml", data, Options{Strict: strict})
		if err != nil {
			if s != nil {
				t.Fatal("suite returned with an error")
			}
			return
		}
		if strict && len(s.Warnings) > 0 && s.WarningsErr() == nil {
			t.Fatal("warnings without an error")
		}
		if len(s.Cases) == 0 || len(s.Policies) == 0 {
			t.Fatalf("accepted a suite without cases or policies: %+v", s)
		}
		for i := range s.Cases {
			c := &s.Cases[i]
			if c.Line <= 0 || c.Expect.Action == "" || (s.Form == FormA && c.ID == "") {
				t.Fatalf("case %d incomplete: %+v", i, c)
			}
		}
		s.PolicyPaths()
		Lint(s)
	})
}
