package db

import (
	"sync/atomic"
	"time"
)

// StatKind is a kind of database work counted by Stats.
type StatKind int

// The kinds of database work.
const (
	// StatLive counts measured statements in live application sessions.
	StatLive StatKind = iota
	// StatBase counts statements on the unrestricted base tables.
	StatBase
	// StatOracle counts statements on the oracle's restricted rows.
	StatOracle
	// StatParse counts parses with DuckDB's parser (json_serialize_sql):
	// the texts the fast parser does not recognize.
	StatParse
	// StatConfigure counts session settings (search path, tenants).
	StatConfigure
	// StatRestrict counts statements restricting a session to a subset
	// of the state (witness minimization).
	StatRestrict
	// StatLoad counts statements creating and filling databases.
	StatLoad
	// StatRefused counts statements the application session guard
	// refused before execution.
	StatRefused
	// StatParseGo counts parses the fast parser answered in Go (the same
	// SQLInfo as DuckDB's, see fastInspect).
	StatParseGo
	statKinds
)

var statNames = [statKinds]string{"live", "base", "oracle", "parse", "configure", "restrict", "load", "refused", "parse_go"}

// String names the kind as run.json does.
func (k StatKind) String() string {
	if k < 0 || k >= statKinds {
		return "unknown"
	}
	return statNames[k]
}

func statOfMode(m Mode) StatKind {
	switch m {
	case Base:
		return StatBase
	case Oracle:
		return StatOracle
	}
	return StatLive
}

// Stats counts an engine's database work: statements executed and answered
// from the memo, and time spent, per kind. Safe for concurrent use; a nil
// *Stats counts nothing. Counts of a multi-worker run depend on which
// worker reaches a statement first, and times on the machine, so both
// belong in a run's measured fields, never in compared outputs.
type Stats struct {
	executed [statKinds]atomic.Int64
	cached   [statKinds]atomic.Int64
	nanos    [statKinds]atomic.Int64
}

func (s *Stats) add(k StatKind, n int, d time.Duration) {
	if s == nil {
		return
	}
	s.executed[k].Add(int64(n))
	s.nanos[k].Add(int64(d))
}

func (s *Stats) hit(k StatKind) {
	if s == nil {
		return
	}
	s.cached[k].Add(1)
}

// StatLine is one kind's counts.
type StatLine struct {
	Kind     string  `json:"kind"`
	Executed int64   `json:"executed"`
	Cached   int64   `json:"cached"`
	Seconds  float64 `json:"seconds"`
}

// Lines returns the counts of every kind, in a fixed order.
func (s *Stats) Lines() []StatLine {
	out := make([]StatLine, statKinds)
	for k := StatKind(0); k < statKinds; k++ {
		out[k] = StatLine{Kind: k.String()}
		if s != nil {
			out[k].Executed = s.executed[k].Load()
			out[k].Cached = s.cached[k].Load()
			out[k].Seconds = float64(s.nanos[k].Load()) / 1e9
		}
	}
	return out
}
