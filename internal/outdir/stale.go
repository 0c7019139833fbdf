package outdir

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// RemoveStale removes, from parent, the staging and displaced directories
// of target name base (.BASE.tmp-PID-* and .BASE.old-PID-*) whose owning
// process is gone, such as those a run killed with SIGKILL leaves. A
// directory is removed only when it is empty or holds tool's marker, so
// nothing the tool did not create is touched. It returns the names removed.
func RemoveStale(parent, base, tool string) []string {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range entries {
		pid, ok := stalePID(e.Name(), base)
		if !ok || !e.IsDir() || pid == os.Getpid() || alive(pid) {
			continue
		}
		dir := filepath.Join(parent, e.Name())
		if !hasMarker(dir, tool) && !isEmptyDir(dir) {
			continue
		}
		if os.RemoveAll(dir) == nil {
			removed = append(removed, e.Name())
		}
	}
	return removed
}

// stalePID parses the owning pid out of a staging or displaced directory
// name of base.
func stalePID(name, base string) (int, bool) {
	for _, part := range []string{tmpPart, oldPart} {
		rest, ok := strings.CutPrefix(name, "."+base+part)
		if !ok {
			continue
		}
		digits, _, ok := strings.Cut(rest, "-")
		if !ok {
			return 0, false
		}
		pid, err := strconv.Atoi(digits)
		if err != nil || pid <= 0 {
			return 0, false
		}
		return pid, true
	}
	return 0, false
}

func isEmptyDir(dir string) bool {
	entries, err := os.ReadDir(dir)
	return err == nil && len(entries) == 0
}

// TempFilePattern is the os.CreateTemp pattern of a file staged beside
// path (.BASE.tmp-PID-*), which RemoveStaleFiles can recognise.
func TempFilePattern(path string) string {
	return "." + filepath.Base(path) + tmpPart + strconv.Itoa(os.Getpid()) + "-*"
}

// RemoveStaleFiles removes the regular files staged beside path
// (TempFilePattern) whose owning process is gone, and returns their names.
func RemoveStaleFiles(path string) []string {
	parent, base := filepath.Dir(path), filepath.Base(path)
	entries, err := os.ReadDir(parent)
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range entries {
		pid, ok := stalePID(e.Name(), base)
		if !ok || !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), "."+base+tmpPart) || pid == os.Getpid() || alive(pid) {
			continue
		}
		if os.Remove(filepath.Join(parent, e.Name())) == nil {
			removed = append(removed, e.Name())
		}
	}
	return removed
}
