// Package export writes a benchmark run's traces, read from its Parquet
// file through DuckDB, in formats other tools read: Inspect-style JSONL
// samples, a BenchFlow adapter document, and a redacted PolicyStrata
// evidence export (no request text, SQL or rows). Each format streams one
// record at a time and has a decoder for round trips.
package export

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/policystrata/policystrata/analysis/dataset"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// Format identifiers.
const (
	Inspect          = "inspect"
	BenchFlow        = "benchflow"
	PolicyStrataJSON = "policystrata-json"

	InspectAdapter   = "policystrata.inspect.v1"
	BenchFlowVersion = "policystrata.benchflow.adapter.v1"
	EvidenceFormat   = "policystrata.evidence_export.v1"
)

// Formats lists the export formats, for help text.
func Formats() []string { return []string{Inspect, BenchFlow, PolicyStrataJSON} }

// Observed is the detector's result for one task.
type Observed struct {
	WitnessClass     string `json:"witness_class"`
	LocalizedSurface string `json:"localized_surface"`
	ContainmentLayer string `json:"containment_layer"`
	AccountingStatus string `json:"accounting_status"`
}

// InspectMetadata is an Inspect sample's metadata.
type InspectMetadata struct {
	Adapter                  string             `json:"adapter"`
	Domain                   string             `json:"domain"`
	Suite                    string             `json:"suite"`
	Principal                string             `json:"principal"`
	Mutation                 string             `json:"mutation"`
	SemanticIR               spec.SemanticQuery `json:"semantic_ir"`
	ExpectedLocalizedSurface string             `json:"expected_localized_surface"`
	Observed                 Observed           `json:"observed"`
	Scorer                   string             `json:"scorer"`
}

// InspectSample is one line of the inspect export.
type InspectSample struct {
	ID       string          `json:"id"`
	Input    string          `json:"input"`
	Target   string          `json:"target"`
	Metadata InspectMetadata `json:"metadata"`
}

// BenchFlowTask is one task of the benchflow export.
type BenchFlowTask struct {
	ID       string `json:"id"`
	Scenario struct {
		Principal       string             `json:"principal"`
		Request         string             `json:"request"`
		SemanticIR      spec.SemanticQuery `json:"semantic_ir"`
		SurfaceVersions map[string]string  `json:"surface_versions"`
	} `json:"scenario"`
	Rollout struct {
		CompiledSQL    string   `json:"compiled_sql"`
		ReleaseAllowed bool     `json:"release_allowed"`
		Observed       Observed `json:"observed"`
	} `json:"rollout"`
	Verifier struct {
		ExpectedWitnessClass     string `json:"expected_witness_class"`
		ExpectedLocalizedSurface string `json:"expected_localized_surface"`
		Passed                   bool   `json:"passed"`
	} `json:"verifier"`
}

// BenchFlowDoc is the benchflow export.
type BenchFlowDoc struct {
	Version     string            `json:"version"`
	Environment map[string]string `json:"environment"`
	Tasks       []BenchFlowTask   `json:"tasks"`
}

// EvidenceRecord is one redacted record of the policystrata-json export.
type EvidenceRecord struct {
	TaskID                   string   `json:"task_id"`
	Mutation                 string   `json:"mutation"`
	Principal                string   `json:"principal"`
	Observed                 Observed `json:"observed"`
	ExpectedWitnessClass     string   `json:"expected_witness_class"`
	ExpectedLocalizedSurface string   `json:"expected_localized_surface"`
	SemanticDifference       bool     `json:"semantic_difference"`
	WitnessPath              string   `json:"witness_path"`
}

// EvidenceDoc is the policystrata-json export.
type EvidenceDoc struct {
	Format  string           `json:"format"`
	Domain  string           `json:"domain"`
	Suite   string           `json:"suite"`
	Records []EvidenceRecord `json:"records"`
}

func observed(t *trace.Trace) Observed {
	return Observed{t.WitnessClass, t.LocalizedSurface, t.ContainmentLayer, t.AccountingStatus}
}

// Write exports the run in dir as format to w and returns the record count.
func Write(ctx context.Context, dir, format string, w io.Writer) (int, error) {
	switch format {
	case Inspect, BenchFlow, PolicyStrataJSON:
	default:
		return 0, fmt.Errorf("unknown export format %q (want %s)", format, strings.Join(Formats(), ", "))
	}
	set, err := dataset.Open(ctx, []dataset.Input{{Name: "run", Path: dir}})
	if err != nil {
		return 0, err
	}
	defer set.Close()
	bw := bufio.NewWriter(w)
	n := 0
	var domain, suite string
	write := func(v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		_, err = bw.Write(b)
		return err
	}
	open := func(t *trace.Trace) error {
		domain, suite = t.Domain, t.Suite
		switch format {
		case BenchFlow:
			env, _ := json.Marshal(map[string]string{"domain": domain, "suite": suite, "database": "embedded DuckDB"})
			_, err := fmt.Fprintf(bw, `{"version":%q,"environment":%s,"tasks":[`, BenchFlowVersion, env)
			return err
		case PolicyStrataJSON:
			d, _ := json.Marshal(domain)
			s, _ := json.Marshal(suite)
			_, err := fmt.Fprintf(bw, `{"format":%q,"domain":%s,"suite":%s,"records":[`, EvidenceFormat, d, s)
			return err
		}
		return nil
	}
	err = set.EachJSON(ctx, "", func(_ string, line []byte) error {
		t, err := trace.Decode(line)
		if err != nil {
			return err
		}
		if n == 0 {
			if err := open(t); err != nil {
				return err
			}
		} else if format != Inspect {
			bw.WriteByte(',')
		}
		n++
		switch format {
		case Inspect:
			s := InspectSample{ID: t.TaskID, Input: t.Request, Target: t.ExpectedWitnessClass, Metadata: InspectMetadata{
				Adapter: InspectAdapter, Domain: t.Domain, Suite: t.Suite, Principal: t.Principal, Mutation: t.Mutation, SemanticIR: t.SemanticIR,
				ExpectedLocalizedSurface: t.ExpectedLocalizedSurface, Observed: observed(t), Scorer: "policystrata.detector"}}
			if err := write(s); err != nil {
				return err
			}
			return bw.WriteByte('\n')
		case BenchFlow:
			var bt BenchFlowTask
			bt.ID = t.TaskID
			bt.Scenario.Principal, bt.Scenario.Request, bt.Scenario.SemanticIR, bt.Scenario.SurfaceVersions = t.Principal, t.Request, t.SemanticIR, t.SurfaceVersions
			bt.Rollout.CompiledSQL, bt.Rollout.ReleaseAllowed, bt.Rollout.Observed = t.CompiledSQL, t.ReleaseDecision.Allowed, observed(t)
			bt.Verifier.ExpectedWitnessClass, bt.Verifier.ExpectedLocalizedSurface = t.ExpectedWitnessClass, t.ExpectedLocalizedSurface
			bt.Verifier.Passed = t.AccountingStatus == trace.Killed || t.AccountingStatus == trace.CleanControl
			return write(bt)
		default:
			return write(EvidenceRecord{TaskID: t.TaskID, Mutation: t.Mutation, Principal: t.Principal, Observed: observed(t),
				ExpectedWitnessClass: t.ExpectedWitnessClass, ExpectedLocalizedSurface: t.ExpectedLocalizedSurface,
				SemanticDifference: t.SemanticDifference, WitnessPath: t.WitnessPath})
		}
	})
	if err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	if format != Inspect {
		if n == 0 {
			if err := open(&trace.Trace{}); err != nil {
				return 0, err
			}
		}
		bw.WriteString("]}\n")
	}
	return n, bw.Flush()
}
