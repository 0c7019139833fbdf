package freeze

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"

	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// Mismatch is one field whose frozen value differs from the current one.
type Mismatch struct {
	Field    string `json:"field"`
	Expected any    `json:"expected"`
	Actual   any    `json:"actual"`
}

// Verification is verify-freeze's result.
type Verification struct {
	Verified   bool       `json:"verified"`
	ID         string     `json:"benchmark_manifest_id"`
	Mismatches []Mismatch `json:"mismatches"`
}

// Verify compares a stored manifest with one rebuilt from the current tree:
// every hashed field (manifest_version aside) must be equal and the stored
// id must equal the id recomputed from the stored fields.
func Verify(stored, current *Manifest) (Verification, error) {
	v := Verification{ID: stored.ID, Mismatches: []Mismatch{}}
	sf, err := stored.hashedFields()
	if err != nil {
		return v, err
	}
	cf, err := current.hashedFields()
	if err != nil {
		return v, err
	}
	keys := make([]string, 0, len(sf))
	for k := range sf {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "manifest_version" {
			continue
		}
		if !reflect.DeepEqual(sf[k], cf[k]) {
			v.Mismatches = append(v.Mismatches, Mismatch{Field: k, Expected: sf[k], Actual: cf[k]})
		}
	}
	id, err := stored.ComputeID()
	if err != nil {
		return v, err
	}
	if id != stored.ID {
		v.Mismatches = append(v.Mismatches, Mismatch{Field: "benchmark_manifest_id", Expected: stored.ID, Actual: id})
	}
	v.Verified = len(v.Mismatches) == 0
	return v, nil
}

// Parse decodes a manifest strictly (unknown fields and a wrong
// manifest_version are errors).
func Parse(b []byte) (*Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("invalid manifest: %w", err)
	}
	if m.ManifestVersion != ManifestVersion {
		return nil, fmt.Errorf("invalid manifest: manifest_version %q, want %q", m.ManifestVersion, ManifestVersion)
	}
	if m.Domain == "" || m.Suite == "" {
		return nil, fmt.Errorf("invalid manifest: domain and suite are required")
	}
	return &m, nil
}

// Load reads and parses a manifest file.
func Load(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, strictyaml.Errorf(path, 0, "cannot read manifest")
	}
	m, err := Parse(b)
	if err != nil {
		return nil, strictyaml.Errorf(path, 0, "%v", err)
	}
	return m, nil
}

// Encode renders a manifest as the reference lays it out: sorted keys,
// two-space indent, trailing newline.
func Encode(m *Manifest) ([]byte, error) {
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var generic any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(generic); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Write writes m to path through a temporary file beside it.
func Write(path string, m *Manifest) error {
	b, err := Encode(m)
	if err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	return WriteFileAtomic(path, b)
}

// WriteFileAtomic writes b to path through a temporary file and a rename.
func WriteFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
