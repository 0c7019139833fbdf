package suites

import (
	"regexp"
	"strconv"

	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/equiv"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/spec"
)

// maxReachDraws bounds the draws spent looking for a request that reaches
// an operator's fault.
const maxReachDraws = 64

// reaches reports whether op's fault can show for principal's request q:
// the faulty stack's state-independent layers run (no database), and no
// state-independent evidence proves the faulty layer equivalent. The
// database layer's tables are read off the SQL text (a shaping heuristic;
// accounting uses the database's own parse).
func (g *Generated) reaches(op catalog.Operator, principal string, q spec.SemanticQuery) bool {
	stack, err := catalog.Stack(op.ID)
	if err != nil {
		return false
	}
	l, err := layers.RunStatic(g.d, stack, principal, layers.IntentJSON(q))
	if err != nil {
		return false
	}
	in := equiv.Input{Domain: g.d, Principal: principal, Intent: q, Surface: op.Surface, Variant: op.Variant, Layers: l, Limit: -1}
	if c := l.Compiler; c != nil && c.Error == "" {
		for _, t := range g.d.Schema.Tables {
			if g.tableREs[t.Name].MatchString(c.SQL) {
				in.Tables = append(in.Tables, t.Name)
			}
		}
		if m := limitRE.FindStringSubmatch(c.SQL); m != nil {
			in.Limit, _ = strconv.ParseInt(m[1], 10, 64)
		}
	}
	proof, err := equiv.Static(in)
	return err == nil && proof == nil
}

var limitRE = regexp.MustCompile(`(?i)\bLIMIT\s+(\d+)\s*;?\s*$`)

// tableREs match each table name of d as an identifier.
func tableREs(d *spec.Domain) map[string]*regexp.Regexp {
	out := map[string]*regexp.Regexp{}
	for _, t := range d.Schema.Tables {
		out[t.Name] = regexp.MustCompile(`(^|[^A-Za-z0-9_])"?` + regexp.QuoteMeta(t.Name) + `"?([^A-Za-z0-9_]|$)`)
	}
	return out
}
