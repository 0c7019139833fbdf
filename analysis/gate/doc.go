// Package gate turns suite scores into CI decisions: Compare checks a new
// run's summary against a baseline's (kill rate, per-operator survivors,
// false positives) and FailOn checks a single run against the kinds of
// result a team refuses (survived mutants, false positives, cross-engine
// disagreements). Results render as Markdown for a pull-request comment and
// as JUnit XML for CI dashboards.
package gate
