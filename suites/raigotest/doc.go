// Package raigotest parses `.raigo-test.yaml` policy test suites and checks
// evaluation results against their expectations.
//
// Two suite layouts are accepted (decision 9). Form A, from the raigo
// testing-framework document: `version`, `policy`, `metadata` and `tests`,
// each test with an `id`, `name`, `input` and `expect`. Form B, from the
// observe-mode document: `suite`, `policy`, optional `engineMode` and
// `cases`, each case with a `name`, optional `engineMode`, `input` and
// `expect`. `policy` is one path or a list of paths (a multi-policy chain),
// resolved relative to the suite file.
//
// Parsing is strict: a value of the wrong type, a missing required field or
// an invalid action or mode is an error formatted `path:line: message`, and
// every test case keeps its line. Unknown fields are reported the same way,
// as warnings that a runner's --strict turns into failures (decision 8), or
// as errors when [Options].Strict is set.
//
// [Check] compares one expectation with a [raigo.Result] and lists the
// failed assertions; [Discover] finds suite files.
package raigotest
