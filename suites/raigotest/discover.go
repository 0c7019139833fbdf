package raigotest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// IsSuiteFile reports whether name is a suite file name:
// *.raigo-test.yaml or *.raigo-test.yml.
func IsSuiteFile(name string) bool {
	base := filepath.Base(name)
	return strings.HasSuffix(base, ".raigo-test.yaml") || strings.HasSuffix(base, ".raigo-test.yml")
}

// Discover expands files and directories into suite files. A file argument
// is taken as given, whatever its name; a directory is searched recursively
// for suite files (see [IsSuiteFile]), which are returned sorted. Arguments
// keep their order; a path reached twice is listed once.
func Discover(args ...string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		key := filepath.Clean(p)
		if !seen[key] {
			seen[key] = true
			out = append(out, p)
		}
	}
	for _, arg := range args {
		info, err := os.Stat(arg)
		if err != nil {
			return nil, fmt.Errorf("discover suites: %w", err)
		}
		if !info.IsDir() {
			add(arg)
			continue
		}
		var found []string
		err = filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && IsSuiteFile(p) {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("discover suites: %w", err)
		}
		sort.Strings(found)
		for _, p := range found {
			add(p)
		}
	}
	return out, nil
}
