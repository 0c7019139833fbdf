// Package equiv decides, from evidence that cannot depend on the database
// state, whether a faulty layer variant is equivalent to the correct one for
// one request. The manifest, grammar, validator and compiler are pure
// functions of the policy and the request: when the faulty layer produced
// exactly what the correct layer produces from the same input, nothing
// downstream can differ on any state. The database layer's output depends on
// the rows, so only identical containment definitions for the tables the SQL
// reads prove it; the release gate's depends on the result, so only a fault
// that cannot fire for the request's shape proves it. Anything else is left
// to the distinguishing-state search (no proof here).
//
// This package is accounting: it reads the layer variant under test, which
// the blind detector never does.
package equiv

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// Input is what the faulty stack produced for one request.
type Input struct {
	Domain    *spec.Domain
	Principal string
	// Intent is the model's intent as sent to the grammar.
	Intent spec.SemanticQuery
	// Surface and Variant name the faulty layer.
	Surface, Variant string
	// Layers are the faulty stack's outputs (the database layer's may be
	// absent when only the state-independent layers ran).
	Layers observe.Layers
	// Tables are the domain tables the compiled SQL reads (from the
	// database's parse); Limit is its LIMIT (negative: none).
	Tables []string
	Limit  int64
	// Resolver is the name and join resolution the layers ran with (nil:
	// the standard one); the correct layer is re-run with the same.
	Resolver resolve.Resolver
}

// Static returns the proof that the faulty layer is equivalent to the
// correct one on every database state for this request, or nil when the
// state-independent evidence does not settle it.
func Static(in Input) (*trace.EquivalenceProof, error) {
	l := in.Layers
	if why := notReached(in.Surface, l); why != "" {
		return &trace.EquivalenceProof{Kind: trace.ProofUnreachable, Detail: fmt.Sprintf("the %s layer never ran: %s", in.Surface, why)}, nil
	}
	same := func(kind, what string) *trace.EquivalenceProof {
		return &trace.EquivalenceProof{Kind: kind, Detail: fmt.Sprintf("the faulty %s produced exactly the correct %s's %s from the same input, and it does not read the database", in.Surface, in.Surface, what)}
	}
	switch in.Surface {
	case "manifest", "grammar", "validator", "compiler":
		correct := CorrectOutput(in.Domain, in.Resolver, in.Surface, in.Principal, in.Intent, l)
		if Fingerprint(correct, in.Surface) != Fingerprint(l, in.Surface) {
			return nil, nil
		}
		if in.Surface == "compiler" {
			return same(trace.ProofIdenticalSQL, "SQL and plan header"), nil
		}
		return same(trace.ProofIdenticalOutput, "output"), nil
	case "database":
		return sameConfig(in)
	case "release":
		if reason, ok := layers.ReleaseUnreachable(in.Variant, l.Validator, l.Compiler, in.Limit); ok {
			return &trace.EquivalenceProof{Kind: trace.ProofUnreachable, Detail: "the faulty release rule cannot fire for this request's shape: " + reason}, nil
		}
		return nil, nil
	}
	return nil, fmt.Errorf("prove equivalence: unknown surface %q", in.Surface)
}

// notReached says why the faulty layer did not run ("" when it did). Which
// layers run is decided by the manifest, grammar, validator and compiler,
// none of which reads the state.
func notReached(surface string, l observe.Layers) string {
	switch surface {
	case "validator":
		if l.Validator == nil {
			return "the grammar rejected the intent"
		}
	case "compiler":
		if l.Compiler == nil {
			if l.Validator == nil {
				return "the grammar rejected the intent"
			}
			return "the validator resolved no metric"
		}
	case "database":
		switch {
		case l.Compiler == nil:
			return "no SQL was compiled"
		case l.Compiler.Error != "":
			return "the compiler refused to lower the query: " + l.Compiler.Error
		}
	}
	return ""
}

// sameConfig proves a faulty containment equivalent when its view of every
// table the SQL reads equals the correct containment's for the role.
func sameConfig(in Input) (*trace.EquivalenceProof, error) {
	faulty, ok := containment(in.Variant)
	if !ok {
		return nil, fmt.Errorf("prove equivalence: unknown containment %q", in.Variant)
	}
	correct, _ := containment(layers.Correct)
	pr := in.Domain.Policy.Principals[in.Principal]
	if pr == nil {
		return nil, fmt.Errorf("prove equivalence: unknown principal %q", in.Principal)
	}
	tables := append([]string{}, in.Tables...)
	slices.Sort(tables)
	tables = slices.Compact(tables)
	for _, t := range tables {
		a, err := db.ContainmentView(in.Domain, faulty, pr.Role, t)
		if err != nil {
			return nil, fmt.Errorf("prove equivalence: %w", err)
		}
		b, err := db.ContainmentView(in.Domain, correct, pr.Role, t)
		if err != nil {
			return nil, fmt.Errorf("prove equivalence: %w", err)
		}
		if a != b {
			return nil, nil
		}
	}
	what := "reads no table"
	if len(tables) > 0 {
		what = "reads only " + strings.Join(tables, ", ")
	}
	return &trace.EquivalenceProof{Kind: trace.ProofIdenticalConfig, Detail: fmt.Sprintf("the SQL %s, and the faulty containment's views of them (columns granted to role %s and row filters) are exactly the correct containment's", what, pr.Role)}, nil
}

func containment(name string) (db.Containment, bool) {
	for _, c := range layers.Containments() {
		if c.Name == name {
			return c, true
		}
	}
	return db.Containment{}, false
}

// CorrectOutput is what the correct (v7) state-independent layer produces
// from the inputs the faulty stack's layer really received in l, resolving
// names and joins with r (nil: the standard resolution).
func CorrectOutput(d *spec.Domain, r resolve.Resolver, surface, principal string, intent spec.SemanticQuery, l observe.Layers) observe.Layers {
	p := d.Policy
	var out observe.Layers
	switch surface {
	case "manifest":
		m := layers.Manifest(layers.Correct, p, principal)
		out.Manifest = &m
	case "grammar":
		if l.Manifest != nil {
			g := layers.Grammar(layers.Correct, p, *l.Manifest, layers.IntentJSON(intent))
			out.Grammar = &g
		}
	case "validator":
		if l.Grammar != nil && l.Grammar.Query != nil {
			v := layers.ValidateWith(resolve.Or(r), layers.Correct, d, principal, *l.Grammar.Query, layers.Pricer(resolve.Or(r), layers.Correct, d))
			out.Validator = &v
		}
	case "compiler":
		if v := l.Validator; v != nil && v.Metric != "" && l.Grammar != nil && l.Grammar.Query != nil {
			c := layers.Compile(layers.Correct, d, layers.CompileInput{Query: *l.Grammar.Query, Metric: v.Metric, Obligations: v.Obligations, Shadow: !v.Allowed, Resolver: r})
			out.Compiler = &c
		}
	}
	return out
}

// Fingerprint is a canonical rendering of one layer's output: its document,
// schema and parse, decision and obligations (not the wording of its
// reasons), SQL and plan header, visible rows, columns and result, or
// release decision with what it withheld and disclosed (not its wording).
func Fingerprint(l observe.Layers, surface string) string {
	v := l.Surface(surface)
	switch surface {
	case "validator":
		if l.Validator != nil {
			c := *l.Validator
			c.Reasons = nil
			v = c
		}
	case "release":
		if r := l.Release; r != nil {
			v = struct {
				Allowed    bool
				Withheld   []int
				Disclosure string
			}{r.Allowed, r.Withheld, r.Disclosure}
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}
