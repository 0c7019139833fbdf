package suites

import (
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
	l, err := g.statics.RunStatic(g.d, stack, principal, layers.IntentJSON(q))
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
		if digits, ok := trailingLimit(c.SQL); ok {
			in.Limit, _ = strconv.ParseInt(digits, 10, 64)
		}
	}
	proof, err := equiv.Static(in)
	return err == nil && proof == nil
}

// trailingLimit returns the digits of the LIMIT clause that ends sql, as
// the regular expression `(?i)\bLIMIT\s+(\d+)\s*;?\s*$` finds them (the
// generator runs it for every candidate task, where the expression was a
// twentieth of the producer's time).
func trailingLimit(sql string) (string, bool) {
	end := len(sql)
	for end > 0 && reSpace(sql[end-1]) {
		end--
	}
	if end > 0 && sql[end-1] == ';' {
		end--
		for end > 0 && reSpace(sql[end-1]) {
			end--
		}
	}
	d := end
	for d > 0 && sql[d-1] >= '0' && sql[d-1] <= '9' {
		d--
	}
	if d == end {
		return "", false
	}
	k := d
	for k > 0 && reSpace(sql[k-1]) {
		k--
	}
	if k == d || k < 5 || !strings.EqualFold(sql[k-5:k], "limit") || (k > 5 && identChar(sql[k-6])) {
		return "", false
	}
	return sql[d:end], true
}

// reSpace reports whether c is whitespace as RE2's \s means it.
func reSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

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
