package source

import (
	"strconv"
	"strings"
	"testing"
)

func TestDecodeLine(t *testing.T) {
	tests := []struct {
		name, line string
		skip       bool
		wantErr    string
		check      func(t *testing.T, tr *Trace)
	}{
		{name: "minimal", line: `{"id":"a","principal":"p","sql":"select 1"}`, check: func(t *testing.T, tr *Trace) {
			if tr.Source != "imported_trace" || tr.RegressionCase != "unclassified" || tr.IR != nil || tr.ReleaseAllowed != nil {
				t.Errorf("defaults: %+v", tr)
			}
		}},
		{name: "IR defaults", line: `{"id":"a","principal":"p","sql":"select 1","semantic_ir":{"metric":"m","extra":1}}`, check: func(t *testing.T, tr *Trace) {
			if tr.IR.TimeRange != "last_month" || tr.IR.Grain != "month" || tr.IR.Limit != 100 {
				t.Errorf("IR defaults: %+v", tr.IR)
			}
		}},
		{name: "recorder query.sql and trace_id", line: `{"trace_id":"a","record_type":"sql_trace","principal":"p","query":{"sql":"select 1"}}`, check: func(t *testing.T, tr *Trace) {
			if tr.ID != "a" || tr.SQL != "select 1" {
				t.Errorf("normalisation: %+v", tr)
			}
		}},
		{name: "recorder session skipped", line: `{"record_type":"agent_session","id":"s"}`, skip: true},
		{name: "tool execution with sql is kept", line: `{"record_type":"tool_execution","id":"a","principal":"p","sql":"select 1"}`},
		{name: "not an object", line: `[1]`, wantErr: "JSON object"},
		{name: "bad JSON", line: `{"id":`, wantErr: "invalid JSON"},
		{name: "missing id", line: `{"principal":"p","sql":"select 1"}`, wantErr: "id is required"},
		{name: "unsafe id", line: `{"id":"../x","principal":"p","sql":"select 1"}`, wantErr: "safe identifier"},
		{name: "missing sql", line: `{"id":"a","principal":"p"}`, wantErr: "sql is required"},
		{name: "tenant ids type", line: `{"id":"a","principal":"p","sql":"s","tenant_ids":"acme"}`, wantErr: "tenant_ids"},
		{name: "release_allowed type", line: `{"id":"a","principal":"p","sql":"s","release_allowed":"yes"}`, wantErr: "release_allowed"},
		{name: "release_allowed null", line: `{"id":"a","principal":"p","sql":"s","release_allowed":null}`},
		{name: "regression case", line: `{"id":"a","principal":"p","sql":"s","regression_case":"maybe"}`, wantErr: "regression_case"},
		{name: "limit fraction", line: `{"id":"a","principal":"p","sql":"s","semantic_ir":{"metric":"m","limit":1.5}}`, wantErr: "limit"},
		{name: "limit bool", line: `{"id":"a","principal":"p","sql":"s","semantic_ir":{"metric":"m","limit":true}}`, wantErr: "limit"},
		{name: "limit zero", line: `{"id":"a","principal":"p","sql":"s","semantic_ir":{"metric":"m","limit":0}}`, wantErr: "limit"},
		{name: "IR without metric", line: `{"id":"a","principal":"p","sql":"s","semantic_ir":{"dimensions":[]}}`, wantErr: "metric is required"},
		{name: "filter not scalar", line: `{"id":"a","principal":"p","sql":"s","semantic_ir":{"metric":"m","filters":{"x":[1]}}}`, wantErr: "scalar"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, skip, err := DecodeLine([]byte(tc.line))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if skip != tc.skip {
				t.Fatalf("skip = %v", skip)
			}
			if tc.check != nil {
				tc.check(t, tr)
			}
		})
	}
}

func TestReadStopsAtFirstBadLine(t *testing.T) {
	in := "\n" + `{"id":"a","principal":"p","sql":"select 1"}` + "\n\n" + `{"id":"b"}` + "\n" + `{"id":"c","principal":"p","sql":"select 1"}` + "\n"
	var ids []string
	var errs []string
	for it := range Read("t.jsonl", strings.NewReader(in)) {
		if it.Err != nil {
			errs = append(errs, it.Err.Error())
			continue
		}
		ids = append(ids, it.Trace.ID+":"+strconv.Itoa(it.Trace.Line))
	}
	if strings.Join(ids, ",") != "a:2" || len(errs) != 1 || errs[0] != "invalid imported trace t.jsonl:4: principal is required" {
		t.Errorf("ids %v errs %v", ids, errs)
	}
}

func TestRedaction(t *testing.T) {
	tr := &Trace{TenantIDs: []string{"hmac-sha256:ab", "acme", "sha256:cd"}}
	if got := tr.UsableTenantIDs(); len(got) != 1 || got[0] != "acme" {
		t.Errorf("usable %v", got)
	}
}

// FuzzDecodeLine: no line panics; a decoded trace satisfies the contract.
func FuzzDecodeLine(f *testing.F) {
	f.Add(`{"id":"a","principal":"p","sql":"select 1","semantic_ir":{"metric":"m","limit":5}}`)
	f.Add(`{"trace_id":"a","query":{"sql":"x"},"principal":"p"}`)
	f.Add(`{"record_type":"mutation"}`)
	f.Fuzz(func(t *testing.T, line string) {
		tr, skip, err := DecodeLine([]byte(line))
		if err != nil || skip {
			return
		}
		if !SafeID(tr.ID) || tr.Principal == "" || tr.SQL == "" || (tr.IR != nil && (tr.IR.Limit < 1 || tr.IR.Metric == "")) {
			t.Fatalf("accepted a trace breaking the contract: %+v", tr)
		}
	})
}
