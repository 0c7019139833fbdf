package outdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Options say who writes an output directory and what it may replace.
type Options struct {
	// Tool names the writing tool ("raigo", "policystrata"); its marker
	// file, MarkerName(Tool), is written into every run directory.
	Tool string
	// Force allows replacing a non-empty directory that holds the tool's
	// marker (a previous run of the same tool). Nothing else non-empty is
	// ever replaced.
	Force bool
}

// Stage is an output directory being written: write into Dir, then Commit
// (or Abort).
type Stage struct {
	// Dir is the staging directory, beside the target; it already holds
	// the tool's marker.
	Dir string
	// Target is the resolved output directory Commit moves Dir to.
	Target string
	out    string
	opt    Options
	done   bool
}

// Staging and displaced-directory name parts: .NAME.tmp-PID-RAND and
// .NAME.old-PID-RAND beside the target.
const (
	tmpPart = ".tmp-"
	oldPart = ".old-"
)

// Prepare checks that out may be written (a *RefusedError when not),
// removes the staging debris that dead processes left beside it, and
// creates a staging directory holding the tool's marker.
func Prepare(out string, opt Options) (*Stage, error) {
	if opt.Tool == "" {
		return nil, errors.New("prepare output: no tool name")
	}
	if out == "" {
		return nil, &RefusedError{Path: out, Reason: "empty output path"}
	}
	target, err := resolve(out)
	if err != nil {
		return nil, &RefusedError{Path: out, Reason: fmt.Sprintf("cannot resolve output path: %v", unwrapPath(err))}
	}
	if why := check(target, opt.Tool, opt.Force); why != "" {
		return nil, &RefusedError{Path: out, Reason: why}
	}
	parent, base := filepath.Dir(target), filepath.Base(target)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, &RefusedError{Path: out, Reason: fmt.Sprintf("cannot create output parent: %v", unwrapPath(err))}
	}
	RemoveStale(parent, base, opt.Tool)
	dir, err := os.MkdirTemp(parent, "."+base+tmpPart+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return nil, &RefusedError{Path: out, Reason: fmt.Sprintf("cannot create staging directory: %v", unwrapPath(err))}
	}
	s := &Stage{Dir: dir, Target: target, out: out, opt: opt}
	if err := os.WriteFile(filepath.Join(dir, MarkerName(opt.Tool)), []byte(markerText(opt.Tool)), 0o644); err != nil {
		s.Abort()
		return nil, fmt.Errorf("prepare output: %w", err)
	}
	return s, nil
}

func markerText(tool string) string {
	return "This directory is a " + tool + " run; " + tool + " may replace it when given --force.\n"
}

// Commit moves the staging directory into place. An existing target is
// checked again (it may have changed during the run), moved aside, and
// removed once the new directory is in place.
func (s *Stage) Commit() error {
	if s.done {
		return errors.New("commit output: already finished")
	}
	if why := check(s.Target, s.opt.Tool, s.opt.Force); why != "" {
		s.Abort()
		return &RefusedError{Path: s.out, Reason: why}
	}
	if err := os.Chmod(s.Dir, 0o755); err != nil {
		s.Abort()
		return fmt.Errorf("commit output: %w", err)
	}
	parent, base := filepath.Dir(s.Target), filepath.Base(s.Target)
	var old string
	if _, err := os.Lstat(s.Target); err == nil {
		// The staging name (.BASE.tmp-PID-RAND) is unique while it exists,
		// so .BASE.old-PID-RAND is free.
		o := filepath.Join(parent, "."+base+oldPart+strings.TrimPrefix(filepath.Base(s.Dir), "."+base+tmpPart))
		if err := os.Rename(s.Target, o); err != nil {
			s.Abort()
			return fmt.Errorf("commit output: move previous run aside: %w", err)
		}
		old = o
	}
	if err := os.Rename(s.Dir, s.Target); err != nil {
		if old != "" {
			_ = os.Rename(old, s.Target)
		}
		s.Abort()
		return fmt.Errorf("commit output: %w", err)
	}
	s.done = true
	if old != "" {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("commit output: remove previous run: %w", err)
		}
	}
	return nil
}

// Abort removes the staging directory; it does nothing after Commit or a
// previous Abort.
func (s *Stage) Abort() {
	if s == nil || s.done {
		return
	}
	s.done = true
	os.RemoveAll(s.Dir)
}
