package spec_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// fuzzDomainFile fuzzes one domain file (the others are support_saas's):
// loading either succeeds or fails with a located input error naming the
// domain, and a domain that loads generates its state or fails with an
// error, never a panic.
func fuzzDomainFile(f *testing.F, file string, edits [][2]string) {
	base := supportFiles(f)
	orig := string(base[file].Data)
	f.Add([]byte(orig))
	f.Add([]byte(""))
	f.Add([]byte("~\n"))
	f.Add([]byte("[]\n"))
	for _, e := range edits {
		f.Add([]byte(strings.Replace(orig, e[0], e[1], 1)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{}
		for k, v := range base {
			fsys[k] = v
		}
		fsys[file] = &fstest.MapFile{Data: data}
		d, err := spec.LoadDomain(fsys, "support_saas", "dom")
		if err != nil {
			var e *strictyaml.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not a *strictyaml.Error", err, err)
			}
			if !strings.HasPrefix(err.Error(), "dom") {
				t.Fatalf("error %q does not name the domain", err)
			}
			return
		}
		if file == "state.yaml" || file == "schema.yaml" {
			if st, err := state.Generate(d); err == nil && st == nil {
				t.Fatal("Generate returned neither a state nor an error")
			}
		}
	})
}

func FuzzLoadDomainSchema(f *testing.F) {
	fuzzDomainFile(f, "schema.yaml", [][2]string{
		{"primary_key: id", "primary_key: nope"},
		{"expansion: 5", "expansion: -1"},
		{"type: integer", "type: blob"},
		{"owner_via: tenant_id", "owner_via: account_id"},
		{"references: tenants.id", "references: tenants"},
	})
}

func FuzzLoadDomainState(f *testing.F) {
	fuzzDomainFile(f, "state.yaml", [][2]string{
		{"boundary_share: 0.35", "boundary_share: 2.5"},
		{"{choice: [west, east, north, south]}", "{choice: []}"},
		{"min: 8, max: 12", "min: 12, max: 8"},
		{"{ratio_of: {column: gross_amount_cents,", "{ratio_of: {column: nope,"},
		{"{id: beta,", "{id: acme,"},
		{"\"2026-06-15\"]", "\"2026-02-30\"]"},
	})
}

func FuzzLoadDomainSurfaces(f *testing.F) {
	fuzzDomainFile(f, "surfaces.yaml", [][2]string{
		{"manifest: v7", "manifest: \"\""},
		{"release: v7", "release: v7\n  mind: v1"},
		{"mode: capability_exposure", "mode: [x]"},
		{"mode: capability_exposure", "mode: vibes"},
		{"emits_obligations: [capability_scope]", "emits_obligations: [telepathy_scope]"},
		{"accepts_obligations: [capability_scope]", "accepts_obligations: [capability_scope, lineage]"},
		{"contracts:\n", "contracts:\n  cache: {mode: caching}\n"},
	})
}
