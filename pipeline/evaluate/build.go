package evaluate

import (
	"encoding/json"
	"github.com/policystrata/policystrata/pipeline/db"
	"strings"

	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// MaxRowsInTrace bounds the executed and reference rows copied into a trace.
const MaxRowsInTrace = 50

func (e *Evaluator) baseTrace(t spec.Task) trace.Trace {
	return trace.Trace{
		TaskID: t.ID, Domain: t.Domain, Suite: t.Suite, Request: t.Request, Principal: t.Principal,
		Mutation: t.Mutation, SemanticIR: t.SemanticQuery, PolicyVersion: e.Domain.Policy.Version,
		SurfaceVersions: t.SurfaceVersions, SurfaceContracts: e.Domain.Surfaces.Contracts,
		TransitionObligations:    e.Domain.Surfaces.TransitionObligations,
		ExpectedWitnessClass:     t.ExpectedWitnessClass,
		ExpectedLocalizedSurface: t.ExpectedLocalizedSurface,
		ExpectedContainmentLayer: t.ExpectedContainmentLayer,
		CanonicalDecision:        trace.Decision{Reasons: []string{}},
		SurfaceDecisions:         map[string]trace.SurfaceDecision{},
		ContractDecisions:        map[string]detect.ContractDecision{},
		Reasons:                  []string{},
		Findings:                 []detect.Finding{},
		Probes:                   []trace.ProbeSummary{},
		DBResult:                 trace.DBResult{ExecutedRows: [][]string{}, ReferenceRows: [][]string{}},
		ReleaseDecision:          trace.Decision{Reasons: []string{}},
	}
}

func capRows(r [][]string) [][]string {
	if r == nil {
		return [][]string{}
	}
	if len(r) > MaxRowsInTrace {
		return r[:MaxRowsInTrace]
	}
	return r
}

// truncRows keeps at most MaxRowsInTrace rows (nil stays nil).
func truncRows(r [][]string) [][]string {
	if len(r) > MaxRowsInTrace {
		return r[:MaxRowsInTrace]
	}
	return r
}

func rowsText(r [][]string) string {
	b, _ := json.Marshal(capRows(r))
	return string(b)
}

func (e *Evaluator) buildTrace(t spec.Task, obs observe.Observation, det detect.Detection) trace.Trace {
	tr := e.baseTrace(t)
	l := obs.Layers
	dec := obs.Verdict.Decision
	tr.CanonicalDecision = trace.Decision{Allowed: dec.Allowed, Reasons: dec.Reasons}
	tr.Cost.Estimated = dec.Cost
	if l.Manifest != nil {
		tr.SurfaceDecisions["manifest"] = trace.SurfaceDecision{Allowed: true, Detail: "advertises " + strings.Join(l.Manifest.Names(), ", ")}
	}
	if g := l.Grammar; g != nil {
		d := "accepted"
		if !g.Accepted {
			d = "rejected: " + g.Error
		}
		tr.SurfaceDecisions["grammar"] = trace.SurfaceDecision{Allowed: g.Accepted, Detail: d}
	}
	if v := l.Validator; v != nil {
		d := "allowed"
		if !v.Allowed {
			d = "denied: " + strings.Join(v.Reasons, "; ")
		}
		tr.SurfaceDecisions["validator"] = trace.SurfaceDecision{Allowed: v.Allowed, Detail: d}
	}
	if c := l.Compiler; c != nil {
		d := "lowered"
		if c.Shadow {
			d = "lowered in shadow (validator denied)"
		}
		if c.Error != "" {
			d = "failed: " + c.Error
		}
		tr.SurfaceDecisions["compiler"] = trace.SurfaceDecision{Allowed: c.Error == "", Detail: d}
		tr.CompiledSQL = c.SQL
	}
	ref := obs.Verdict.Reference
	if ref != nil {
		tr.DBResult.ReferenceRows = capRows(ref.Rows)
		tr.DBResult.ReferenceDigest = detect.RowsDigest(ref.Rows)
		tr.DBResult.IntendedValue = rowsText(ref.Rows)
	}
	if d := l.Database; d != nil {
		det := "executed"
		if d.Result.Blocked {
			det = "refused: " + d.Result.Error
		}
		tr.SurfaceDecisions["database"] = trace.SurfaceDecision{Allowed: !d.Result.Blocked, Detail: det}
		tr.DBResult.BlockedByDatabase = d.Result.Blocked
		tr.DBResult.Shadow = d.Shadow
		tr.DBResult.Error = d.Result.Error
		tr.DBResult.Rows = len(d.Result.Rows)
		tr.DBResult.ExecutedRows = capRows(d.Result.Rows)
		tr.DBResult.RowsDigest = detect.RowsDigest(d.Result.Rows)
		tr.DBResult.ActualValue = rowsText(d.Result.Rows)
		for _, p := range d.Probes {
			tr.Probes = append(tr.Probes, trace.ProbeSummary{Table: p.Table, Visible: len(p.Visible), Owned: len(obs.Verdict.Owned[p.Table])})
		}
	}
	if r := l.Release; r != nil {
		tr.SurfaceDecisions["release"] = trace.SurfaceDecision{Allowed: r.Allowed, Detail: r.Reason}
		tr.ReleaseDecision = trace.Decision{Allowed: r.Allowed, Reasons: []string{r.Reason}}
	}
	// keep layer outputs, but not the probes' key lists (summarized above),
	// and at most MaxRowsInTrace rows of any result (digests cover the rest)
	tl := l
	tr.Layers = &tl
	if l.Database != nil {
		dc := *l.Database
		dc.Probes = nil
		dc.Result.Rows = truncRows(dc.Result.Rows)
		tr.Layers.Database = &dc
	}
	m := obs.Measured
	tr.Measured = &m
	for _, r := range []**db.Result{&tr.Measured.Base, &tr.Measured.Restricted} {
		if *r != nil {
			c := **r
			c.Rows = truncRows(c.Rows)
			*r = &c
		}
	}
	tr.ContractDecisions = det.ContractDecisions
	tr.Findings = det.Findings
	tr.WitnessClass = det.WitnessClass
	tr.LocalizedSurface = det.LocalizedSurface
	tr.ContainmentLayer = det.ContainmentLayer
	tr.SemanticDifference = det.SemanticDifference
	for _, f := range det.Findings {
		tr.Reasons = append(tr.Reasons, f.Surface+": "+f.Reason)
	}
	return tr
}
