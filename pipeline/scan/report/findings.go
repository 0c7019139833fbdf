package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/policystrata/policystrata/pipeline/scan"
)

// Findings iterates a scan's findings in output order, calling fn on each
// until it returns an error; every call starts again from the first. The
// writers read findings through it, so a scan whose findings were spooled
// to disk is written without holding them in memory.
type Findings func(fn func(f *scan.Finding) error) error

// SliceFindings iterates fs.
func SliceFindings(fs []scan.Finding) Findings {
	return func(fn func(*scan.Finding) error) error {
		for i := range fs {
			if err := fn(&fs[i]); err != nil {
				return err
			}
		}
		return nil
	}
}

// SpoolFindings iterates the findings.jsonl file at path (as written by
// scan.Options.Findings).
func SpoolFindings(path string) Findings {
	return func(fn func(*scan.Finding) error) error {
		fh, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("read findings: %w", err)
		}
		defer fh.Close()
		r := bufio.NewReaderSize(fh, 1<<16)
		for {
			line, err := r.ReadBytes('\n')
			if len(bytes.TrimSpace(line)) > 0 {
				var f scan.Finding
				dec := json.NewDecoder(bytes.NewReader(line))
				dec.UseNumber()
				if derr := dec.Decode(&f); derr != nil {
					return fmt.Errorf("read findings: %w", derr)
				}
				if ferr := fn(&f); ferr != nil {
					return ferr
				}
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("read findings: %w", err)
			}
		}
	}
}

// writeArray writes the findings as a JSON array whose opening bracket
// sits at nesting depth depth of an indented ("  ") document, each element
// being elem(f) encoded as json.Encoder with SetIndent would place it.
func writeArray(w io.Writer, src Findings, depth int, escapeHTML bool, elem func(*scan.Finding) any) error {
	inner := strings.Repeat("  ", depth+1)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	enc.SetIndent(inner, "  ")
	n := 0
	err := src(func(f *scan.Finding) error {
		buf.Reset()
		if n == 0 {
			buf.WriteString("[")
		} else {
			buf.WriteString(",")
		}
		buf.WriteString("\n" + inner)
		if err := enc.Encode(elem(f)); err != nil {
			return fmt.Errorf("write json: %w", err)
		}
		buf.Truncate(buf.Len() - 1) // the encoder's newline
		n++
		_, err := w.Write(buf.Bytes())
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 {
		_, err = io.WriteString(w, "[]")
	} else {
		_, err = io.WriteString(w, "\n"+strings.Repeat("  ", depth)+"]")
	}
	return err
}

// placeholder stands for a streamed array in a document encoded around it.
const placeholder = `"\u0000policystrata-stream\u0000"`

// writeAround encodes doc (indented, escapeHTML as given), whose one value
// json.RawMessage(placeholder) is replaced by the array writeArray streams
// at depth.
func writeAround(w io.Writer, doc any, escapeHTML bool, depth int, src Findings, elem func(*scan.Finding) any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	head, tail, ok := bytes.Cut(buf.Bytes(), []byte(placeholder))
	if !ok {
		return fmt.Errorf("write json: stream placeholder missing")
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	if err := writeArray(w, src, depth, escapeHTML, elem); err != nil {
		return err
	}
	_, err := w.Write(tail)
	return err
}

func identity(f *scan.Finding) any { return f }
