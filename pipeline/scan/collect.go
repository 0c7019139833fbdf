package scan

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
	"os"
)

// MaxListedIDs bounds the finding ids listed in the gate's
// failing_findings and the readiness's blocking_findings: past it they are
// counted (failing_findings_omitted, blocking_findings_omitted), so memory
// stays bounded on any number of traces.
const MaxListedIDs = 10000

// collector receives the findings in output order: it gives each its
// unique id and witness path, counts it into the summary and the gate,
// and keeps it (Result.Findings) or writes it to the spool as a line of
// findings.jsonl. Its memory is bounded by the ids it has handed out
// (16-byte digests) and MaxListedIDs.
type collector struct {
	spool *os.File
	w     *bufio.Writer
	// written is the spool's length once flushed.
	written int64
	ids     uniqueIDs
	kept    []Finding
	// counts holds the summary's finding counters (see Summary.count).
	counts Summary
	gate   gateTally
	// severe counts high and critical findings.
	severe int
}

func newCollector(spool *os.File, failOnHigh bool) *collector {
	c := &collector{spool: spool, counts: newSummary(), gate: gateTally{failOnHigh: failOnHigh}}
	if spool != nil {
		c.w = bufio.NewWriterSize(spool, 1<<16)
	}
	return c
}

// add finishes f and records it.
func (c *collector) add(f Finding) error {
	f.ID = c.ids.next(f.ID)
	f.WitnessPath = "witnesses/" + f.ID + ".json"
	f.MinimalReproTrace = f.WitnessPath
	if f.Metadata == nil {
		f.Metadata = map[string]any{}
	}
	if f.Reasons == nil {
		f.Reasons = []string{}
	}
	c.counts.count(&f)
	c.gate.add(&f)
	if f.Severity == SevHigh || f.Severity == SevCritical {
		c.severe++
	}
	if c.w == nil {
		c.kept = append(c.kept, f)
		return nil
	}
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("write findings: %w", err)
	}
	c.written += int64(len(b) + 1)
	if _, err := c.w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write findings: %w", err)
	}
	return nil
}

// collectorMark is the collector's state at a point it may rewind to.
type collectorMark struct {
	written          int64
	kept, severe     int
	ids              map[[16]byte]int
	counts           Summary
	failing, omitted int
	warn             int
}

// mark records the current state (taken while few findings exist: it
// copies the id set).
func (c *collector) mark() collectorMark {
	s := c.counts
	s.EvidenceLevels = maps.Clone(s.EvidenceLevels)
	s.RegressionCases = maps.Clone(s.RegressionCases)
	return collectorMark{written: c.written, kept: len(c.kept), severe: c.severe, ids: maps.Clone(c.ids.seen), counts: s,
		failing: len(c.gate.failing), omitted: c.gate.omitted, warn: c.gate.warn}
}

// rewind drops every finding recorded since m.
func (c *collector) rewind(m collectorMark) error {
	if c.w != nil {
		if err := c.w.Flush(); err != nil {
			return fmt.Errorf("write findings: %w", err)
		}
		if err := c.spool.Truncate(m.written); err != nil {
			return fmt.Errorf("write findings: %w", err)
		}
		if _, err := c.spool.Seek(m.written, 0); err != nil {
			return fmt.Errorf("write findings: %w", err)
		}
		c.w.Reset(c.spool)
	}
	c.written, c.kept, c.severe, c.ids.seen, c.counts = m.written, c.kept[:m.kept], m.severe, m.ids, m.counts
	c.gate.failing, c.gate.omitted, c.gate.warn = c.gate.failing[:m.failing], m.omitted, m.warn
	return nil
}

// into copies the finding counters into s.
func (c *collector) into(s *Summary) {
	s.TotalFindings, s.Warnings, s.Infos, s.HighConfidenceFailures = c.counts.TotalFindings, c.counts.Warnings, c.counts.Infos, c.counts.HighConfidenceFailures
	s.EvidenceLevels, s.RegressionCases = c.counts.EvidenceLevels, c.counts.RegressionCases
}

// flush writes out the spool's buffer.
func (c *collector) flush() error {
	if c.w == nil {
		return nil
	}
	if err := c.w.Flush(); err != nil {
		return fmt.Errorf("write findings: %w", err)
	}
	return nil
}
