package freeze

import (
	"fmt"
	"maps"
	"strings"

	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/suites"
)

// frozenSource is a suite whose provenance records the freeze it ran under.
type frozenSource struct {
	suites.Source
	id string
}

// Metadata adds detector_frozen and detector_freeze_id to the suite's own
// record; authored_after_detector_freeze stays the suite's own claim (a
// seeded suite written before the freeze does not become held-out by
// being frozen).
func (f frozenSource) Metadata() map[string]any {
	md := maps.Clone(f.Source.Metadata())
	if md == nil {
		md = map[string]any{}
	}
	md["detector_frozen"] = true
	md["detector_freeze_id"] = f.id
	return md
}

// Frozen wraps src so that a run of it records manifest id.
func Frozen(src suites.Source, id string) suites.Source { return frozenSource{src, id} }

// Error is a failed verification, naming the mismatched fields.
type Error struct{ V Verification }

// Error implements error.
func (e *Error) Error() string {
	var f []string
	for _, m := range e.V.Mismatches {
		f = append(f, m.Field)
	}
	if len(f) == 1 && f[0] == "benchmark_manifest_id" {
		return "invalid manifest id"
	}
	return "freeze manifest verification failed: " + strings.Join(f, ", ")
}

// VerifyFor loads the manifest at path and verifies it against the current
// tree for domain d and the run's suite, count and seed (0: the
// manifest's): a run of another suite than the frozen one fails on the
// suite's fields.
func VerifyFor(path string, d *spec.Domain, suite string, count, seed int) (*Manifest, Verification, error) {
	m, err := Load(path)
	if err != nil {
		return nil, Verification{}, err
	}
	if suite == "" {
		suite = m.Suite
	}
	if count == 0 && m.GeneratedCount != nil {
		count = *m.GeneratedCount
	}
	if seed == 0 && m.GeneratedSeed != nil {
		seed = *m.GeneratedSeed
	}
	cur, err := Build(Options{Domain: d, Suite: suite, Count: count, Seed: seed})
	if err != nil {
		return m, Verification{}, fmt.Errorf("rebuild manifest: %w", err)
	}
	v, err := Verify(m, cur)
	return m, v, err
}
