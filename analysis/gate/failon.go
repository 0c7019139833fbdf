package gate

import (
	"fmt"
	"strings"

	"github.com/policystrata/policystrata/pipeline/trace"
)

// Kinds of result a single run can be gated on.
const (
	FailSurvived      = "survived"
	FailFalsePositive = "false_positive"
	FailDisagreement  = "disagreement"
)

// FailKinds lists the kinds FailOn accepts, for help text.
func FailKinds() []string { return []string{FailSurvived, FailFalsePositive, FailDisagreement} }

// ParseFailOn parses a comma-separated list of kinds; an empty string is
// no kind.
func ParseFailOn(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []string
	seen := map[string]bool{}
	for _, k := range strings.Split(s, ",") {
		k = strings.TrimSpace(k)
		switch k {
		case FailSurvived, FailFalsePositive, FailDisagreement:
		default:
			return nil, fmt.Errorf("unknown --fail-on kind %q (want %s)", k, strings.Join(FailKinds(), ", "))
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out, nil
}

// FailOn checks one run against kinds: any survived mutant, any false
// positive, or any cross-engine disagreement on a clean control (given as
// disagreements; negative when no cross-engine check ran, which fails the
// disagreement kind since nothing was checked).
func FailOn(sm trace.Summary, disagreements int, kinds []string) Result {
	r := Result{Title: "policystrata run --fail-on"}
	for _, k := range kinds {
		c := Check{Name: k, Base: "0", Passed: true}
		switch k {
		case FailSurvived:
			c.New = fmt.Sprint(sm.Survived)
			if sm.Survived > 0 {
				c.Passed = false
				c.Message = fmt.Sprintf("%d mutant(s) survived: %s", sm.Survived, listed(sm.Survivors))
			}
		case FailFalsePositive:
			c.New = fmt.Sprint(sm.FalsePositives)
			if sm.FalsePositives > 0 {
				c.Passed = false
				c.Message = fmt.Sprintf("%d false positive(s) on clean controls", sm.FalsePositives)
			}
		case FailDisagreement:
			if disagreements < 0 {
				c.New = "not checked"
				c.Passed = false
				c.Message = "no cross-engine check ran (use --cross-check)"
				break
			}
			c.New = fmt.Sprint(disagreements)
			if disagreements > 0 {
				c.Passed = false
				c.Message = fmt.Sprintf("%d cross-engine disagreement(s) on clean controls", disagreements)
			}
		}
		r.Checks = append(r.Checks, c)
	}
	return r
}

func listed(ids []string) string {
	const show = 5
	if len(ids) <= show {
		return strings.Join(ids, ", ")
	}
	return strings.Join(ids[:show], ", ") + fmt.Sprintf(", ... (%d listed)", len(ids))
}
