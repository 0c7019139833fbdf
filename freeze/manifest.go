package freeze

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/run"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/suites"
)

// ManifestVersion is the manifest_version of every manifest.
const ManifestVersion = "policystrata.benchmark-manifest.v1"

// IDPrefix starts every benchmark_manifest_id.
const IDPrefix = "psf-"

// Manifest is a benchmark manifest: the reference's fields (with this
// project's hashed code sets) plus the schema and state files' hashes, the
// task count, and the Go module version.
type Manifest struct {
	ManifestVersion string            `json:"manifest_version"`
	CreatedAt       string            `json:"created_at"`
	Domain          string            `json:"domain"`
	Suite           string            `json:"suite"`
	GeneratedCount  *int              `json:"generated_count"`
	GeneratedSeed   *int              `json:"generated_seed"`
	PolicyVersion   string            `json:"policy_version"`
	SurfaceVersions map[string]string `json:"surface_versions"`
	SuiteMetadata   map[string]any    `json:"suite_metadata"`
	PolicyHash      string            `json:"policy_hash"`
	SurfacesHash    string            `json:"surfaces_hash"`
	SchemaHash      string            `json:"schema_hash"`
	StateHash       string            `json:"state_hash"`
	SuiteHash       string            `json:"suite_hash"`
	// TaskHash is the SHA-256 of the task stream: each task's canonical
	// JSON followed by a newline, in suite order, hashed as it streams.
	TaskHash  string `json:"task_hash"`
	TaskCount int    `json:"task_count"`
	// MutationOperatorHash hashes {id: operator} over the whole catalog.
	MutationOperatorHash string `json:"mutation_operator_hash"`
	// DetectorHash and GeneratorHash hash the embedded sources of
	// DetectorCode and GeneratorCode.
	DetectorHash   string  `json:"detector_hash"`
	GeneratorHash  string  `json:"generator_hash"`
	PackageVersion string  `json:"package_version"`
	ModuleVersion  string  `json:"module_version"`
	GitCommit      *string `json:"git_commit"`
	ID             string  `json:"benchmark_manifest_id"`
}

// Options select what Build freezes.
type Options struct {
	Domain *spec.Domain
	Suite  string
	// Count and Seed are a generated suite's (0: the generator's default;
	// they stay null in the manifest).
	Count, Seed int
	// Now stamps created_at (not hashed); zero means time.Now.
	Now time.Time
}

// Build makes the manifest of opt from the current tree and binary.
func Build(opt Options) (*Manifest, error) {
	d := opt.Domain
	src, err := suites.Open(d, opt.Suite, opt.Count, opt.Seed)
	if err != nil {
		return nil, err
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	m := &Manifest{
		ManifestVersion: ManifestVersion, CreatedAt: now.UTC().Format("2006-01-02T15:04:05Z"),
		Domain: d.Name, Suite: src.SuiteName(), PolicyVersion: d.Policy.Version, SurfaceVersions: d.Surfaces.Versions,
		SuiteMetadata: src.Metadata(), PolicyHash: d.Hashes["policy.yaml"], SurfacesHash: d.Hashes["surfaces.yaml"],
		SchemaHash: d.Hashes["schema.yaml"], StateHash: d.Hashes["state.yaml"], SuiteHash: src.Hash(),
		PackageVersion: run.Version,
	}
	if opt.Count != 0 {
		m.GeneratedCount = &opt.Count
	}
	if opt.Seed != 0 {
		m.GeneratedSeed = &opt.Seed
	}
	if m.TaskHash, m.TaskCount, err = TaskHash(src); err != nil {
		return nil, err
	}
	ops := map[string]catalog.Operator{}
	for _, o := range catalog.All() {
		ops[o.ID] = o
	}
	if m.MutationOperatorHash, err = SHA256JSON(ops); err != nil {
		return nil, err
	}
	if m.DetectorHash, err = DetectorCode().Hash(); err != nil {
		return nil, err
	}
	if m.GeneratorHash, err = GeneratorCode().Hash(); err != nil {
		return nil, err
	}
	m.ModuleVersion, m.GitCommit = buildVersion()
	if m.ID, err = m.ComputeID(); err != nil {
		return nil, err
	}
	return m, nil
}

// TaskHash hashes a suite's tasks as they stream (memory does not grow
// with the suite) and counts them.
func TaskHash(src suites.Source) (string, int, error) {
	h := sha256.New()
	n := 0
	for t := range src.Tasks() {
		b, err := CanonicalJSON(t)
		if err != nil {
			return "", 0, fmt.Errorf("hash task %s: %w", t.ID, err)
		}
		h.Write(b)
		h.Write([]byte{'\n'})
		n++
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// buildVersion reads the main module's version and VCS revision from the
// binary's build information (null revision when the build has none, as
// under go test).
func buildVersion() (string, *string) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", nil
	}
	var rev *string
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			v := s.Value
			rev = &v
		}
	}
	return bi.Main.Version, rev
}

// hashedFields is the manifest as a generic object without created_at and
// the id: the fields the id covers.
func (m *Manifest) hashedFields() (map[string]any, error) {
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var f map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	delete(f, "created_at")
	delete(f, "benchmark_manifest_id")
	return f, nil
}

// ComputeID is "psf-" and the first 20 hex digits of the SHA-256 of the
// canonical JSON of the hashed fields.
func (m *Manifest) ComputeID() (string, error) {
	f, err := m.hashedFields()
	if err != nil {
		return "", fmt.Errorf("manifest id: %w", err)
	}
	h, err := SHA256JSON(f)
	if err != nil {
		return "", fmt.Errorf("manifest id: %w", err)
	}
	return IDPrefix + h[:20], nil
}
