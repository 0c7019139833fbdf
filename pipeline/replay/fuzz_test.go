package replay

import (
	"os"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// FuzzWitness feeds arbitrary bytes to the witness parser and, when they
// parse, to Rebuild (domain files, layer variants, principal, typed rows):
// every failure must be an input error, never a panic. The seed is the
// witness the demo golden pins.
func FuzzWitness(f *testing.F) {
	seed, err := os.ReadFile("../../cmd/policystrata/cli/testdata/golden/demo/witnesses/compiler_drops_tenant_predicate_01.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"format": "policystrata-witness/2"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := Parse("w.json", data)
		if err != nil {
			if !strictyaml.IsInputError(err) {
				t.Fatalf("parse error is not an input error: %v", err)
			}
			return
		}
		if _, err := Rebuild("w.json", w); err != nil && !strictyaml.IsInputError(err) {
			t.Fatalf("rebuild error is not an input error: %v", err)
		}
	})
}

// TestRebuildRefusesInapplicableVariant: a hand-edited witness naming a
// legacy-key compiler for a domain without legacy columns is bad input, not
// a nil dereference.
func TestRebuildRefusesInapplicableVariant(t *testing.T) {
	data, err := os.ReadFile("../../cmd/policystrata/cli/testdata/golden/demo/witnesses/compiler_drops_tenant_predicate_01.json")
	if err != nil {
		t.Fatal(err)
	}
	w, err := Parse("w.json", data)
	if err != nil {
		t.Fatal(err)
	}
	w.LayerVariants["compiler"] = "legacy_tenant_key"
	pol := w.Domain.Files["policy.yaml"]
	w.Domain.Files["policy.yaml"] = removeLines(pol, "legacy_column:", "legacy_key:")
	if _, err := Rebuild("w.json", w); err == nil || !strictyaml.IsInputError(err) || !strings.Contains(err.Error(), "cannot act") {
		t.Fatalf("Rebuild = %v, want an input error naming the inapplicable variant", err)
	}
}

func removeLines(s string, prefixes ...string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		keep := true
		for _, p := range prefixes {
			if strings.HasPrefix(strings.TrimSpace(line), p) {
				keep = false
			}
		}
		if keep {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
