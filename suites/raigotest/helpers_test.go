package raigotest

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/policystrata/policystrata/pipeline/raigo"
)

// assertEqual fails when got differs from want, printing both as JSON.
func assertEqual(t testing.TB, what string, want, got any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		w, _ := json.MarshalIndent(want, "", "  ")
		g, _ := json.MarshalIndent(got, "", "  ")
		t.Errorf("%s mismatch\nwant: %s\n got: %s", what, w, g)
	}
}

func ptr[T any](v T) *T { return &v }

// run evaluates every case of s against its policies (a chain when there
// are several) and returns the failures per case label.
func run(t *testing.T, s *Suite) map[string][]Failure {
	t.Helper()
	var policies []*raigo.Policy
	for _, path := range s.PolicyPaths() {
		p, err := raigo.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		policies = append(policies, p)
	}
	out := map[string][]Failure{}
	for i := range s.Cases {
		c := &s.Cases[i]
		res := raigo.EvaluateChain(policies, c.Input, raigo.Options{Mode: c.EngineMode})
		out[c.Label()] = Check(c.Expect, &res.Result)
	}
	return out
}
