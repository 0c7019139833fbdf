package scan

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"

	"github.com/policystrata/policystrata/internal/progress"
	"github.com/policystrata/policystrata/pipeline/scan/source"
)

// traceLines measures a scan's progress in lines of its trace files (one
// trace a line), so it has a total and an ETA before the traces are read.
type traceLines struct {
	total  int
	before map[string]int // lines of the files listed before this one
}

// countTraceLines counts the lines of the trace files under dir. A file
// that cannot be read leaves the total unknown (0): the stream itself
// reports the error.
func countTraceLines(dir string, files []string) traceLines {
	tl := traceLines{before: map[string]int{}}
	for _, f := range files {
		n, err := countLines(filepath.Join(dir, f))
		if err != nil {
			return traceLines{}
		}
		if _, seen := tl.before[f]; !seen {
			tl.before[f] = tl.total
		}
		tl.total += n
	}
	return tl
}

// at is how many lines are read once t is: the lines of the files before
// its own, plus its line.
func (tl traceLines) at(t *source.Trace) int {
	if t == nil || tl.total == 0 {
		return 0
	}
	return tl.before[t.File] + t.Line
}

// countLines counts lines as the trace reader does: a last line without a
// newline counts.
func countLines(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<16)
	buf := make([]byte, 1<<16)
	n, last := 0, byte('\n')
	for {
		k, err := r.Read(buf)
		if k > 0 {
			n += bytes.Count(buf[:k], []byte{'\n'})
			last = buf[k-1]
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	if last != '\n' {
		n++
	}
	return n, nil
}

// reporting reports whether r shows anything (counting lines for nothing
// is skipped).
func reporting(r progress.Reporter) bool {
	_, off := r.(progress.Nop)
	return r != nil && !off
}
