// Package domains embeds the built-in domain fixtures (policy, surfaces,
// schema, state-generator settings and seeded suites) in the binary and loads
// them, or any domain directory on disk, into a validated spec.Domain.
package domains

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

//go:embed support_saas finance_saas analytics_clickhouse
var builtin embed.FS

// Names lists the built-in domains in sorted order.
func Names() []string {
	entries, _ := fs.ReadDir(builtin, ".")
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// Builtin returns the file system of a built-in domain.
func Builtin(name string) (fs.FS, error) {
	for _, n := range Names() {
		if n == name {
			return fs.Sub(builtin, name)
		}
	}
	return nil, strictyaml.Errorf(name, 0, "unknown built-in domain (built-in: %s)", strings.Join(Names(), ", "))
}

// Load loads a built-in domain by name.
func Load(name string) (*spec.Domain, error) {
	fsys, err := Builtin(name)
	if err != nil {
		return nil, err
	}
	d, err := spec.LoadDomain(fsys, name, "builtin:"+name)
	if err != nil && strictyaml.IsInputError(err) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("load domain: %w", err)
	}
	return d, nil
}

// LoadDir loads a domain directory on disk; the domain is named after it.
func LoadDir(dir string) (*spec.Domain, error) {
	st, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, strictyaml.Errorf(dir, 0, "domain directory does not exist")
		}
		return nil, fmt.Errorf("load domain: %w", err)
	}
	if !st.IsDir() {
		return nil, strictyaml.Errorf(dir, 0, "not a directory")
	}
	name := filepath.Base(filepath.Clean(dir))
	if !spec.ValidID(name) {
		return nil, strictyaml.Errorf(dir, 0, "directory name %q is not a safe domain id", name)
	}
	if isReferenceDir(dir) {
		return nil, strictyaml.Errorf(dir, 0, "a domain directory of the Python reference (schema.sql and seed.sql, no schema.yaml): convert it first with `policystrata import-domain %s --out DIR`", dir)
	}
	d, err := spec.LoadDomain(os.DirFS(dir), name, dir)
	if err != nil && !strictyaml.IsInputError(err) {
		return nil, fmt.Errorf("load domain: %w", err)
	}
	return d, err
}

// WriteOut copies built-in domain name into dir (which must not exist or be
// empty), writing to a temporary directory first and renaming it into place.
func WriteOut(name, dir string) error {
	fsys, err := Builtin(name)
	if err != nil {
		return err
	}
	if st, err := os.Stat(dir); err == nil {
		if !st.IsDir() {
			return strictyaml.Errorf(dir, 0, "output path exists and is not a directory")
		}
		if entries, err := os.ReadDir(dir); err != nil || len(entries) > 0 {
			return strictyaml.Errorf(dir, 0, "output directory exists and is not empty")
		}
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("write domain: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, ".init-domain-*")
	if err != nil {
		return fmt.Errorf("write domain: %w", err)
	}
	defer os.RemoveAll(tmp)
	err = fs.WalkDir(fsys, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(tmp, filepath.FromSlash(p))
		if e.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		return fmt.Errorf("write domain: %w", err)
	}
	_ = os.Remove(dir) // an existing empty directory
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("write domain: %w", err)
	}
	return nil
}

// isReferenceDir reports whether dir holds the reference's schema.sql and
// seed.sql but no schema.yaml.
func isReferenceDir(dir string) bool {
	exists := func(f string) bool { _, err := os.Stat(filepath.Join(dir, f)); return err == nil }
	return !exists("schema.yaml") && exists("schema.sql") && exists("seed.sql")
}
