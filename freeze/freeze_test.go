package freeze

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/spec"
)

func build(t *testing.T, domain, suite string, count, seed int) *Manifest {
	t.Helper()
	d, err := domains.Load(domain)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Build(Options{Domain: d, Suite: suite, Count: count, Seed: seed, Now: time.Date(2026, 6, 26, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestBuildIsStableAndWellFormed(t *testing.T) {
	a := build(t, "support_saas", "heldout_v1", 40, 0)
	b := build(t, "support_saas", "heldout_v1", 40, 0)
	if a.ID != b.ID {
		t.Errorf("ids differ across builds: %s %s", a.ID, b.ID)
	}
	if !regexp.MustCompile(`^psf-[0-9a-f]{20}$`).MatchString(a.ID) {
		t.Errorf("id %q is not psf- + 20 hex", a.ID)
	}
	if a.TaskCount != 40 || *a.GeneratedCount != 40 || a.GeneratedSeed != nil {
		t.Errorf("count %d generated_count %v seed %v", a.TaskCount, a.GeneratedCount, a.GeneratedSeed)
	}
	if a.SuiteMetadata["provenance"] != "secondary_generated" || a.SuiteMetadata["evidence_level"] != "detector_frozen_generated" {
		t.Errorf("held-out provenance fields: %v", a.SuiteMetadata)
	}
	for _, h := range []string{a.PolicyHash, a.SurfacesHash, a.SchemaHash, a.StateHash, a.SuiteHash, a.TaskHash, a.MutationOperatorHash, a.DetectorHash, a.GeneratorHash} {
		if len(h) != 64 {
			t.Errorf("hash %q is not sha256 hex", h)
		}
	}
	// created_at is not hashed.
	c := *a
	c.CreatedAt = "1999-01-01T00:00:00Z"
	if id, _ := c.ComputeID(); id != a.ID {
		t.Error("created_at changed the id")
	}
	enc, err := Encode(a)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(enc)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := Verify(back, a); err != nil || !v.Verified {
		t.Errorf("round trip does not verify: %+v %v", v, err)
	}
}

// TestVerifyDetectsEveryHashedChange: a change to any hashed input (the
// domain's files, the suite's parameters, the tasks, the code) is a
// mismatch naming the field.
func TestVerifyDetectsEveryHashedChange(t *testing.T) {
	m := build(t, "finance_saas", "generated", 30, 7)
	tests := []struct {
		name   string
		cur    *Manifest
		fields []string
	}{
		{"same", build(t, "finance_saas", "generated", 30, 7), nil},
		{"other seed", build(t, "finance_saas", "generated", 30, 8), []string{"generated_seed", "suite_hash", "suite_metadata", "task_hash"}},
		{"other count", build(t, "finance_saas", "generated", 31, 7), []string{"generated_count", "suite_hash", "suite_metadata", "task_count", "task_hash"}},
		{"other domain", build(t, "support_saas", "generated", 30, 7), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Verify(m, tc.cur)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, mm := range v.Mismatches {
				got = append(got, mm.Field)
			}
			if tc.name == "other domain" {
				if v.Verified || !strings.Contains(strings.Join(got, ","), "policy_hash") {
					t.Errorf("another domain verified or kept its policy hash: %v", got)
				}
				return
			}
			if strings.Join(got, ",") != strings.Join(tc.fields, ",") || v.Verified != (len(tc.fields) == 0) {
				t.Errorf("mismatches %v, want %v", got, tc.fields)
			}
		})
	}
}

// TestDomainFileChangeInvalidates edits one byte of the domain's state
// generator settings in a copy of the domain.
func TestDomainFileChangeInvalidates(t *testing.T) {
	d, err := domains.Load("support_saas")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "support_saas")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range spec.DomainFiles {
		b, err := os.ReadFile(filepath.Join("..", "domains", "support_saas", f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "state.yaml" {
			b = append(b, []byte("\n# edited\n")...)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "tasks"), 0o755); err != nil {
		t.Fatal(err)
	}
	edited, err := domains.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Build(Options{Domain: d, Suite: "clean_controls", Count: 8})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(Options{Domain: edited, Suite: "clean_controls", Count: 8})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := Verify(a, b)
	if v.Verified || len(v.Mismatches) == 0 || v.Mismatches[0].Field != "state_hash" {
		t.Errorf("state.yaml edit: %+v", v.Mismatches)
	}
}

// TestCodeChangeInvalidates: the detector hash covers the embedded sources
// of the deciding packages; replacing one byte of one file of the detector
// (or adding a file) changes it, and the manifest no longer verifies.
// Test files are not covered.
func TestCodeChangeInvalidates(t *testing.T) {
	code := DetectorCode()
	base, err := code.Hash()
	if err != nil {
		t.Fatal(err)
	}
	overlay := func(dir, name string, edit func([]byte) []byte) CodeSet {
		mem := fstest.MapFS{}
		ents, err := readNames(code[dir])
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			b, _ := readFile(code[dir], e)
			mem[e] = &fstest.MapFile{Data: b}
		}
		b := mem[name]
		if b == nil {
			b = &fstest.MapFile{}
		}
		mem[name] = &fstest.MapFile{Data: edit(append([]byte{}, b.Data...))}
		out := maps.Clone(code)
		out[dir] = mem
		return out
	}
	for _, tc := range []struct {
		name     string
		set      CodeSet
		changed  bool
		nonEmpty bool
	}{
		{"detector edited", overlay("pipeline/detect", "detect.go", func(b []byte) []byte { return append(b, '\n') }), true, true},
		{"oracle edited", overlay("pipeline/oracle", "authorize.go", func(b []byte) []byte { b[len(b)-2] ^= 1; return b }), true, true},
		{"new layer file", overlay("pipeline/layers", "extra.go", func([]byte) []byte { return []byte("package layers\n") }), true, true},
		{"test file edited", overlay("pipeline/detect", "detect_test.go", func(b []byte) []byte { return append(b, '\n') }), false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := tc.set.Hash()
			if err != nil {
				t.Fatal(err)
			}
			if (h != base) != tc.changed {
				t.Errorf("hash changed = %v, want %v", h != base, tc.changed)
			}
			m := build(t, "support_saas", "seeded", 0, 0)
			cur := *m
			cur.DetectorHash = h
			v, _ := Verify(m, &cur)
			if v.Verified == tc.changed {
				t.Errorf("verified = %v after %s", v.Verified, tc.name)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	good, err := Encode(build(t, "support_saas", "seeded", 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var generic map[string]any
	if err := json.Unmarshal(good, &generic); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func(map[string]any)
	}{
		{"wrong version", func(m map[string]any) { m["manifest_version"] = "v0" }},
		{"unknown field", func(m map[string]any) { m["extra"] = 1 }},
		{"no suite", func(m map[string]any) { delete(m, "suite") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := map[string]any{}
			maps.Copy(m, generic)
			tc.edit(m)
			b, _ := json.Marshal(m)
			if _, err := Parse(b); err == nil {
				t.Error("Parse accepted it")
			}
		})
	}
	// A tampered field with the old id fails on the id.
	m, _ := Parse(good)
	m.TaskCount++
	if v, _ := Verify(m, m); v.Verified {
		t.Error("a tampered manifest verified against itself")
	}
}

func TestCanonicalJSON(t *testing.T) {
	got, err := CanonicalJSON(map[string]any{"b": []any{1, nil, true}, "a": "é<\n😀"})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"a":"\u00e9<\n\ud83d\ude00","b":[1,null,true]}`
	if string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"manifest_version":"policystrata.benchmark-manifest.v1","domain":"d","suite":"s"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			return
		}
		enc, err := Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(enc)
		if err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		id1, err1 := m.ComputeID()
		id2, err2 := back.ComputeID()
		if err1 != nil || err2 != nil || id1 != id2 {
			t.Errorf("id changed over a round trip: %s %s", id1, id2)
		}
	})
}

func TestMaskHistory(t *testing.T) {
	a := `{"minimization":{"attempts":8,"query_attempts":1,"state_attempts":0,"state_reused":true,"dimensions_removed":1}}`
	b := `{"minimization":{"attempts":9,"query_attempts":1,"state_attempts":1,"state_reused":false,"dimensions_removed":1}}`
	c := `{"minimization":{"attempts":9,"query_attempts":1,"state_attempts":1,"state_reused":false,"dimensions_removed":2}}`
	if string(maskHistory([]byte(a))) != string(maskHistory([]byte(b))) {
		t.Errorf("history counters not masked:\n%s\n%s", maskHistory([]byte(a)), maskHistory([]byte(b)))
	}
	if string(maskHistory([]byte(b))) == string(maskHistory([]byte(c))) {
		t.Error("a real difference was masked")
	}
	pretty := "{\n  \"attempts\": 8,\n  \"state_reused\": true\n}"
	if got := string(maskHistory([]byte(pretty))); got != "{\n  \"attempts\":_,\n  \"state_reused\":_\n}" {
		t.Errorf("pretty witness masked as %q", got)
	}
}
