// Package suites is where benchmark cases come from: seeded YAML suites
// (matrix rows and explicit tasks) read from a domain's tasks/ directory,
// expanded lazily into spec.Tasks in file order.
package suites

import (
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"path"
	"strings"

	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// MaxRowCount bounds one matrix row's count.
const MaxRowCount = 100_000

// File is a seeded suite file (tasks/<suite>.yaml).
type File struct {
	Suite           string            `yaml:"suite"`
	PolicyVersion   string            `yaml:"policy_version"`
	SurfaceVersions map[string]string `yaml:"surface_versions"`
	Metadata        map[string]any    `yaml:"metadata"`
	// SuiteMetadata is the reference's spelling of the provenance record.
	SuiteMetadata *SuiteMetadata `yaml:"suite_metadata"`
	Matrix        []*MatrixRow   `yaml:"matrix"`
	Tasks         []*TaskEntry   `yaml:"tasks"`
}

// MatrixRow expands into Count tasks named <mutation>_<NN>.
type MatrixRow struct {
	Mutation        string               `yaml:"mutation"`
	Count           int                  `yaml:"count"`
	Principal       string               `yaml:"principal"`
	Request         string               `yaml:"request"`
	SemanticQuery   spec.SemanticQuery   `yaml:"semantic_query"`
	SurfaceVersions map[string]string    `yaml:"surface_versions"`
	Variants        []spec.SemanticPatch `yaml:"variants"`
	Expectations    `yaml:",inline"`
	Line            int `yaml:"-"`
}

// Expectations override the catalog's expected labels.
type Expectations struct {
	ExpectedWitnessClass     string `yaml:"expected_witness_class"`
	ExpectedLocalizedSurface string `yaml:"expected_localized_surface"`
	ExpectedContainmentLayer string `yaml:"expected_containment_layer"`
}

// TaskEntry is one explicitly listed task.
type TaskEntry struct {
	ID string `yaml:"id"`
	// Domain, when set, must name the domain being run (the reference
	// writes it on every task).
	Domain string `yaml:"domain"`
	// PolicyVersion, when set, must equal the domain policy's version.
	PolicyVersion   string             `yaml:"policy_version"`
	Principal       string             `yaml:"principal"`
	Request         string             `yaml:"request"`
	Mutation        string             `yaml:"mutation"`
	SemanticQuery   spec.SemanticQuery `yaml:"semantic_query"`
	SurfaceVersions map[string]string  `yaml:"surface_versions"`
	Expectations    `yaml:",inline"`
	Line            int `yaml:"-"`
}

// Suite is a loaded, validated seeded suite.
type Suite struct {
	Name string
	File *File
	Path string
	// FileHash is the sha256 hex of the suite file's bytes.
	FileHash string
	domain   *spec.Domain
	count    int
}

// Load reads tasks/<name>.yaml of domain d.
func Load(d *spec.Domain, name string) (*Suite, error) {
	if !spec.ValidID(name) {
		return nil, strictyaml.Errorf("--suite", 0, "%q is not a safe suite name", name)
	}
	rel := path.Join("tasks", name+".yaml")
	p := path.Join(d.Label, rel)
	if _, err := fs.Stat(d.FS, rel); errors.Is(err, fs.ErrNotExist) {
		return nil, strictyaml.Errorf(p, 0, "suite %q not found in domain %s", name, d.Name)
	}
	data, err := strictyaml.ReadFile(d.FS, rel, p)
	if err != nil {
		return nil, err
	}
	return Parse(d, name, p, data)
}

// Parse decodes and validates suite data read from p.
func Parse(d *spec.Domain, name, p string, data []byte) (*Suite, error) {
	f := &File{}
	if err := strictyaml.Decode(p, data, f); err != nil {
		return nil, err
	}
	s := &Suite{Name: name, File: f, Path: p, FileHash: spec.SHA256Hex(data), domain: d}
	if f.Suite != "" && f.Suite != name {
		return nil, strictyaml.Errorf(p, 0, "suite field %q does not match the file name %q", f.Suite, name)
	}
	if err := checkVersions(p, 0, f.SurfaceVersions); err != nil {
		return nil, err
	}
	if err := s.checkReferenceFields(); err != nil {
		return nil, err
	}
	ids := map[string]string{}
	claim := func(id, where string, line int) error {
		if !spec.ValidID(id) {
			return strictyaml.Errorf(p, line, "task id %q is not safe (want ^[A-Za-z0-9][A-Za-z0-9_.-]*$, at most 128 characters)", id)
		}
		if prev, dup := ids[id]; dup {
			return strictyaml.Errorf(p, line, "duplicate task id %q (first at %s)", id, prev)
		}
		ids[id] = where
		return nil
	}
	for _, r := range f.Matrix {
		if r.Count < 1 || r.Count > MaxRowCount {
			return nil, strictyaml.Errorf(p, r.Line, "count must be 1..%d, got %d", MaxRowCount, r.Count)
		}
		if err := s.checkCommon(r.Line, r.Mutation, r.Principal, r.SemanticQuery, r.SurfaceVersions, r.Expectations); err != nil {
			return nil, err
		}
		for i := 1; i <= r.Count; i++ {
			if err := claim(matrixID(r.Mutation, i, r.Count), fmt.Sprintf("line %d", r.Line), r.Line); err != nil {
				return nil, err
			}
		}
		s.count += r.Count
	}
	for _, t := range f.Tasks {
		if err := claim(t.ID, fmt.Sprintf("line %d", t.Line), t.Line); err != nil {
			return nil, err
		}
		if err := s.checkCommon(t.Line, t.Mutation, t.Principal, t.SemanticQuery, t.SurfaceVersions, t.Expectations); err != nil {
			return nil, err
		}
		s.count++
	}
	if s.count == 0 {
		return nil, strictyaml.Errorf(p, 0, "suite has no matrix rows and no tasks")
	}
	return s, nil
}

func matrixID(mutation string, i, count int) string {
	width := 2
	for c := count; c >= 100; c /= 10 {
		width++
	}
	return fmt.Sprintf("%s_%0*d", mutation, width, i)
}

var witnessClasses = map[string]bool{"clean": true, "over_permissive": true, "over_restrictive": true, "lowering_violation": true, "semantic_drift": true, "unsafe_release": true}

func (s *Suite) checkCommon(line int, mutation, principal string, q spec.SemanticQuery, versions map[string]string, e Expectations) error {
	p := s.Path
	if mutation == "" {
		return strictyaml.Errorf(p, line, "missing mutation (use %q for a clean control)", catalog.None)
	}
	if _, ok := catalog.Get(mutation); !ok && mutation != catalog.None {
		return strictyaml.Errorf(p, line, "unknown mutation operator %q (known: %s)", mutation, strings.Join(catalog.IDs(), ", "))
	}
	// an operator whose features the domain does not declare, or whose
	// fault has nothing to act on, loads and is accounted invalid with the
	// reason (catalog.Applies)
	if s.domain.Policy.Principals[principal] == nil {
		return strictyaml.Errorf(p, line, "unknown principal %q (known: %s)", principal, strings.Join(spec.SortedKeys(s.domain.Policy.Principals), ", "))
	}
	if q.Metric == "" {
		return strictyaml.Errorf(p, line, "semantic_query.metric is required")
	}
	if q.Limit < 0 {
		return strictyaml.Errorf(p, line, "semantic_query.limit must not be negative")
	}
	if err := s.checkNames(line, q); err != nil {
		return err
	}
	if err := checkVersions(p, line, versions); err != nil {
		return err
	}
	if e.ExpectedWitnessClass != "" && !witnessClasses[e.ExpectedWitnessClass] {
		return strictyaml.Errorf(p, line, "unknown expected_witness_class %q", e.ExpectedWitnessClass)
	}
	if e.ExpectedLocalizedSurface != "" && !spec.IsSurface(e.ExpectedLocalizedSurface) {
		return strictyaml.Errorf(p, line, "unknown expected_localized_surface %q", e.ExpectedLocalizedSurface)
	}
	if e.ExpectedContainmentLayer != "" && !spec.IsSurface(e.ExpectedContainmentLayer) {
		return strictyaml.Errorf(p, line, "unknown expected_containment_layer %q", e.ExpectedContainmentLayer)
	}
	return nil
}

func checkVersions(p string, line int, v map[string]string) error {
	for _, k := range spec.SortedKeys(v) {
		if !spec.IsSurface(k) {
			return strictyaml.Errorf(p, line, "surface_versions: unknown surface %q", k)
		}
		if v[k] == "" {
			return strictyaml.Errorf(p, line, "surface_versions: empty version for %s", k)
		}
	}
	return nil
}

// Metadata is the suite's provenance record: deterministic-fixture defaults
// overridden by the file's metadata map.
func (s *Suite) Metadata() map[string]any {
	md := map[string]any{
		"provenance":                     "deterministic_fixture",
		"evidence_level":                 "deterministic_fixture",
		"detector_frozen":                false,
		"detector_freeze_id":             nil,
		"authored_after_detector_freeze": false,
		"notes":                          "seeded suite authored with the domain fixtures",
	}
	for k, v := range s.File.Metadata {
		md[k] = v
	}
	s.File.SuiteMetadata.mergeInto(md)
	return md
}

// Count is the number of tasks the suite expands to.
func (s *Suite) Count() int { return s.count }

// SuiteName is the suite's name.
func (s *Suite) SuiteName() string { return s.Name }

// Hash identifies the suite's content: the file's sha256.
func (s *Suite) Hash() string { return s.FileHash }

// StateSeed is the seed of the database state the suite runs on: the
// domain's own.
func (s *Suite) StateSeed() uint64 { return s.domain.State.Seed }

// Params are the generator count and seed (nil for a seeded suite).
func (s *Suite) Params() (count, seed *int) { return nil, nil }

// Tasks yields the suite's tasks in file order: matrix rows first, then
// explicit tasks.
func (s *Suite) Tasks() iter.Seq[spec.Task] {
	return func(yield func(spec.Task) bool) {
		d := s.domain
		for _, r := range s.File.Matrix {
			for i := 1; i <= r.Count; i++ {
				q := r.SemanticQuery
				if len(r.Variants) > 0 {
					q = r.Variants[(i-1)%len(r.Variants)].Apply(q)
				}
				t := spec.Task{
					ID: matrixID(r.Mutation, i, r.Count), Domain: d.Name, Suite: s.Name, Principal: r.Principal,
					Request:  strings.ReplaceAll(r.Request, "{index}", fmt.Sprint(i)),
					Mutation: r.Mutation, SemanticQuery: q.Normalized(),
					SurfaceVersions: s.versions(r.SurfaceVersions), Source: fmt.Sprintf("%s:%d", s.Path, r.Line),
				}
				s.expect(&t, r.Expectations)
				if !yield(t) {
					return
				}
			}
		}
		for _, e := range s.File.Tasks {
			t := spec.Task{
				ID: e.ID, Domain: d.Name, Suite: s.Name, Principal: e.Principal, Request: e.Request,
				Mutation: e.Mutation, SemanticQuery: e.SemanticQuery.Normalized(),
				SurfaceVersions: s.versions(e.SurfaceVersions), Source: fmt.Sprintf("%s:%d", s.Path, e.Line),
			}
			s.expect(&t, e.Expectations)
			if !yield(t) {
				return
			}
		}
	}
}

func (s *Suite) versions(override map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range s.domain.Surfaces.Versions {
		out[k] = v
	}
	for k, v := range s.File.SurfaceVersions {
		out[k] = v
	}
	for k, v := range override {
		out[k] = v
	}
	return out
}

// expect fills the expected labels: the catalog's, overridden by the suite.
func (s *Suite) expect(t *spec.Task, e Expectations) {
	if t.Mutation == catalog.None {
		t.ExpectedWitnessClass = "clean"
	} else if op, ok := catalog.Get(t.Mutation); ok {
		t.ExpectedWitnessClass, t.ExpectedLocalizedSurface, t.ExpectedContainmentLayer = op.ExpectedClass, op.ExpectedSurface, op.ExpectedContainment
	}
	if e.ExpectedWitnessClass != "" {
		t.ExpectedWitnessClass = e.ExpectedWitnessClass
	}
	if e.ExpectedLocalizedSurface != "" {
		t.ExpectedLocalizedSurface = e.ExpectedLocalizedSurface
	}
	if e.ExpectedContainmentLayer != "" {
		t.ExpectedContainmentLayer = e.ExpectedContainmentLayer
	}
}
