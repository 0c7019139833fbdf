// Package report writes a scan's outputs: scan.json, findings.jsonl,
// policystrata/findings.json, summary.json, report.md, witnesses/ (redacted),
// witnesses.redacted.json, mutants.jsonl, scan.sarif (SARIF 2.1.0 with rules
// and locations) and a JUnit file. One file per format; the output
// directory is written under a temporary name beside the target and
// renamed into place.
package report

import (
	"bytes"
	"encoding/json"
	"fmt"
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

// Files renders every output file of res, keyed by slash path relative to
// the output directory.
func Files(res *scan.Result, outDir string, sarif bool) (map[string][]byte, error) {
	files := map[string][]byte{}
	var buf bytes.Buffer
	for _, f := range res.Findings {
		b, err := json.Marshal(f)
		if err != nil {
			return nil, fmt.Errorf("write findings: %w", err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	files["findings.jsonl"] = append([]byte{}, buf.Bytes()...)
	findings := res.Findings
	if findings == nil {
		findings = []scan.Finding{}
	}
	var err error
	if files["policystrata/findings.json"], err = indentJSON(findings); err != nil {
		return nil, err
	}
	if files["summary.json"], err = indentJSON(res.Summary); err != nil {
		return nil, err
	}
	doc := map[string]any{
		"version":     "scan.v1",
		"domain":      res.Domain.Name,
		"config_path": res.Config.Path,
		"output_dir":  outDir,
		"gate":        res.Gate,
		"summary":     res.Summary,
		"findings":    findings,
		"artifacts":   Artifacts,
		"freeze":      res.Freeze,
	}
	if files["scan.json"], err = indentJSON(doc); err != nil {
		return nil, err
	}
	files["report.md"] = []byte(Markdown(res))
	var redacted []map[string]any
	for _, f := range res.Findings {
		w, err := indentJSON(Witness(f))
		if err != nil {
			return nil, err
		}
		files["witnesses/"+f.ID+".json"] = w
		redacted = append(redacted, map[string]any{
			"id": f.ID, "title": f.Title, "severity": f.Severity, "confidence": f.Confidence, "surface": f.Surface,
			"witnessClass": f.WitnessClass, "evidenceLevel": f.EvidenceLevel, "witnessPath": f.WitnessPath,
			"findingId": f.ID, "owner": f.Owner, "probableFix": f.ProbableFix,
		})
	}
	if redacted == nil {
		redacted = []map[string]any{}
	}
	if files["witnesses.redacted.json"], err = indentJSON(map[string]any{"version": "policystrata.witnesses_redacted.v1", "witnesses": redacted}); err != nil {
		return nil, err
	}
	buf.Reset()
	for _, tm := range res.Mutants {
		b, err := json.Marshal(tm)
		if err != nil {
			return nil, fmt.Errorf("write mutants: %w", err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	files["mutants.jsonl"] = append([]byte{}, buf.Bytes()...)
	if sarif {
		if files["scan.sarif"], err = SARIF(res); err != nil {
			return nil, err
		}
	}
	return files, nil
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
func WriteDir(dir string, files map[string][]byte) error { return WriteDirMoving(dir, files, nil) }

// WriteDirMoving is WriteDir that also moves existing files into the
// directory (name in the directory to current path), for outputs written
// as the scan streamed.
func WriteDirMoving(dir string, files map[string][]byte, moves map[string]string) error {
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
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	if err := os.MkdirAll(filepath.Join(tmp, "witnesses"), 0o755); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	for _, n := range names {
		p := filepath.Join(tmp, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
		if err := os.WriteFile(p, files[n], 0o644); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
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
