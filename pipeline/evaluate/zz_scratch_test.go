package evaluate

import (
	"context"
	"testing"
	"time"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/evaltest"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/state"
)

func TestZZScratch(t *testing.T) {
	env := evaltest.Setup(t, "support_saas")
	ctx := context.Background()
	tasks := seededTasks(t, env)
	task := tasks[0]
	rows := env.State.BaseRows(env.Domain)
	small := map[string][][]any{"tenants": rows["tenants"][:2], "accounts": nil}
	for _, a := range rows["accounts"] {
		if a[1] == "acme" || a[1] == rows["tenants"][1][0] { small["accounts"] = append(small["accounts"], a); if len(small["accounts"]) > 2 { break } }
	}
	t.Log(small)
	for _, cs := range [][]db.Containment{layers.Containments(), layers.Containments()[:1]} {
		for _, r := range []map[string][][]any{rows, small} {
			t0 := time.Now()
			n := 20
			var tl, to time.Duration
			for i := 0; i < n; i++ {
				a := time.Now()
				st, err := state.FromRows(env.Domain, r)
				if err != nil { t.Fatal(err) }
				e, err := db.OpenDuckDB(ctx, env.Domain, st, cs)
				if err != nil { t.Fatal(err) }
				s, _ := e.Session(ctx)
				tl += time.Since(a)
				b := time.Now()
				ev := &Evaluator{Domain: env.Domain, Oracle: oracle.New(env.Domain, st)}
				stack, _ := ev.catalog().Stack(task.Mutation)
				obs, err := ev.Observe(ctx, s, stack, task.Principal, task.SemanticQuery)
				if err != nil { t.Fatal(err) }
				_ = detect.Detect(obs)
				to += time.Since(b)
				s.Close(); e.Close()
			}
			t.Logf("containments %d rows %d: per test %v (load %v observe %v)", len(cs), len(r["accounts"]), time.Since(t0)/time.Duration(n), tl/time.Duration(n), to/time.Duration(n))
		}
	}
}
