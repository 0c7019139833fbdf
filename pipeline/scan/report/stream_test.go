package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/policystrata/policystrata/pipeline/scan"
	"github.com/policystrata/policystrata/pipeline/scan/config"
)

// TestStreamedOutputs: a scan whose findings were spooled to disk and
// written reading them back gives byte for byte the outputs of the same
// scan held in memory, and the streamed JSON documents equal the whole
// documents encoded at once.
func TestStreamedOutputs(t *testing.T) {
	for _, cfg := range []string{"security_cases/policystrata.yaml", "postgres_dbt/policystrata.yaml", "postgres_dbt/policystrata_clean.yaml"} {
		t.Run(cfg, func(t *testing.T) {
			c, err := config.Load(filepath.Join("../../../examples/scan", cfg))
			if err != nil {
				t.Fatal(err)
			}
			mem, err := scan.Run(context.Background(), c, scan.Options{Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "out")
			want, err := Files(mem, out, true)
			if err != nil {
				t.Fatal(err)
			}
			// the whole documents, encoded at once
			findings := mem.Findings
			if findings == nil {
				findings = []scan.Finding{}
			}
			whole, _ := indentJSON(findings)
			if diff := cmp.Diff(string(whole), string(want["policystrata/findings.json"])); diff != "" {
				t.Errorf("findings.json (-whole +streamed):\n%s", diff)
			}
			whole, _ = indentJSON(map[string]any{"version": "scan.v1", "domain": mem.Domain.Name, "config_path": mem.Config.Path, "output_dir": out,
				"gate": mem.Gate, "summary": mem.Summary, "findings": findings, "artifacts": Artifacts, "freeze": mem.Freeze})
			if diff := cmp.Diff(string(whole), string(want["scan.json"])); diff != "" {
				t.Errorf("scan.json (-whole +streamed):\n%s", diff)
			}
			var jl bytes.Buffer
			for _, f := range mem.Findings {
				b, _ := json.Marshal(f)
				jl.Write(append(b, '\n'))
			}
			if jl.String() != string(want["findings.jsonl"]) {
				t.Errorf("findings.jsonl differs")
			}
			// spooled
			spool, err := os.CreateTemp(t.TempDir(), "spool")
			if err != nil {
				t.Fatal(err)
			}
			disk, err := scan.Run(context.Background(), c, scan.Options{Workers: 2, Findings: spool})
			spool.Close()
			if err != nil {
				t.Fatal(err)
			}
			if len(disk.Findings) != 0 || disk.Summary.TotalFindings != len(mem.Findings) {
				t.Fatalf("spooled run kept %d findings, counted %d", len(disk.Findings), disk.Summary.TotalFindings)
			}
			if err := Write(out, disk, SpoolFindings(spool.Name()), Options{SARIF: true}); err != nil {
				t.Fatal(err)
			}
			for name, w := range want {
				got, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(name)))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(string(w), string(got)); diff != "" {
					t.Errorf("%s (-memory +spooled):\n%s", name, diff)
				}
			}
			var jm, js bytes.Buffer
			WriteJUnit(&jm, mem, SliceFindings(mem.Findings))
			WriteJUnit(&js, disk, SpoolFindings(spool.Name()))
			if jm.String() != js.String() || !strings.Contains(jm.String(), fmt.Sprintf(`tests="%d"`, max(len(mem.Findings), 1))) {
				t.Errorf("junit differs or miscounts:\n%s\n%s", jm.String(), js.String())
			}
		})
	}
}

// TestMarkdownListsAtMost: report.md lists the first MaxListedFindings
// findings and counts the rest.
func TestMarkdownListsAtMost(t *testing.T) {
	var fs []scan.Finding
	for i := 0; i < MaxListedFindings+5; i++ {
		fs = append(fs, scan.Finding{ID: fmt.Sprintf("f%d", i), Severity: scan.SevWarning, Title: "t"})
	}
	res := &scan.Result{Findings: fs}
	res.Summary.TotalFindings = len(fs)
	md := Markdown(res)
	if strings.Count(md, " | t |\n") != MaxListedFindings || strings.Count(md, "5 more findings are not listed") != 2 {
		t.Errorf("report.md lists %d rows:\n%s", strings.Count(md, " | t |\n"), md[len(md)-300:])
	}
}
