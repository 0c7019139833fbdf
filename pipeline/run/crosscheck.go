package run

import (
	"context"

	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/evaluate"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// MaxListedDisagreements bounds the disagreements cross_engine.json lists.
const MaxListedDisagreements = 100

// crossResult is one task's cross-engine comparison.
type crossResult struct {
	equal bool
	clean bool
	d     Disagreement
}

// Disagreement is a live statement the two engines answered differently.
type Disagreement struct {
	TaskID      string    `json:"task_id"`
	Clean       bool      `json:"clean_control"`
	Containment string    `json:"containment"`
	SQL         string    `json:"sql"`
	Main        db.Result `json:"main"`
	Other       db.Result `json:"other"`
}

// CrossReport is cross_engine.json: how often the two engines agreed on the
// live statement of each task (the same SQL, containment variant, role and
// tenants) and where they did not.
type CrossReport struct {
	Engines            [2]string      `json:"engines"`
	Compared           int            `json:"compared"`
	Agreed             int            `json:"agreed"`
	CleanCompared      int            `json:"clean_compared"`
	CleanDisagreements int            `json:"clean_disagreements"`
	Disagreements      []Disagreement `json:"disagreements"`
}

func newCrossReport(e *engines) *CrossReport {
	if e.cross == nil {
		return nil
	}
	return &CrossReport{Engines: [2]string{e.main.Name(), e.cross.Name()}, Disagreements: []Disagreement{}}
}

func (c *CrossReport) add(it *item) {
	if c == nil || it.cross == nil {
		return
	}
	c.Compared++
	if it.cross.clean {
		c.CleanCompared++
	}
	if it.cross.equal {
		c.Agreed++
		return
	}
	if it.cross.clean {
		c.CleanDisagreements++
	}
	if len(c.Disagreements) < MaxListedDisagreements {
		c.Disagreements = append(c.Disagreements, it.cross.d)
	}
}

// crossCheck re-runs the task's live statement on the other engine.
func (w *worker) crossCheck(ctx context.Context, t spec.Task, out evaluate.Outcome, it *item) error {
	dbo := out.Observation.Layers.Database
	comp := out.Observation.Layers.Compiler
	if dbo == nil || comp == nil {
		return nil
	}
	pr := w.ev.Domain.Policy.Principals[t.Principal]
	e := db.Exec{Mode: db.Live, Containment: out.Stack.Database, Role: pr.Role, Tenants: pr.TenantIDs, SQL: comp.SQL}
	other, err := w.cross.Run(ctx, e)
	if err != nil {
		return err
	}
	r := &crossResult{equal: db.SameResult(dbo.Result, other), clean: t.Mutation == catalog.None}
	if !r.equal {
		r.d = Disagreement{TaskID: t.ID, Clean: r.clean, Containment: e.Containment, SQL: e.SQL, Main: dbo.Result, Other: other}
	}
	it.cross = r
	return nil
}
