// Package cost reports what runs cost, in two kinds of numbers kept apart.
// Counts (Counts) are deterministic functions of the runs' traces: tasks,
// witnesses, the minimizer's replays, the search's states, trace bytes;
// they belong with the compared evidence. Measurements (Measure) are wall
// time, throughput and peak memory read from each run's run.json counters
// and a peak-RSS file beside the run: they vary from machine to machine
// and run to run, so they are written apart from the compared evidence
// (scripts/reproduce-evidence.sh puts them in paper/measured/) and never
// hashed.
package cost
