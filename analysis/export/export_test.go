package export

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/analysis/dataset"
	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/run"
	"github.com/policystrata/policystrata/pipeline/trace"
	"github.com/policystrata/policystrata/suites"
)

// TestRoundTrips exports a seeded run in every format, decodes it back and
// compares each record with the run's traces.
func TestRoundTrips(t *testing.T) {
	d, err := domains.Load("finance_saas")
	if err != nil {
		t.Fatal(err)
	}
	s, err := suites.Open(d, "seeded", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	if _, err := run.Run(context.Background(), run.Config{Domain: d, Source: s, Out: dir, Workers: 2, ProbeStates: 2, Minimize: true}); err != nil {
		t.Fatal(err)
	}
	set, err := dataset.Open(context.Background(), []dataset.Input{{Name: "r", Path: dir}})
	if err != nil {
		t.Fatal(err)
	}
	var traces []*trace.Trace
	if err := set.EachJSON(context.Background(), "", func(_ string, line []byte) error {
		tr, err := trace.Decode(line)
		traces = append(traces, tr)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	set.Close()
	export := func(format string) []byte {
		var b bytes.Buffer
		n, err := Write(context.Background(), dir, format, &b)
		if err != nil || n != len(traces) {
			t.Fatalf("%s: %d records, %v", format, n, err)
		}
		return b.Bytes()
	}
	t.Run("inspect", func(t *testing.T) {
		got, err := DecodeInspect(export(Inspect))
		if err != nil || len(got) != len(traces) {
			t.Fatalf("%d samples, %v", len(got), err)
		}
		for i, s := range got {
			tr := traces[i]
			if s.ID != tr.TaskID || s.Input != tr.Request || s.Target != tr.ExpectedWitnessClass || s.Metadata.Observed != observed(tr) || s.Metadata.Mutation != tr.Mutation {
				t.Errorf("sample %d differs from trace %s", i, tr.TaskID)
			}
		}
	})
	t.Run("benchflow", func(t *testing.T) {
		doc, err := DecodeBenchFlow(export(BenchFlow))
		if err != nil || len(doc.Tasks) != len(traces) || doc.Environment["domain"] != "finance_saas" {
			t.Fatalf("%+v, %v", doc, err)
		}
		for i, bt := range doc.Tasks {
			tr := traces[i]
			if bt.ID != tr.TaskID || bt.Rollout.CompiledSQL != tr.CompiledSQL || bt.Rollout.Observed != observed(tr) ||
				bt.Verifier.Passed != (tr.AccountingStatus == trace.Killed) {
				t.Errorf("task %d differs from trace %s", i, tr.TaskID)
			}
		}
	})
	t.Run("policystrata-json", func(t *testing.T) {
		raw := export(PolicyStrataJSON)
		doc, err := DecodeEvidence(raw)
		if err != nil || len(doc.Records) != len(traces) {
			t.Fatalf("%v", err)
		}
		for i, r := range doc.Records {
			if r.TaskID != traces[i].TaskID || r.Observed != observed(traces[i]) {
				t.Errorf("record %d differs", i)
			}
		}
		// Redacted: no request text and no SQL.
		for _, tr := range traces[:3] {
			if strings.Contains(string(raw), tr.Request) || strings.Contains(string(raw), "SELECT") {
				t.Error("policystrata-json carries request text or SQL")
			}
		}
	})
	if _, err := Write(context.Background(), dir, "csv", &bytes.Buffer{}); err == nil {
		t.Error("an unknown format was accepted")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"format":"policystrata.evidence_export.v1","records":[]}`))
	f.Add([]byte(`{"version":"policystrata.benchflow.adapter.v1","tasks":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = DecodeInspect(b)
		_, _ = DecodeBenchFlow(b)
		_, _ = DecodeEvidence(b)
	})
}
