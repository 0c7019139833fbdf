// Package resolve is the name and join resolution of the layers under test:
// metric names and aliases, join paths over the foreign-key graph with their
// fan-out (one-to-many) steps and expansion factors, the ownership chain of a
// table, its child tables, the materialized views over it, a metric's sample
// factor and the policy's time-range vocabulary. The compiler, the validator,
// the database controls and the suite generators use it.
//
// The oracle (pipeline/oracle) does not: it resolves names and joins from the
// raw policy and schema data with its own code, so a fault here shows up as a
// disagreement between the layers and the oracle instead of being shared by
// both. A test in the oracle package keeps this package out of its
// dependency graph.
package resolve

import "github.com/policystrata/policystrata/pipeline/spec"

// Resolver is the resolution a layer stack uses for names and joins. The
// layers take it from their stack, so a test can plant a fault in it without
// touching the oracle. Standard is the correct implementation.
type Resolver interface {
	// MetricByName resolves a metric name or alias to the canonical metric
	// name and reports whether the input was an alias.
	MetricByName(p *spec.Policy, name string) (canonical string, alias bool, ok bool)
	// Path is the join path from table `from` to table `to` (see Path).
	Path(s *spec.Schema, from, to string) ([]Edge, bool)
	// Ambiguous reports whether more than one join path ranks first from
	// `from` to `to` (see Ambiguous).
	Ambiguous(s *spec.Schema, from, to string) bool
}

// Standard is the correct Resolver: MetricByName, Path and Ambiguous of this
// package.
type Standard struct{}

// MetricByName implements Resolver with the package's MetricByName.
func (Standard) MetricByName(p *spec.Policy, name string) (string, bool, bool) {
	return MetricByName(p, name)
}

// Path implements Resolver with the package's Path.
func (Standard) Path(s *spec.Schema, from, to string) ([]Edge, bool) { return Path(s, from, to) }

// Ambiguous implements Resolver with the package's Ambiguous.
func (Standard) Ambiguous(s *spec.Schema, from, to string) bool { return Ambiguous(s, from, to) }

// Or returns r, or Standard when r is nil.
func Or(r Resolver) Resolver {
	if r == nil {
		return Standard{}
	}
	return r
}
