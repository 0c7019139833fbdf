package raigorun

import (
	"slices"
	"strings"

	"github.com/policystrata/policystrata/suites/raigotest"
)

// MaxMinimizeTests bounds the evaluations spent minimizing one prompt.
const MaxMinimizeTests = 2000

// Minimized is a failing prompt shrunk by delta debugging.
type Minimized struct {
	// Prompt is the shortest sub-prompt found (tokens joined by one space).
	Prompt string `json:"prompt"`
	// Tokens and From count whitespace tokens after and before.
	Tokens int `json:"tokens"`
	From   int `json:"from"`
	// Tests is the number of evaluations spent; OneMinimal is false when
	// the budget ran out first.
	Tests      int  `json:"tests"`
	OneMinimal bool `json:"one_minimal"`
}

// DDMin is Zeller's delta-debugging minimization: given tokens for which
// fails holds, it returns a subsequence for which fails still holds and
// from which no single token can be removed (1-minimal), unless maxTests
// calls to fails are spent first (then ok is false). tests counts the calls.
func DDMin(tokens []string, fails func([]string) bool, maxTests int) (out []string, tests int, ok bool) {
	c := slices.Clone(tokens)
	exhausted := false
	test := func(cand []string) bool {
		if tests >= maxTests {
			exhausted = true
			return false
		}
		tests++
		return fails(cand)
	}
	n := 2
	for len(c) >= 2 && !exhausted {
		chunks := split(c, n)
		reduced := false
		for _, ch := range chunks {
			if test(ch) {
				c, n, reduced = ch, 2, true
				break
			}
		}
		if !reduced && n > 2 {
			for i := range chunks {
				comp := complement(chunks, i)
				if test(comp) {
					c, n, reduced = comp, max(n-1, 2), true
					break
				}
			}
		}
		if !reduced {
			if n >= len(c) {
				break
			}
			n = min(2*n, len(c))
		}
	}
	if len(c) == 1 && test(nil) {
		c = nil
	}
	return c, tests, !exhausted
}

// split cuts c into n nearly equal consecutive chunks.
func split(c []string, n int) [][]string {
	out := make([][]string, 0, n)
	start := 0
	for i := 0; i < n; i++ {
		end := start + (len(c)-start)/(n-i)
		out = append(out, c[start:end])
		start = end
	}
	return out
}

// complement concatenates every chunk but the i-th.
func complement(chunks [][]string, i int) []string {
	var out []string
	for j, ch := range chunks {
		if j != i {
			out = append(out, ch...)
		}
	}
	return out
}

// minimizePrompt shrinks a failing case's prompt to a 1-minimal sub-prompt
// that still gets the same wrong outcome: the same final action and the
// same failed assertions. It returns nil when the prompt is not the cause
// (the empty prompt already fails the same way) or cannot shrink.
func minimizePrompt(ev *evaluator, c *raigotest.Case, got Evaluation, fails []raigotest.Failure) *Minimized {
	want := failedFields(fails)
	same := func(tokens []string) bool {
		in := c.Input
		in.Prompt = strings.Join(tokens, " ")
		e := ev.evaluate(in, c.EngineMode)
		if e.Action != got.Action {
			return false
		}
		return slices.Equal(failedFields(raigotest.Check(c.Expect, &e.Result)), want)
	}
	tokens := strings.Fields(c.Input.Prompt)
	if len(tokens) == 0 || same(nil) {
		return nil
	}
	out, tests, ok := DDMin(tokens, same, MaxMinimizeTests)
	return &Minimized{Prompt: strings.Join(out, " "), Tokens: len(out), From: len(tokens), Tests: tests + 1, OneMinimal: ok}
}

func failedFields(fails []raigotest.Failure) []string {
	out := make([]string, len(fails))
	for i, f := range fails {
		out[i] = f.Field
	}
	return out
}
