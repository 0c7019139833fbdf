// Package raigorun runs `.raigo-test.yaml` suites against `.raigo` policies:
// the library behind `raigo test`.
//
// A run goes through the same stages as a benchmark run:
//
//  1. freeze: every suite file and every policy file it names is read once
//     and hashed (sha256 over the files' bytes, canonical order);
//  2. source: the suites' cases, each with its seeded fuzz variants;
//  3. evaluate: cases go through a bounded, ordered worker pool
//     (pipeline/pool); each worker evaluates the case (a policy, or a chain
//     of policies where the most restrictive result wins), checks its
//     expectation and snapshot, and evaluates the fuzz variants;
//  4. minimize: a failing case's prompt is shrunk by delta debugging
//     (ddmin over whitespace tokens) to a 1-minimal sub-prompt that fails
//     the same way;
//  5. sinks: Parquet and JSONL traces and summary.json (--out), snapshot
//     files, coverage, and the report a [Reporter] renders.
//
// Results come out in suite order whatever the worker count, and every
// artifact except the report's run_at time is a function of the input files
// and the seed. A failing case is data; an unreadable or invalid suite or
// policy is an [InputError] (exit code 2).
package raigorun
