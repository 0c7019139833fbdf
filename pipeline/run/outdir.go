package run

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// stagingDir creates a temporary directory beside out. The caller renames it
// to out with commit, or removes it.
// A previous run directory (holding summary.json and metadata.json) may be
// replaced when replaceRun is set.
func stagingDir(out string, force, replaceRun bool) (string, error) {
	out = filepath.Clean(out)
	if st, err := os.Stat(out); err == nil {
		if !st.IsDir() {
			return "", strictyaml.Errorf(out, 0, "output path exists and is not a directory")
		}
		entries, _ := os.ReadDir(out)
		if len(entries) > 0 && !force && !(replaceRun && isRunDir(out)) {
			return "", strictyaml.Errorf(out, 0, "output directory exists and is not empty (use --force to replace it)")
		}
	}
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("create output parent: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("create staging directory: %w", err)
	}
	return tmp, nil
}

// commit replaces out with the finished staging directory.
func commit(tmp, out string) error {
	out = filepath.Clean(out)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("move output into place: %w", err)
	}
	if _, err := os.Stat(out); err == nil {
		old := out + ".old-" + filepath.Base(tmp)
		if err := os.Rename(out, old); err != nil {
			return fmt.Errorf("replace output: %w", err)
		}
		if err := os.Rename(tmp, out); err != nil {
			_ = os.Rename(old, out)
			return fmt.Errorf("replace output: %w", err)
		}
		return os.RemoveAll(old)
	}
	if err := os.Rename(tmp, out); err != nil {
		return fmt.Errorf("move output into place: %w", err)
	}
	return nil
}

// isRunDir reports whether dir looks like a finished run directory.
func isRunDir(dir string) bool {
	for _, f := range []string{"summary.json", "metadata.json", "traces.jsonl"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return false
		}
	}
	return true
}
