package layers

import (
	"context"
	"fmt"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// Run drives one request through the stack: the manifest for the principal,
// the grammar over the model's intent, the validator (pricing the request
// with the compiler's estimate of its plan), the compiler (in
// shadow when the validator denies, so downstream containment is still
// observed), the database session bound to the principal's tenants, and the
// release gate. Only infrastructure failures are errors.
func Run(ctx context.Context, sess db.Session, d *spec.Domain, s Stack, principal string, intent []byte) (observe.Layers, error) {
	out, err := RunStatic(d, s, principal, intent)
	if err != nil {
		return out, err
	}
	return RunFrom(ctx, sess, d, s, principal, out)
}

// RunFrom finishes Run from static, RunStatic's output for the same
// domain, stack and principal: it executes the compiled statement and
// applies the release gate. The static layers' outputs are shared with
// the result, not copied (no layer changes another's output), so one
// RunStatic serves replays of a request on state after state.
func RunFrom(ctx context.Context, sess db.Session, d *spec.Domain, s Stack, principal string, static observe.Layers) (observe.Layers, error) {
	out := static
	if comp := out.Compiler; comp != nil && comp.Error == "" {
		pr := d.Policy.Principals[principal]
		dbo, err := Execute(ctx, sess, d, s.Database, pr.Role, pr.TenantIDs, comp.SQL, comp.Shadow)
		if err != nil {
			return out, err
		}
		out.Database = &dbo
	}
	rel := Release(s.Release, out.Validator, out.Compiler, out.Database)
	out.Release = &rel
	return out, nil
}

// RunStatic drives the request through the layers that do not read the
// database (manifest, grammar, validator, compiler), as Run does before it
// executes anything. Generators use it to shape requests that reach a
// fault; accounting uses it to prove equivalence without a state.
func RunStatic(d *spec.Domain, s Stack, principal string, intent []byte) (observe.Layers, error) {
	var out observe.Layers
	if d.Policy.Principals[principal] == nil {
		return out, fmt.Errorf("run stack: unknown principal %q", principal)
	}
	man := Manifest(s.Manifest, d.Policy, principal)
	out.Manifest = &man
	gr := Grammar(s.Grammar, d.Policy, man, intent)
	out.Grammar = &gr
	if !gr.Accepted {
		return out, nil
	}
	// the validator's budget check prices the plan with the stack's compiler
	v := ValidateWith(s.resolver(), s.Validator, d, principal, *gr.Query, Pricer(s.resolver(), s.Compiler, d))
	out.Validator = &v
	if v.Metric != "" {
		comp := Compile(s.Compiler, d, CompileInput{Query: *gr.Query, Metric: v.Metric, Obligations: v.Obligations, Shadow: !v.Allowed, Resolver: s.Resolver})
		out.Compiler = &comp
	}
	return out, nil
}

// Execute runs sql in a live application session of containment variant
// for role and tenants, and probes which rows of each referenced table the
// session can see.
func Execute(ctx context.Context, sess db.Session, d *spec.Domain, variant, role string, tenants []string, sql string, shadow bool) (observe.Database, error) {
	res, err := sess.Run(ctx, db.Exec{Mode: db.Live, Containment: variant, Role: role, Tenants: tenants, SQL: sql})
	if err != nil {
		return observe.Database{}, fmt.Errorf("execute: %w", err)
	}
	out := observe.Database{Shadow: shadow, Result: res, Probes: []observe.Probe{}}
	info, err := sess.Inspect(ctx, sql)
	if err != nil {
		return out, fmt.Errorf("execute: %w", err)
	}
	for _, t := range info.Tables {
		if d.Schema.Table(t) == nil {
			continue
		}
		vis, err := sess.Visible(ctx, variant, role, tenants, t)
		if err != nil {
			return out, fmt.Errorf("execute: %w", err)
		}
		out.Probes = append(out.Probes, observe.Probe{Table: t, Visible: vis.Rows, Columns: vis.Columns})
	}
	return out, nil
}
