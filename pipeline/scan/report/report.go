// Package report writes a scan's outputs: scan.json, findings.jsonl,
// policystrata/findings.json, summary.json, report.md, witnesses/ (redacted),
// witnesses.redacted.json, mutants.jsonl, scan.sarif (SARIF 2.1.0 with rules
// and locations) and a JUnit file. One file per format; the output
// directory is written under a temporary name beside the target and
// renamed into place.
package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/policystrata/policystrata/pipeline/scan"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// Artifacts are the fixed file names scan.json lists (SARIF excluded, as
// the reference does).
var Artifacts = map[string]string{
	"findings":           "findings.jsonl",
	"findings_json":      "policystrata/findings.json",
	"report":             "report.md",
	"summary":            "summary.json",
	"witnesses":          "witnesses",
	"witnesses_redacted": "witnesses.redacted.json",
}

// Formats lists the output formats this package writes.
func Formats() []string {
	return []string{"json", "jsonl", "markdown", "sarif", "junit", "witness"}
}

// Options say what Write adds besides the fixed outputs.
type Options struct {
	// SARIF writes scan.sarif with artifact URIs prefixed by SARIFRoot (see
	// SARIFWithRoot).
	SARIF     bool
	SARIFRoot string
	// Moves are files written while the scan streamed, moved into the
	// directory: name in the directory to current path. A move named
	// findings.jsonl replaces the one Write would render.
	Moves map[string]string
}

// Write writes every output of res as the directory dir (see WriteDir for
// how an existing dir is replaced), reading the findings from src one at a
// time: scan.json, findings.jsonl, policystrata/findings.json,
// summary.json, report.md, witnesses/, witnesses.redacted.json,
// mutants.jsonl (from res.Mutants unless moved in) and, as asked, SARIF.
func Write(dir string, res *scan.Result, src Findings, opt Options) error {
	return writeDir(dir, opt.Moves, func(tmp string) error {
		files := []struct {
			name  string
			write func(w io.Writer) error
		}{
			{"scan.json", func(w io.Writer) error { return writeScanJSON(w, res, dir, src) }},
			{"policystrata/findings.json", func(w io.Writer) error {
				if err := writeArray(w, src, 0, false, identity); err != nil {
					return err
				}
				_, err := io.WriteString(w, "\n")
				return err
			}},
			{"summary.json", func(w io.Writer) error { return writeIndented(w, res.Summary) }},
			{"report.md", func(w io.Writer) error { return writeMarkdown(w, res, src) }},
			{"witnesses.redacted.json", func(w io.Writer) error { return writeRedacted(w, src) }},
		}
		if opt.Moves["findings.jsonl"] == "" {
			files = append(files, struct {
				name  string
				write func(w io.Writer) error
			}{"findings.jsonl", func(w io.Writer) error { return writeJSONL(w, src) }})
		}
		if opt.Moves["mutants.jsonl"] == "" {
			files = append(files, struct {
				name  string
				write func(w io.Writer) error
			}{"mutants.jsonl", func(w io.Writer) error { return writeMutants(w, res.Mutants) }})
		}
		if opt.SARIF {
			files = append(files, struct {
				name  string
				write func(w io.Writer) error
			}{"scan.sarif", func(w io.Writer) error { return writeSARIF(w, res, opt.SARIFRoot, src) }})
		}
		for _, f := range files {
			if err := writeFileWith(filepath.Join(tmp, filepath.FromSlash(f.name)), f.write); err != nil {
				return err
			}
		}
		wdir := filepath.Join(tmp, "witnesses")
		return src(func(f *scan.Finding) error {
			b, err := indentJSON(Witness(*f))
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(wdir, f.ID+".json"), b, 0o644); err != nil {
				return fmt.Errorf("write output: %w", err)
			}
			return nil
		})
	})
}

// Files renders every output of res (findings from res.Findings) in
// memory, keyed by slash path relative to the output directory: for tests
// and small scans.
func Files(res *scan.Result, outDir string, sarif bool) (map[string][]byte, error) {
	tmp, err := os.MkdirTemp("", "scan-files-*")
	if err != nil {
		return nil, fmt.Errorf("write output: %w", err)
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "out")
	if err := Write(dir, res, SliceFindings(res.Findings), Options{SARIF: sarif}); err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("write output: %w", err)
	}
	// scan.json names the directory the caller asked for
	files["scan.json"] = bytes.Replace(files["scan.json"], jsonString(dir), jsonString(outDir), 1)
	return files, nil
}

func jsonString(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

// writeScanJSON writes scan.json (sorted keys, findings streamed).
func writeScanJSON(w io.Writer, res *scan.Result, outDir string, src Findings) error {
	doc := map[string]any{
		"version":     "scan.v1",
		"domain":      res.Domain.Name,
		"config_path": res.Config.Path,
		"output_dir":  outDir,
		"gate":        res.Gate,
		"summary":     res.Summary,
		"findings":    json.RawMessage(placeholder),
		"artifacts":   Artifacts,
		"freeze":      res.Freeze,
	}
	return writeAround(w, doc, false, 1, src, identity)
}

// writeJSONL writes findings.jsonl: one compact finding per line.
func writeJSONL(w io.Writer, src Findings) error {
	return src(func(f *scan.Finding) error {
		b, err := json.Marshal(f)
		if err != nil {
			return fmt.Errorf("write findings: %w", err)
		}
		_, err = w.Write(append(b, '\n'))
		return err
	})
}

// writeRedacted writes witnesses.redacted.json.
func writeRedacted(w io.Writer, src Findings) error {
	doc := map[string]any{"version": "policystrata.witnesses_redacted.v1", "witnesses": json.RawMessage(placeholder)}
	return writeAround(w, doc, false, 1, src, func(f *scan.Finding) any {
		return map[string]any{
			"id": f.ID, "title": f.Title, "severity": f.Severity, "confidence": f.Confidence, "surface": f.Surface,
			"witnessClass": f.WitnessClass, "evidenceLevel": f.EvidenceLevel, "witnessPath": f.WitnessPath,
			"findingId": f.ID, "owner": f.Owner, "probableFix": f.ProbableFix,
		}
	})
}

// writeMutants writes mutants.jsonl from memory.
func writeMutants(w io.Writer, ms []scan.TraceMutants) error {
	for _, tm := range ms {
		b, err := json.Marshal(tm)
		if err != nil {
			return fmt.Errorf("write mutants: %w", err)
		}
		if _, err := w.Write(append(b, '\n')); err != nil {
			return err
		}
	}
	return nil
}

// writeIndented writes v as indented JSON.
func writeIndented(w io.Writer, v any) error {
	b, err := indentJSON(v)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// writeFileWith creates path (and its directory) and fills it with write
// through a buffer.
func writeFileWith(path string, write func(w io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	fh, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	bw := bufio.NewWriterSize(fh, 1<<16)
	if err := write(bw); err != nil {
		fh.Close()
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if err := bw.Flush(); err != nil {
		fh.Close()
		return fmt.Errorf("write output: %w", err)
	}
	if err := fh.Close(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

func indentJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("write json: %w", err)
	}
	return buf.Bytes(), nil
}

// WriteDir writes files as the directory dir: into a temporary directory
// beside it, then renamed into place. An existing dir is replaced only when
// it is empty or a previous scan output (it holds scan.json).
func WriteDir(dir string, files map[string][]byte) error {
	return writeDir(dir, nil, func(tmp string) error {
		names := make([]string, 0, len(files))
		for n := range files {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			p := filepath.Join(tmp, filepath.FromSlash(n))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return fmt.Errorf("write output: %w", err)
			}
			if err := os.WriteFile(p, files[n], 0o644); err != nil {
				return fmt.Errorf("write output: %w", err)
			}
		}
		return nil
	})
}

// writeDir fills a temporary directory beside dir with fill, moves the
// moves in (name in the directory to current path) and renames it into
// place as dir.
func writeDir(dir string, moves map[string]string, fill func(tmp string) error) error {
	if st, err := os.Stat(dir); err == nil {
		if !st.IsDir() {
			return strictyaml.Errorf(dir, 0, "output path exists and is not a directory")
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) > 0 {
			if _, err := os.Stat(filepath.Join(dir, "scan.json")); err != nil {
				return strictyaml.Errorf(dir, 0, "output directory exists, is not empty and holds no scan.json: refusing to replace it")
			}
		}
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, ".scan-out-*")
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := os.MkdirAll(filepath.Join(tmp, "witnesses"), 0o755); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if err := fill(tmp); err != nil {
		return err
	}
	for _, n := range sortedKeys(moves) {
		if err := os.Rename(moves[n], filepath.Join(tmp, filepath.FromSlash(n))); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
	}
	old := ""
	if _, err := os.Stat(dir); err == nil {
		old = dir + ".old-" + filepath.Base(tmp)
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			_ = os.Rename(old, dir)
		}
		return fmt.Errorf("write output: %w", err)
	}
	if old != "" {
		_ = os.RemoveAll(old)
	}
	return nil
}

// WriteFile writes one file atomically (temporary file, then rename).
func WriteFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ").Replace(s)
}
