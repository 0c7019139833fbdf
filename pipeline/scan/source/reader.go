package source

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strings"

	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// Item is one element of the trace stream: a trace, or the error that
// aborts the stream (a contract violation at File:Line).
type Item struct {
	Trace *Trace
	Err   *LoadError
}

// LoadError is a trace file that breaks the contract.
type LoadError struct {
	File string
	Line int
	Msg  string
}

// Error formats the reference's message: `invalid imported trace
// <path>:<line>: <msg>`.
func (e *LoadError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("invalid imported trace %s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("invalid imported trace %s: %s", e.File, e.Msg)
}

// CheckFiles verifies that every trace file exists (a missing file is a
// usage error, exit 2). Paths that escape dir are left for Stream, which
// reports them as a LoadError.
func CheckFiles(dir string, files []string) error {
	for _, f := range files {
		if escapes(f) {
			continue
		}
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return strictyaml.Errorf(f, 0, "trace file does not exist")
			}
			return fmt.Errorf("check trace file: %w", err)
		}
		if st.IsDir() {
			return strictyaml.Errorf(f, 0, "trace file is a directory")
		}
	}
	return nil
}

func escapes(p string) bool {
	if filepath.IsAbs(p) || strings.HasPrefix(p, "/") {
		return true
	}
	c := filepath.ToSlash(filepath.Clean(p))
	return c == ".." || strings.HasPrefix(c, "../")
}

// Stream yields the traces of files (relative to dir) in order. The first
// contract violation is yielded as an Item with Err and ends the stream; a
// read error too.
func Stream(dir string, files []string) iter.Seq[Item] {
	return func(yield func(Item) bool) {
		idx := 0
		for _, f := range files {
			if escapes(f) {
				yield(Item{Err: &LoadError{File: f, Msg: "trace path must be relative and stay under the config directory"}})
				return
			}
			fh, err := os.Open(filepath.Join(dir, f))
			if err != nil {
				yield(Item{Err: &LoadError{File: f, Msg: err.Error()}})
				return
			}
			ok := streamFile(f, fh, &idx, yield)
			fh.Close()
			if !ok {
				return
			}
		}
	}
}

// Read yields the traces of one reader named name (for tests and stdin).
func Read(name string, r io.Reader) iter.Seq[Item] {
	return func(yield func(Item) bool) {
		idx := 0
		streamFile(name, r, &idx, yield)
	}
}

func streamFile(name string, r io.Reader, idx *int, yield func(Item) bool) bool {
	br := bufio.NewReaderSize(r, 1<<16)
	line := 0
	for {
		raw, err := br.ReadBytes('\n')
		if len(raw) > 0 {
			line++
			if t := bytes.TrimSpace(raw); len(t) > 0 {
				tr, skip, derr := DecodeLine(t)
				if derr != nil {
					yield(Item{Err: &LoadError{File: name, Line: line, Msg: derr.Error()}})
					return false
				}
				if !skip {
					tr.File, tr.Line, tr.Index = name, line, *idx
					*idx++
					if !yield(Item{Trace: tr}) {
						return false
					}
				}
			}
		}
		if err == io.EOF {
			return true
		}
		if err != nil {
			yield(Item{Err: &LoadError{File: name, Line: line + 1, Msg: err.Error()}})
			return false
		}
	}
}
