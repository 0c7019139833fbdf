package raigorun

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/policystrata/policystrata/internal/outdir"
	"github.com/policystrata/policystrata/pipeline/raigo"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// Trace kinds.
const (
	TraceCase    = "case"
	TraceVariant = "fuzz_variant"
)

// TraceRecord is one evaluation of a run: a test case or one of its fuzz
// variants. The JSONL file holds one record per line and the Parquet file
// the same records (flat columns plus trace_json, the JSONL line itself).
type TraceRecord struct {
	FreezeHash string `json:"freeze_hash"`
	Suite      string `json:"suite"`
	SuiteFile  string `json:"suite_file"`
	CaseIndex  int    `json:"case_index"`
	CaseID     string `json:"case_id,omitempty"`
	CaseName   string `json:"case_name"`
	// Kind is "case" or "fuzz_variant"; Variant is 0 for a case and the
	// variant's index otherwise, Mutations the mutators applied.
	Kind       string         `json:"kind"`
	Variant    int            `json:"variant"`
	Mutations  []string       `json:"mutations,omitempty"`
	Prompt     string         `json:"prompt"`
	Content    string         `json:"content,omitempty"`
	Context    map[string]any `json:"context,omitempty"`
	EngineMode raigo.Mode     `json:"engine_mode"`
	// ExpectedAction is the case's expected action; for a variant, the
	// case's actual action (what the variant should keep).
	ExpectedAction string `json:"expected_action"`
	Action         string `json:"action"`
	RuleID         string `json:"rule_id,omitempty"`
	Severity       string `json:"severity,omitempty"`
	DecidingPolicy string `json:"deciding_policy,omitempty"`
	// Status is pass or fail for a case, same or diverged for a variant.
	Status          string     `json:"status"`
	Failures        []string   `json:"failures,omitempty"`
	MinimizedPrompt string     `json:"minimized_prompt,omitempty"`
	Evaluation      Evaluation `json:"evaluation"`
}

// Summary is summary.json: the freeze manifest, the options that shape
// the results, the totals and per-suite counts, and coverage. It holds no
// timestamps and no worker count, so equal inputs give equal bytes.
type Summary struct {
	Freeze    Freeze         `json:"freeze"`
	Strict    bool           `json:"strict"`
	Compat    raigo.Compat   `json:"compat"`
	Fuzz      int            `json:"fuzz"`
	Seed      uint64         `json:"seed"`
	Minimize  bool           `json:"minimize"`
	Totals    Totals         `json:"totals"`
	Suites    []SuiteSummary `json:"suites"`
	Coverage  *Coverage      `json:"coverage,omitempty"`
	Problems  []string       `json:"problems"`
	ExitCode  int            `json:"exit_code"`
	Artifacts []string       `json:"artifacts"`
}

// SuiteSummary counts one suite's results.
type SuiteSummary struct {
	Path          string   `json:"path"`
	Name          string   `json:"name"`
	Policies      []string `json:"policies"`
	Total         int      `json:"total"`
	Passed        int      `json:"passed"`
	Failed        int      `json:"failed"`
	FuzzVariants  int      `json:"fuzz_variants"`
	FuzzDivergent int      `json:"fuzz_divergent"`
	FailedCases   []string `json:"failed_cases"`
}

// Artifact names in a trace directory.
const (
	TracesJSONL   = "traces.jsonl"
	TracesParquet = "traces.parquet"
	SummaryJSON   = "summary.json"
)

// traceSink writes traces into a staging directory (internal/outdir)
// that finish moves into place.
type traceSink struct {
	stage  *outdir.Stage
	tmp    string
	jsonl  *os.File
	w      *bufio.Writer
	pq     *trace.ColumnWriter[TraceRecord]
	pqFile *os.File
}

// Tool is the name raigo's run directories are marked with (the marker
// file .raigo-run); --force replaces only a directory holding it.
const Tool = "raigo"

// openTraces prepares the staging directory beside out. An existing
// non-empty out is an error (an *outdir.RefusedError) unless force is set
// and it is a previous raigo run; the working directory, its ancestors,
// the home directory and the root are always refused.
func openTraces(out string, force bool) (*traceSink, error) {
	stage, err := outdir.Prepare(out, outdir.Options{Tool: Tool, Force: force})
	if outdir.IsRefused(err) {
		return nil, err // `path: reason`, bad input
	}
	if err != nil {
		return nil, fmt.Errorf("open traces: %w", err)
	}
	tmp := stage.Dir
	s := &traceSink{stage: stage, tmp: tmp}
	if s.jsonl, err = os.Create(filepath.Join(tmp, TracesJSONL)); err != nil {
		s.abort()
		return nil, fmt.Errorf("open traces: %w", err)
	}
	s.w = bufio.NewWriter(s.jsonl)
	if s.pqFile, err = os.Create(filepath.Join(tmp, TracesParquet)); err != nil {
		s.abort()
		return nil, fmt.Errorf("open traces: %w", err)
	}
	if s.pq, err = newParquetSink(s.pqFile); err != nil {
		s.abort()
		return nil, fmt.Errorf("open traces: %w", err)
	}
	return s, nil
}

// write appends one record to both files.
func (s *traceSink) write(rec *TraceRecord) error {
	line, err := trace.CompactJSON(rec)
	if err != nil {
		return fmt.Errorf("write trace: %w", err)
	}
	if _, err := s.w.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("write trace: %w", err)
	}
	return s.pq.Write(rec, line)
}

// finish closes the files, writes summary.json and renames the temporary
// directory into place.
func (s *traceSink) finish(sum *Summary) error {
	if err := s.close(); err != nil {
		s.abort()
		return err
	}
	sum.Artifacts = []string{SummaryJSON, TracesJSONL, TracesParquet}
	data, err := trace.CanonicalJSON(sum)
	if err == nil {
		err = os.WriteFile(filepath.Join(s.tmp, SummaryJSON), data, 0o644)
	}
	if err == nil {
		err = s.stage.Commit()
	}
	if err != nil {
		s.abort()
		return fmt.Errorf("write traces: %w", err)
	}
	return nil
}

func (s *traceSink) close() error {
	var first error
	keep := func(err error) {
		if first == nil && err != nil {
			first = err
		}
	}
	if s.w != nil {
		keep(s.w.Flush())
		s.w = nil
	}
	if s.jsonl != nil {
		keep(s.jsonl.Close())
		s.jsonl = nil
	}
	if s.pq != nil {
		keep(s.pq.Close())
		s.pq = nil
	}
	if s.pqFile != nil {
		// The Parquet writer closes its file; closing again is harmless.
		if err := s.pqFile.Close(); !errors.Is(err, os.ErrClosed) {
			keep(err)
		}
		s.pqFile = nil
	}
	if first != nil {
		return fmt.Errorf("write traces: %w", first)
	}
	return nil
}

// abort removes the temporary directory.
func (s *traceSink) abort() {
	s.close()
	s.stage.Abort()
}
