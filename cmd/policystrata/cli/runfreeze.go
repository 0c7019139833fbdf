package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/policystrata/policystrata/freeze"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/suites"
)

// frozenRunSource applies `run --freeze-manifest`: it verifies the manifest
// against the run's domain and suite and returns the suite wrapped so the
// run's metadata records the freeze, with the manifest's bytes to copy.
func frozenRunSource(path string, d *spec.Domain, s suites.Source, count, seed int) (suites.Source, []byte, error) {
	if path == "" {
		return s, nil, nil
	}
	m, v, err := freeze.VerifyFor(path, d, s.SuiteName(), count, seed)
	if err != nil {
		return nil, nil, err
	}
	if !v.Verified {
		return nil, nil, &freeze.Error{V: v}
	}
	b, err := freeze.Encode(m)
	if err != nil {
		return nil, nil, err
	}
	return freeze.Frozen(s, m.ID), b, nil
}

// writeRunManifest copies the verified manifest into the run directory.
func writeRunManifest(dir string, b []byte) error {
	if b == nil {
		return nil
	}
	if err := freeze.WriteFileAtomic(filepath.Join(dir, "benchmark_manifest.json"), b); err != nil {
		return fmt.Errorf("copy manifest: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "benchmark_manifest.json")); err != nil {
		return fmt.Errorf("copy manifest: %w", err)
	}
	return nil
}
