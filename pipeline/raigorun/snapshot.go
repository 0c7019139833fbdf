package raigorun

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/policystrata/policystrata/internal/outdir"
	"github.com/policystrata/policystrata/pipeline/raigo"
	"github.com/policystrata/policystrata/pipeline/trace"
	"github.com/policystrata/policystrata/suites/raigotest"
)

// Snapshot statuses.
const (
	SnapshotMatched = "matched" // the evaluation equals its snapshot
	SnapshotWritten = "written" // no snapshot yet: recorded
	SnapshotChanged = "changed" // the evaluation differs: the case fails
	SnapshotUpdated = "updated" // it differed and was rewritten (update mode)
)

// SnapshotCheck is the outcome of comparing a case with its snapshot.
type SnapshotCheck struct {
	Status string `json:"status"`
	// Diff is the line diff of the snapshot (-) and the evaluation (+).
	Diff string `json:"diff,omitempty"`
}

// snapshotEntry is what a snapshot records for one case: its input and
// its full evaluation.
type snapshotEntry struct {
	Input      raigo.Input `json:"input"`
	EngineMode raigo.Mode  `json:"engine_mode"`
	Evaluation Evaluation  `json:"evaluation"`
}

// snapshotFile is the on-disk document, one per suite.
type snapshotFile struct {
	Suite string                     `json:"suite"`
	Cases map[string]json.RawMessage `json:"cases"`
}

// suiteSnapshots holds one suite's snapshots: the stored entries (read
// only during the run) and the current ones the sink collects.
type suiteSnapshots struct {
	path    string
	name    string
	keys    []string          // per case index
	stored  map[string]string // canonical entry JSON
	current map[string]string
	dirty   bool
}

// snapshotName is the snapshot file name of a suite file:
// <name without .raigo-test.yaml>.snap.json.
func snapshotName(suitePath string) string {
	base := filepath.Base(suitePath)
	for _, ext := range []string{".raigo-test.yaml", ".raigo-test.yml", ".yaml", ".yml"} {
		if strings.HasSuffix(base, ext) {
			base = strings.TrimSuffix(base, ext)
			break
		}
	}
	return base + ".snap.json"
}

// caseKeys names a suite's cases in its snapshot: the label, with "#n"
// appended to repeats.
func caseKeys(s *raigotest.Suite) []string {
	keys := make([]string, len(s.Cases))
	seen := map[string]int{}
	for i := range s.Cases {
		k := s.Cases[i].Label()
		seen[k]++
		if seen[k] > 1 {
			k = fmt.Sprintf("%s #%d", k, seen[k])
		}
		keys[i] = k
	}
	return keys
}

// loadSnapshots reads the snapshot file of every suite from dir. Two
// suites that would share a snapshot file are an input error.
func loadSnapshots(dir string, suites []*loadedSuite) ([]*suiteSnapshots, error) {
	out := make([]*suiteSnapshots, len(suites))
	owner := map[string]string{}
	var errs InputError
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return nil, &InputError{Problems: []string{dir + ": snapshot path exists and is not a directory"}}
	}
	for i, ls := range suites {
		name := snapshotName(ls.suite.Path)
		if prev, dup := owner[name]; dup {
			errs.Problems = append(errs.Problems, fmt.Sprintf("%s: snapshot file %s is already used by %s; rename one of the suite files",
				ls.suite.Path, name, prev))
			continue
		}
		owner[name] = ls.suite.Path
		ss := &suiteSnapshots{path: filepath.Join(dir, name), name: ls.suite.Name, keys: caseKeys(ls.suite),
			stored: map[string]string{}, current: map[string]string{}}
		outdir.RemoveStaleFiles(ss.path) // what a killed run left
		data, err := os.ReadFile(ss.path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			errs.Problems = append(errs.Problems, fmt.Sprintf("%s: cannot read snapshot file: %v", ss.path, unwrapPathError(err)))
			continue
		default:
			stored, err := parseSnapshot(data)
			if err != nil {
				errs.Problems = append(errs.Problems, fmt.Sprintf("%s: invalid snapshot file: %v (delete it or run with --update-snapshots)", ss.path, err))
				continue
			}
			ss.stored = stored
		}
		out[i] = ss
	}
	return out, errs.orNil()
}

// parseSnapshot reads a snapshot file: a JSON object whose "cases" map
// case keys to entry objects. It returns each entry as canonical JSON.
func parseSnapshot(data []byte) (map[string]string, error) {
	var f snapshotFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value")
	}
	if f.Cases == nil {
		return nil, errors.New(`not a snapshot: no "cases" object`)
	}
	stored := make(map[string]string, len(f.Cases))
	for k, raw := range f.Cases {
		if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
			return nil, fmt.Errorf("case %q: an entry must be a JSON object", k)
		}
		canon, err := trace.CanonicalJSON(raw)
		if err != nil {
			return nil, fmt.Errorf("case %q: %w", k, err)
		}
		stored[k] = string(canon)
	}
	return stored, nil
}

// check compares a case's evaluation with its snapshot.
func (ss *suiteSnapshots) check(caseIndex int, c *raigotest.Case, e Evaluation, update bool) (SnapshotCheck, string, error) {
	canon, err := trace.CanonicalJSON(snapshotEntry{Input: c.Input, EngineMode: c.EngineMode, Evaluation: e})
	if err != nil {
		return SnapshotCheck{}, "", fmt.Errorf("snapshot: %w", err)
	}
	cur := string(canon)
	old, ok := ss.stored[ss.keys[caseIndex]]
	switch {
	case !ok:
		return SnapshotCheck{Status: SnapshotWritten}, cur, nil
	case old == cur:
		return SnapshotCheck{Status: SnapshotMatched}, cur, nil
	case update:
		return SnapshotCheck{Status: SnapshotUpdated, Diff: lineDiff(old, cur)}, cur, nil
	}
	return SnapshotCheck{Status: SnapshotChanged, Diff: lineDiff(old, cur)}, cur, nil
}

// record keeps a case's current entry for writing.
func (ss *suiteSnapshots) record(caseIndex int, status, entry string) {
	key := ss.keys[caseIndex]
	switch status {
	case SnapshotWritten, SnapshotUpdated:
		ss.current[key] = entry
		ss.dirty = true
	case SnapshotChanged:
		ss.current[key] = ss.stored[key] // keep the snapshot until it is updated
	default:
		ss.current[key] = entry
	}
}

// write saves the suite's snapshots when anything was recorded or, in
// update mode, when an entry changed or became obsolete.
func (ss *suiteSnapshots) write(update bool) error {
	entries := ss.current
	if !update {
		for k, v := range ss.stored {
			if _, ok := entries[k]; !ok {
				entries[k] = v // keep snapshots of cases not run
			}
		}
	} else {
		for k := range ss.stored {
			if _, ok := entries[k]; !ok {
				ss.dirty = true // an obsolete snapshot is dropped
			}
		}
	}
	if !ss.dirty {
		return nil
	}
	keys := make([]string, 0, len(entries))
	for k := range entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	f := snapshotFile{Suite: ss.name, Cases: map[string]json.RawMessage{}}
	for _, k := range keys {
		f.Cases[k] = json.RawMessage(entries[k])
	}
	data, err := trace.CanonicalJSON(f)
	if err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	return writeFileAtomic(ss.path, data)
}

// writeFileAtomic writes data to a temporary file beside path (named after
// this process, so a later run removes it if this one is killed) and
// renames it into place.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), outdir.TempFilePattern(path))
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// unwrapPathError drops a *fs.PathError's operation and path (the message
// names the path already).
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
