package detect

import "github.com/policystrata/policystrata/pipeline/observe"

// Part is a group of the detector's checks that an ablation can switch off
// (DetectWithout). The checks outside every part (the manifest against the
// canonical capabilities, the validator's and the database's decisions
// against the canonical decision, a compiler's refusal) always run.
type Part string

// The detector's parts.
const (
	// PartOracleReference: the comparisons with the independent oracle's
	// reference answer and with the SQL's answer over the oracle's
	// tenant-restricted rows (switched off by withholding both).
	PartOracleReference Part = "oracle_reference"
	// PartSQLAST: the checks on the parsed SQL (it parses as one
	// statement, binds the tenant column to constants inside the scope,
	// keeps a LIMIT within the row budget, reads only granted columns).
	PartSQLAST Part = "sql_ast"
	// PartContainmentProbes: the row- and column-visibility probes of the
	// live database session.
	PartContainmentProbes Part = "containment_probes"
	// PartReleaseRules: the release gate's contract.
	PartReleaseRules Part = "release_rules"
	// PartTransitionObligations: the obligations one layer hands the next
	// (the grammar's capability scope and the intent as parsed, the
	// validator's resolved metric, tenant scope, row budget and release
	// threshold, the compiler's cost estimate and containment request).
	PartTransitionObligations Part = "transition_obligations"
)

// Parts lists every part, in stack order of their first check.
func Parts() []Part {
	return []Part{PartTransitionObligations, PartSQLAST, PartOracleReference, PartContainmentProbes, PartReleaseRules}
}

// DetectWithout is Detect with the checks of the given parts switched off:
// the same code, run on the same observation, minus those checks.
func DetectWithout(obs observe.Observation, off ...Part) Detection {
	c := &checker{obs: obs, off: map[Part]bool{}}
	for _, p := range off {
		c.off[p] = true
	}
	if c.off[PartOracleReference] {
		c.obs.Verdict.Reference = nil
		c.obs.Measured.Base, c.obs.Measured.Restricted = nil, nil
	}
	return c.detect()
}

// on reports whether part's checks run.
func (c *checker) on(p Part) bool { return !c.off[p] }
