package importdomain

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// Write writes the converted files to dir, which must not exist or be an
// empty directory: into a temporary directory beside it first, renamed into
// place when complete.
func (r *Result) Write(dir string) error {
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
	tmp, err := os.MkdirTemp(parent, ".import-domain-*")
	if err != nil {
		return fmt.Errorf("write domain: %w", err)
	}
	defer os.RemoveAll(tmp)
	for _, p := range spec.SortedKeys(r.Files) {
		target := filepath.Join(tmp, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return fmt.Errorf("write domain: %w", err)
		}
		if err := os.WriteFile(target, r.Files[p], 0o644); err != nil {
			return fmt.Errorf("write domain: %w", err)
		}
	}
	_ = os.Remove(dir) // an existing empty directory
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("write domain: %w", err)
	}
	return nil
}
