// Package scan is the release gate over a real application's traces: it
// streams imported SQL traces through a bounded worker pool, parses each
// statement with DuckDB's parser, checks it against the canonical policy
// (authorization, unsafe release, tenant scope on the syntax tree, the
// metric's aggregate, join fan-out, time bounds), re-scans generated
// mutants of it, and decides the gate from the findings.
package scan

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/scan/config"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// Domain is what the scan knows about the application's policy: always
// the policy and surfaces; the schema and calendar only when the domain
// has them (built-in domains and full domain directories).
type Domain struct {
	Name     string
	Policy   *spec.Policy
	Surfaces *spec.Surfaces
	// Full is the complete domain (schema, state settings) or nil for a
	// directory in the reference's shape (policy.yaml and surfaces.yaml).
	Full *spec.Domain
	// Builtin is true for a built-in domain named without domain_path.
	Builtin bool
	// Dir is the domain directory ("" for a built-in).
	Dir string
	// Hashes are sha256 digests of the domain files by name.
	Hashes map[string]string
}

// Schema returns the domain schema, nil when the domain has none.
func (d *Domain) Schema() *spec.Schema {
	if d.Full == nil {
		return nil
	}
	return d.Full.Schema
}

// HasCalendar reports whether time ranges resolve to dates.
func (d *Domain) HasCalendar() bool { return d.Policy.Calendar.AsOf != "" }

// LoadDomain loads the config's domain: domain_path (resolved against the
// config directory) when set, else the built-in domain.
func LoadDomain(c *config.Config) (*Domain, error) {
	if c.DomainPath == "" {
		full, err := domains.Load(c.Domain)
		if err != nil {
			return nil, err
		}
		return &Domain{Name: c.Domain, Policy: full.Policy, Surfaces: full.Surfaces, Full: full, Builtin: true, Hashes: full.Hashes}, nil
	}
	return LoadDomainDir(c.Resolve(c.DomainPath), c.Domain)
}

// LoadDomainDir loads a domain directory holding at least policy.yaml and
// surfaces.yaml. When it also holds schema.yaml and state.yaml it is
// loaded as a full domain.
func LoadDomainDir(dir, name string) (*Domain, error) {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil, strictyaml.Errorf(dir, 0, "domain_path is not a directory")
	}
	if exists(filepath.Join(dir, "schema.yaml")) && exists(filepath.Join(dir, "state.yaml")) {
		full, err := domains.LoadDir(dir)
		if err != nil {
			return nil, err
		}
		return &Domain{Name: name, Policy: full.Policy, Surfaces: full.Surfaces, Full: full, Dir: dir, Hashes: full.Hashes}, nil
	}
	d := &Domain{Name: name, Dir: dir, Hashes: map[string]string{}}
	for file, target := range map[string]any{"policy.yaml": &d.Policy, "surfaces.yaml": &d.Surfaces} {
		p := filepath.Join(dir, file)
		data, err := os.ReadFile(p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, strictyaml.Errorf(p, 0, "missing domain file")
			}
			return nil, fmt.Errorf("load domain: %w", err)
		}
		d.Hashes[file] = spec.SHA256Hex(data)
		if err := strictyaml.Decode(p, data, target); err != nil {
			return nil, err
		}
	}
	if err := validatePolicy(filepath.Join(dir, "policy.yaml"), d.Policy); err != nil {
		return nil, err
	}
	if err := validateSurfaces(filepath.Join(dir, "surfaces.yaml"), d.Surfaces); err != nil {
		return nil, err
	}
	return d, nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// validatePolicy checks the cross-references of a reference-shaped policy.
func validatePolicy(path string, p *spec.Policy) error {
	if p == nil {
		return strictyaml.Errorf(path, 0, "empty policy")
	}
	for _, id := range spec.SortedKeys(p.Principals) {
		pr := p.Principals[id]
		if pr == nil {
			return strictyaml.Errorf(path, 0, "principal %q is empty", id)
		}
		if pr.ID != "" && pr.ID != id {
			return strictyaml.Errorf(path, pr.Line, "principal %q: id %q must equal its key", id, pr.ID)
		}
		if p.Roles[pr.Role] == nil {
			return strictyaml.Errorf(path, pr.Line, "principal %s: unknown role %q", id, pr.Role)
		}
	}
	for _, name := range spec.SortedKeys(p.Roles) {
		r := p.Roles[name]
		if r == nil {
			return strictyaml.Errorf(path, 0, "role %q is empty", name)
		}
		for _, m := range r.AllowedMetrics {
			if p.Metrics[m] == nil {
				return strictyaml.Errorf(path, r.Line, "role %s: unknown metric %q", name, m)
			}
		}
		for _, dim := range r.AllowedDimensions {
			if p.Dimensions[dim] == nil {
				return strictyaml.Errorf(path, r.Line, "role %s: unknown dimension %q", name, dim)
			}
		}
	}
	aliases := map[string]string{}
	for _, name := range spec.SortedKeys(p.Metrics) {
		m := p.Metrics[name]
		if m == nil || strings.TrimSpace(m.Expression) == "" {
			return strictyaml.Errorf(path, 0, "metric %s: expression is required", name)
		}
		for _, r := range m.AllowedRoles {
			if p.Roles[r] == nil {
				return strictyaml.Errorf(path, m.Line, "metric %s: unknown role %q", name, r)
			}
		}
		for _, a := range m.Aliases {
			if p.Metrics[a] != nil || aliases[a] != "" {
				return strictyaml.Errorf(path, m.Line, "metric %s: alias %q is ambiguous", name, a)
			}
			aliases[a] = name
		}
	}
	for _, name := range spec.SortedKeys(p.Dimensions) {
		dm := p.Dimensions[name]
		if dm == nil {
			return strictyaml.Errorf(path, 0, "dimension %q is empty", name)
		}
		for _, r := range dm.AllowedRoles {
			if p.Roles[r] == nil {
				return strictyaml.Errorf(path, dm.Line, "dimension %s: unknown role %q", name, r)
			}
		}
	}
	return nil
}

// validateSurfaces checks a scanned domain's surfaces.yaml with the same
// rules as a benchmark domain's (every surface versioned and contracted,
// known modes, obligations emitted before they are accepted).
func validateSurfaces(path string, s *spec.Surfaces) error {
	if s == nil {
		return strictyaml.Errorf(path, 0, "empty surfaces")
	}
	return s.Validate(path)
}

// ResolveMetric maps a metric name or alias to its canonical metric name.
func (d *Domain) ResolveMetric(name string) (string, bool) {
	if d.Policy.Metrics[name] != nil {
		return name, true
	}
	for _, m := range spec.SortedKeys(d.Policy.Metrics) {
		for _, a := range d.Policy.Metrics[m].Aliases {
			if a == name {
				return m, true
			}
		}
	}
	return "", false
}
