// Package stats holds the statistics behind every figure of the evidence
// tables: Wilson score intervals for rates, the exact McNemar test for two
// detectors on the same mutants, and a seeded paired bootstrap interval for
// the difference of two catch rates. Every function is deterministic.
package stats
