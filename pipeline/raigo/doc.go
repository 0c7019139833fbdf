// Package raigo loads, validates and evaluates `.raigo` AI-governance
// policies.
//
// Two source formats are accepted and normalised into one compiled [Policy]:
// the 0.3 specification format (`raigo_version`, `metadata`, `context`,
// `policies`, `x_` extension fields) and the documentation format (`rules:`
// with block/warn/allow actions, `triggers`, `message`, `error_code`,
// `compliance`, `priority`, `enabled`). Legacy v1.1 files (a `policies` list
// without `metadata`) are rejected with an error naming what is missing.
//
// Decoding is strict: an unknown field (other than an `x_` extension) or a
// value of the wrong type is an error formatted `path:line: message`. Every
// regular expression is compiled once, at load time, by Go's RE2 engine
// when it can express the pattern; a pattern it cannot (a JavaScript
// lookbehind, lookahead or backreference) runs on regexp2's ECMAScript
// engine with a match timeout ([PatternMatchTimeout]), reported as a load
// warning; a pattern neither compiles never matches and is a load warning.
//
// [Evaluate] reproduces the reference engine's semantics (string and
// structured conditions, triggers, built-in detectors, DENY over WARN over
// ALLOW) with this project's decisions applied: ENFORCE is a standing
// directive rather than a block (unless [CompatEngine] is selected), the
// representative rule is chosen by severity, then priority, then file order,
// and observe mode downgrades a final DENY to WARN with ObserveOverride set.
// [EvaluateChain] evaluates an ordered list of policies and reports the most
// restrictive result together with the policy that decided it.
package raigo
