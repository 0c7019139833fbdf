// Package artifact is the artifact report of one run: its identity and
// freeze record, accounting counts from the Parquet traces (DuckDB), the
// sizes of the run's files and of its domain's fixtures, and the timings
// recorded in run.json.
package artifact

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/policystrata/policystrata/analysis/dataset"
	"github.com/policystrata/policystrata/analysis/table"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// Report holds the reference's artifact-report keys.
type Report struct {
	RunDir               string  `json:"run_dir"`
	Domain               string  `json:"domain"`
	Suite                string  `json:"suite"`
	EvidenceLevel        string  `json:"evidence_level"`
	SuiteProvenance      string  `json:"suite_provenance"`
	DetectorFrozen       bool    `json:"detector_frozen"`
	BenchmarkManifestID  *string `json:"benchmark_manifest_id"`
	DetectorHash         *string `json:"detector_hash"`
	MutationOperatorHash *string `json:"mutation_operator_hash"`
	Traces               int     `json:"traces"`
	NonCleanTraces       int     `json:"non_clean_traces"`
	Killed               int     `json:"killed"`
	Survived             int     `json:"survived"`
	Equivalent           int     `json:"equivalent"`
	Invalid              int     `json:"invalid"`
	CleanControls        int     `json:"clean_controls"`
	FalsePositives       int     `json:"false_positives"`
	MinimizedWitnesses   int     `json:"minimized_witnesses"`
	MedianWitnessBytes   int     `json:"median_witness_bytes"`
	RunArtifactFiles     int     `json:"run_artifact_files"`
	RunArtifactBytes     int64   `json:"run_artifact_bytes"`
	DomainFixtureFiles   int     `json:"domain_fixture_files"`
	DomainFixtureBytes   int64   `json:"domain_fixture_bytes"`
	DomainFixtureLines   int     `json:"domain_fixture_lines"`
	AvgLatencyMS         float64 `json:"avg_latency_ms"`
	P95LatencyMS         float64 `json:"p95_latency_ms"`
	EstimatedCost        int64   `json:"estimated_cost"`
	RequiresLLMAPIKey    bool    `json:"requires_llm_api_key"`
}

// Build reports on the run in dir; d is its domain (fixture sizes).
func Build(ctx context.Context, dir string, d *spec.Domain) (*Report, error) {
	set, err := dataset.Open(ctx, []dataset.Input{{Name: "run", Path: dir}})
	if err != nil {
		return nil, err
	}
	defer set.Close()
	r := &Report{RunDir: dir}
	err = set.DB.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE witness_class <> 'clean'),
		count(*) FILTER (WHERE accounting_status = 'killed'), count(*) FILTER (WHERE accounting_status = 'survived'),
		count(*) FILTER (WHERE accounting_status = 'equivalent'), count(*) FILTER (WHERE accounting_status = 'invalid'),
		count(*) FILTER (WHERE accounting_status = 'clean_control'), count(*) FILTER (WHERE accounting_status = 'false_positive'),
		count(*) FILTER (WHERE witness_path <> ''), coalesce(sum(estimated_cost), 0) FROM traces`).Scan(
		&r.Traces, &r.NonCleanTraces, &r.Killed, &r.Survived, &r.Equivalent, &r.Invalid, &r.CleanControls, &r.FalsePositives,
		&r.MinimizedWitnesses, &r.EstimatedCost)
	if err != nil {
		return nil, fmt.Errorf("artifact report: %w", err)
	}
	md, err := set.Metadata("run")
	if err != nil {
		return nil, err
	}
	r.Domain, _ = md["domain"].(string)
	r.Suite, _ = md["suite"].(string)
	r.EvidenceLevel, _ = md["evidence_level"].(string)
	r.SuiteProvenance, _ = md["suite_provenance"].(string)
	r.DetectorFrozen, _ = md["detector_frozen"].(bool)
	r.RequiresLLMAPIKey, _ = md["requires_llm_api_key"].(bool)
	if b, err := os.ReadFile(filepath.Join(dir, "benchmark_manifest.json")); err == nil {
		var m map[string]any
		if json.Unmarshal(b, &m) == nil {
			r.BenchmarkManifestID, r.DetectorHash, r.MutationOperatorHash = str(m["benchmark_manifest_id"]), str(m["detector_hash"]), str(m["mutation_operator_hash"])
		}
	}
	var sizes []int
	for _, wd := range set.WitnessDirs("run") {
		_ = filepath.WalkDir(wd, func(p string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				if st, err := e.Info(); err == nil {
					sizes = append(sizes, int(st.Size()))
				}
			}
			return nil
		})
	}
	if len(sizes) > 0 {
		sort.Ints(sizes)
		r.MedianWitnessBytes = sizes[(len(sizes)-1)/2]
	}
	_ = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			if st, err := e.Info(); err == nil {
				r.RunArtifactFiles++
				r.RunArtifactBytes += st.Size()
			}
		}
		return nil
	})
	if d != nil {
		_ = fs.WalkDir(d.FS, ".", func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() || !(strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".sql")) {
				return nil
			}
			b, err := fs.ReadFile(d.FS, p)
			if err != nil {
				return nil
			}
			r.DomainFixtureFiles++
			r.DomainFixtureBytes += int64(len(b))
			for _, l := range strings.Split(string(b), "\n") {
				if strings.TrimSpace(l) != "" {
					r.DomainFixtureLines++
				}
			}
			return nil
		})
	}
	if b, err := os.ReadFile(filepath.Join(dir, "run.json")); err == nil {
		var t struct {
			Avg float64 `json:"avg_latency_ms"`
			P95 float64 `json:"p95_latency_ms"`
		}
		if json.Unmarshal(b, &t) == nil {
			r.AvgLatencyMS, r.P95LatencyMS = round4(t.Avg), round4(t.P95)
		}
	}
	return r, nil
}

func round4(f float64) float64 {
	v, _ := json.Number(fmt.Sprintf("%.4f", f)).Float64()
	return v
}

func str(v any) *string {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	return &s
}

// Markdown renders the report as the reference's two-column Metric/Value
// table, hashes cut to 12 characters.
func Markdown(w io.Writer, r *Report) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	t := table.Table{Name: "artifact", Caption: "Artifact report", Align: "ll", Header: []string{"Metric", "Value"}}
	for _, k := range keys {
		v := fmt.Sprint(m[k])
		if m[k] == nil {
			v = "null"
		}
		if strings.HasSuffix(k, "_hash") && len(v) > 12 {
			v = v[:12]
		}
		t.Rows = append(t.Rows, []string{k, v})
	}
	return t.Markdown(w)
}
