package outdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// RefusedError is an output path the tool will not write: bad input that
// the front ends report with exit code 2.
type RefusedError struct {
	// Path is the output path as the user gave it.
	Path string
	// Reason says why, in lowercase.
	Reason string
}

// Error formats the refusal as `path: reason`.
func (e *RefusedError) Error() string { return fmt.Sprintf("%s: %s", e.Path, e.Reason) }

// IsRefused reports whether err is (or wraps) a *RefusedError.
func IsRefused(err error) bool {
	var re *RefusedError
	return errors.As(err, &re)
}

// MarkerName is the file every run directory of tool holds
// (".raigo-run", ".policystrata-run").
func MarkerName(tool string) string { return "." + tool + "-run" }

// resolve makes out absolute and clean and resolves the symbolic links of
// its longest existing prefix (the rest does not exist yet).
func resolve(out string) (string, error) {
	abs, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	rest := ""
	p := abs
	for {
		if _, err := os.Lstat(p); err == nil {
			break
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(p)
		if parent == p {
			break
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", err
	}
	return filepath.Join(real, rest), nil
}

// within reports whether dir is path or one of its ancestors.
func within(path, dir string) bool {
	if path == dir {
		return true
	}
	if !strings.HasSuffix(dir, string(filepath.Separator)) {
		dir += string(filepath.Separator)
	}
	return strings.HasPrefix(path, dir)
}

// forbidden says why target (absolute, resolved) may never be an output
// directory, or "" when it may.
func forbidden(target string) string {
	if filepath.Dir(target) == target {
		return "refusing to write output to the root directory"
	}
	if wd, err := os.Getwd(); err == nil {
		if real, err := filepath.EvalSymlinks(wd); err == nil {
			wd = real
		}
		if within(wd, target) {
			return "refusing to write output to the working directory or one of its ancestors"
		}
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		if real, err := filepath.EvalSymlinks(home); err == nil {
			home = real
		}
		if target == filepath.Clean(home) {
			return "refusing to write output to the home directory"
		}
	}
	return ""
}

// check decides whether target may be (re)placed, returning the refusal
// reason or "". An absent target or an empty directory is always fine; a
// non-empty one needs force and the tool's marker.
func check(target, tool string, force bool) string {
	if why := forbidden(target); why != "" {
		return why
	}
	st, err := os.Lstat(target)
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	if err != nil {
		return fmt.Sprintf("cannot inspect output path: %v", unwrapPath(err))
	}
	if !st.IsDir() {
		return "output path exists and is not a directory"
	}
	entries, err := os.ReadDir(target)
	if err != nil {
		return fmt.Sprintf("cannot read output directory: %v", unwrapPath(err))
	}
	if len(entries) == 0 {
		return ""
	}
	if !hasMarker(target, tool) {
		if force {
			return fmt.Sprintf("output directory is not empty and is not a previous %s run (no %s marker); refusing to replace it: remove it yourself or choose another directory", tool, MarkerName(tool))
		}
		return fmt.Sprintf("output directory exists and is not empty (it is not a previous %s run; choose another directory)", tool)
	}
	if !force {
		return fmt.Sprintf("output directory holds a previous %s run (use --force to replace it)", tool)
	}
	return ""
}

// hasMarker reports whether dir holds tool's marker as a regular file.
func hasMarker(dir, tool string) bool {
	st, err := os.Lstat(filepath.Join(dir, MarkerName(tool)))
	return err == nil && st.Mode().IsRegular()
}

// unwrapPath drops the *PathError's path (the caller names the path).
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
