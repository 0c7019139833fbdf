package spec

import (
	"slices"
	"strings"

	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// ContractModes maps each layer to the mode its contract must declare: the
// kind of decision that layer makes in the stack.
var ContractModes = map[string]string{
	"manifest":  "capability_exposure",
	"grammar":   "intent_space",
	"validator": "semantic_validation",
	"compiler":  "sql_lowering",
	"database":  "database_containment",
	"release":   "output_release",
}

// Obligations are the obligations the layers of this stack hand each other,
// in stack order. A contract may emit only these; it may accept only those
// an earlier layer's contract emits.
var Obligations = []string{
	"capability_scope",             // manifest: what the model may ask for
	"syntactic_intent",             // grammar: the parsed, still untrusted intent
	"authorization_decision",       // validator
	"metric_semantics",             // validator
	"tenant_scope",                 // validator
	"row_budget",                   // validator
	"release_threshold",            // validator: a minimum cohort size
	"sql_semantics",                // compiler
	"database_containment_request", // compiler
	"lineage",                      // compiler: a SAMPLE or a materialized view the SQL reads
	"row_access_result",            // database
}

// Validate checks surfaces.yaml alone (file names it in messages):
// every layer has a version and a contract, no key names an unknown layer,
// each contract declares its layer's mode, and obligations are known, not
// repeated, and accepted only after an earlier layer emits them.
func (s *Surfaces) Validate(file string) error {
	for _, surf := range SurfaceOrder {
		if s.Versions[surf] == "" {
			return strictyaml.Errorf(file, entryLine(s.VersionsLines, surf, s.Lines["versions"]), "versions: missing surface %q", surf)
		}
		if s.Contracts[surf] == nil {
			return strictyaml.Errorf(file, entryLine(s.ContractsLines, surf, s.Lines["contracts"]), "contracts: missing surface %q", surf)
		}
	}
	for _, k := range SortedKeys(s.Versions) {
		if !isSurface(k) {
			return strictyaml.Errorf(file, s.VersionsLines[k].Key, "versions: unknown surface %q (the layers are %s)", k, strings.Join(SurfaceOrder, ", "))
		}
	}
	for _, k := range SortedKeys(s.Contracts) {
		if !isSurface(k) {
			return strictyaml.Errorf(file, s.ContractsLines[k].Key, "contracts: unknown surface %q (the layers are %s)", k, strings.Join(SurfaceOrder, ", "))
		}
	}
	emitted := map[string]string{} // obligation -> the layer that emits it
	for _, surf := range SurfaceOrder {
		c := s.Contracts[surf]
		if want := ContractModes[surf]; c.Mode != want {
			line := c.Lines["mode"]
			if line == 0 {
				line = entryLine(s.ContractsLines, surf, c.Line)
			}
			return strictyaml.Errorf(file, line, "contracts.%s: mode %q must be %s (the %s layer's mode)", surf, c.Mode, want, surf)
		}
		if err := checkObligationList(file, surf, "accepts_obligations", c.AcceptsObligations, c.AcceptsObligationsLines, c.Line, func(o string) string {
			if emitted[o] == "" {
				return "no earlier layer emits it"
			}
			return ""
		}); err != nil {
			return err
		}
		if err := checkObligationList(file, surf, "emits_obligations", c.EmitsObligations, c.EmitsObligationsLines, c.Line, func(o string) string {
			if by := emitted[o]; by != "" {
				return "the " + by + " layer already emits it"
			}
			return ""
		}); err != nil {
			return err
		}
		for _, o := range c.EmitsObligations {
			emitted[o] = surf
		}
	}
	seen := map[string]bool{}
	for i, o := range s.TransitionObligations {
		line := itemLine(s.TransitionObligationsLines, i, s.Lines["transition_obligations"])
		switch {
		case seen[o]:
			return strictyaml.Errorf(file, line, "transition_obligations: %q is listed twice", o)
		case emitted[o] == "":
			return strictyaml.Errorf(file, line, "transition_obligations: %q is emitted by no layer's contract", o)
		}
		seen[o] = true
	}
	return nil
}

// checkObligationList checks one contract's list: every name is a known
// obligation, listed once, and passes extra (which returns why not, or "").
func checkObligationList(file, surf, key string, list []string, lines []int, fallback int, extra func(string) string) error {
	seen := map[string]bool{}
	for i, o := range list {
		line := itemLine(lines, i, fallback)
		why := ""
		switch {
		case !slices.Contains(Obligations, o):
			why = "unknown obligation (known: " + strings.Join(Obligations, ", ") + ")"
		case seen[o]:
			why = "listed twice"
		default:
			why = extra(o)
		}
		if why != "" {
			return strictyaml.Errorf(file, line, "contracts.%s.%s: %q: %s", surf, key, o, why)
		}
		seen[o] = true
	}
	return nil
}

// entryLine is the line of key's entry, or fallback.
func entryLine(lines map[string]strictyaml.EntryLines, key string, fallback int) int {
	if l := lines[key].Key; l > 0 {
		return l
	}
	return fallback
}

// itemLine is the line of item i, or fallback.
func itemLine(lines []int, i, fallback int) int {
	if i < len(lines) && lines[i] > 0 {
		return lines[i]
	}
	return fallback
}
