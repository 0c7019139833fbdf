package suites

import (
	"regexp"
	"strconv"
	"strings"

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
			if mentions(c.SQL, t.Name) {
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

// mentions reports whether name occurs in sql as a whole identifier
// (quoted or not): neither neighbour is an identifier character.
func mentions(sql, name string) bool {
	for from := 0; from+len(name) <= len(sql); {
		k := strings.Index(sql[from:], name)
		if k < 0 {
			return false
		}
		at, end := from+k, from+k+len(name)
		if (at == 0 || !identChar(sql[at-1])) && (end == len(sql) || !identChar(sql[end])) {
			return true
		}
		from = at + 1
	}
	return false
}

func identChar(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
