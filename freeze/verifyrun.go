package freeze

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"iter"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"

	"github.com/policystrata/policystrata/analysis/dataset"
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/evaluate"
	"github.com/policystrata/policystrata/pipeline/run"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
	"github.com/policystrata/policystrata/suites"
)

// RunCheck is verify-run's result: the manifest verification (when the run
// was frozen), the run's recorded hashes against the current tree, and the
// byte comparison of a seeded sample of re-executed tasks.
type RunCheck struct {
	Verified bool `json:"verified"`
	// Manifest is the verification of benchmark_manifest.json (nil when the
	// run was not frozen).
	Manifest   *Verification `json:"manifest,omitempty"`
	Mismatches []Mismatch    `json:"mismatches"`
	// Sampled lists the re-executed task ids, in suite order.
	Sampled []string `json:"sampled"`
	// Reexecuted counts the tasks re-executed: the sample and, for each
	// sampled witness, the earlier tasks (in suite order) of its failure
	// shape, whose minimizations it builds on (see shapeHistory).
	Reexecuted int `json:"reexecuted"`
	// Differing lists the re-executed tasks whose trace or witness bytes
	// differ.
	Differing []string `json:"differing"`
	// HistoryMasked lists the sampled tasks with more than MaxHistory
	// earlier tasks of their failure shape: they are re-executed alone, and
	// the minimization counters that depend on the shape's history
	// (historyRE) are masked in their comparison.
	HistoryMasked []string `json:"history_masked"`
}

// RunOptions tune VerifyRun.
type RunOptions struct {
	// Domain overrides the built-in domain the run's metadata names (runs
	// of a --domain-path domain).
	Domain *spec.Domain
	// Sample is how many tasks to re-execute (0: none; more than the
	// suite: all).
	Sample int
	// Seed picks the sample.
	Seed uint64
	// ProbeStates, NoAimedStates and NoMinimize must be the run's
	// settings; the re-derived search states are checked against the
	// run's metadata.
	ProbeStates   int
	NoAimedStates bool
	NoMinimize    bool
	// MaxHistory bounds the earlier same-shape tasks re-executed for one
	// sampled task (0: DefaultMaxHistory; negative: none).
	MaxHistory int
}

// DefaultMaxHistory is RunOptions.MaxHistory's default.
const DefaultMaxHistory = 1000

type runMetadata struct {
	Domain         string            `json:"domain"`
	Suite          string            `json:"suite"`
	GeneratedCount *int              `json:"generated_count"`
	GeneratedSeed  *int              `json:"generated_seed"`
	FixtureHashes  map[string]string `json:"fixture_hashes"`
	SuiteHash      string            `json:"suite_hash"`
	Engine         string            `json:"engine"`
	SearchStates   []any             `json:"search_states"`
	SuiteMetadata  map[string]any    `json:"suite_metadata"`
}

// VerifyRun re-derives a run's hashes and re-executes a seeded sample of
// its tasks, comparing their traces and witnesses byte for byte.
func VerifyRun(ctx context.Context, dir string, opt RunOptions) (*RunCheck, error) {
	mdPath := filepath.Join(dir, "metadata.json")
	b, err := os.ReadFile(mdPath)
	if err != nil {
		return nil, strictyaml.Errorf(dir, 0, "not a run directory (no metadata.json)")
	}
	var md runMetadata
	if err := json.Unmarshal(b, &md); err != nil {
		return nil, strictyaml.Errorf(mdPath, 0, "invalid metadata: %v", err)
	}
	d := opt.Domain
	if d == nil {
		if d, err = domainsLoad(md.Domain); err != nil {
			return nil, strictyaml.Errorf(mdPath, 0, "domain %q: %v (use --domain-path)", md.Domain, err)
		}
	}
	deref := func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	}
	rc := &RunCheck{Mismatches: []Mismatch{}, Sampled: []string{}, Differing: []string{}, HistoryMasked: []string{}}
	src, err := suites.Open(d, md.Suite, deref(md.GeneratedCount), deref(md.GeneratedSeed))
	if err != nil {
		return nil, err
	}
	if mp := filepath.Join(dir, "benchmark_manifest.json"); exists(mp) {
		m, v, err := VerifyFor(mp, d, md.Suite, deref(md.GeneratedCount), deref(md.GeneratedSeed))
		if err != nil {
			return nil, err
		}
		rc.Manifest = &v
		if id, _ := md.SuiteMetadata["detector_freeze_id"].(string); id != m.ID {
			rc.Mismatches = append(rc.Mismatches, Mismatch{Field: "suite_metadata.detector_freeze_id", Expected: m.ID, Actual: md.SuiteMetadata["detector_freeze_id"]})
		}
		src = Frozen(src, m.ID)
	}
	check := func(field string, want, got any) {
		if !reflect.DeepEqual(want, got) {
			rc.Mismatches = append(rc.Mismatches, Mismatch{Field: field, Expected: want, Actual: got})
		}
	}
	check("fixture_hashes", md.FixtureHashes, d.Hashes)
	check("suite_hash", md.SuiteHash, src.Hash())
	if opt.Sample > 0 {
		if err := reexecute(ctx, dir, d, src, md, opt, rc); err != nil {
			return nil, err
		}
	}
	rc.Verified = len(rc.Mismatches) == 0 && len(rc.Differing) == 0 && (rc.Manifest == nil || rc.Manifest.Verified)
	return rc, nil
}

// sampleIDs picks the n task ids with the smallest seeded hash (a
// streaming bottom-n: memory is O(n)).
func sampleIDs(src suites.Source, n int, seed uint64) map[string]bool {
	type pick struct {
		key uint64
		id  string
	}
	var picks []pick
	var sb [8]byte
	binary.BigEndian.PutUint64(sb[:], seed)
	for t := range src.Tasks() {
		h := sha256.Sum256(append(sb[:], t.ID...))
		k := binary.BigEndian.Uint64(h[:8])
		if len(picks) == n && k >= picks[n-1].key {
			continue
		}
		picks = append(picks, pick{k, t.ID})
		sort.Slice(picks, func(i, j int) bool { return picks[i].key < picks[j].key })
		if len(picks) > n {
			picks = picks[:n]
		}
	}
	out := map[string]bool{}
	for _, p := range picks {
		out[p.id] = true
	}
	return out
}

// sampledSource yields only the sampled tasks of a suite.
type sampledSource struct {
	suites.Source
	ids map[string]bool
}

func (s sampledSource) Tasks() iter.Seq[spec.Task] {
	return func(yield func(spec.Task) bool) {
		for t := range s.Source.Tasks() {
			if s.ids[t.ID] && !yield(t) {
				return
			}
		}
	}
}

func (s sampledSource) Count() int { return len(s.ids) }

func reexecute(ctx context.Context, dir string, d *spec.Domain, src suites.Source, md runMetadata, opt RunOptions, rc *RunCheck) error {
	sample := sampleIDs(src, opt.Sample, opt.Seed)
	ids, masked := maps.Clone(sample), map[string]bool{}
	if !opt.NoMinimize {
		limit := opt.MaxHistory
		if limit == 0 {
			limit = DefaultMaxHistory
		}
		var hist map[string]bool
		var err error
		if hist, masked, err = shapeHistory(ctx, dir, src, sample, limit); err != nil {
			return err
		}
		maps.Copy(ids, hist)
	}
	rc.Reexecuted = len(ids)
	tmp, err := os.MkdirTemp("", "verify-run-*")
	if err != nil {
		return fmt.Errorf("re-execute: %w", err)
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "run")
	engine := md.Engine
	if engine == "" {
		engine = "duckdb"
	}
	if engine != db.EngineDuckDB && engine != db.EngineSQLite {
		return fmt.Errorf("re-execute: verify-run re-executes runs of the embedded engines only (this run used %s)", engine)
	}
	if _, err := run.Run(ctx, run.Config{Domain: d, Source: sampledSource{src, ids}, Out: out, Workers: 1,
		Minimize: !opt.NoMinimize, ProbeStates: opt.ProbeStates, NoAimedStates: opt.NoAimedStates, Engine: engine}); err != nil {
		return fmt.Errorf("re-execute: %w", err)
	}
	var again runMetadata
	if b, err := os.ReadFile(filepath.Join(out, "metadata.json")); err == nil {
		_ = json.Unmarshal(b, &again)
	}
	if !reflect.DeepEqual(md.SearchStates, again.SearchStates) {
		rc.Mismatches = append(rc.Mismatches, Mismatch{Field: "search_states", Expected: len(md.SearchStates), Actual: len(again.SearchStates)})
	}
	stored, err := traceLines(ctx, dir, ids)
	if err != nil {
		return err
	}
	fresh, err := traceLines(ctx, out, ids)
	if err != nil {
		return err
	}
	for t := range src.Tasks() {
		if !ids[t.ID] {
			continue
		}
		if sample[t.ID] {
			rc.Sampled = append(rc.Sampled, t.ID)
		}
		mask := func(b []byte) []byte { return b }
		if masked[t.ID] {
			rc.HistoryMasked = append(rc.HistoryMasked, t.ID)
			mask = maskHistory
		}
		same := stored[t.ID] != "" && bytes.Equal(mask([]byte(stored[t.ID])), mask([]byte(fresh[t.ID])))
		if w := witnessPath(fresh[t.ID]); same && w != "" {
			a, errA := os.ReadFile(filepath.Join(dir, w))
			b, errB := os.ReadFile(filepath.Join(out, w))
			same = errA == nil && errB == nil && bytes.Equal(mask(a), mask(b))
		}
		if !same {
			rc.Differing = append(rc.Differing, t.ID)
		}
	}
	return nil
}

// historyRE matches, in a trace line or a pretty-printed witness, the
// minimization counters that depend on the earlier tasks of the same
// failure shape (attempts, query_attempts, state_attempts, state_reused:
// a witness of the same shape reduced earlier is reused, which saves
// replays). They are masked only for a sampled task whose history is
// longer than RunOptions.MaxHistory; every other byte is compared.
var historyRE = regexp.MustCompile(`"(attempts|query_attempts|state_attempts|state_reused)":\s*(\d+|true|false)`)

// maskHistory replaces the minimization's history-dependent counters by a
// placeholder, leaving every other byte as it was.
func maskHistory(b []byte) []byte {
	return historyRE.ReplaceAll(b, []byte(`"$1":_`))
}

func witnessPath(line string) string {
	var t struct {
		WitnessPath string `json:"witness_path"`
	}
	_ = json.Unmarshal([]byte(line), &t)
	return t.WitnessPath
}

// traceLines reads the trace_json of the given tasks from a run's Parquet
// traces.
func traceLines(ctx context.Context, dir string, ids map[string]bool) (map[string]string, error) {
	set, err := dataset.Open(ctx, []dataset.Input{{Name: "run", Path: dir}})
	if err != nil {
		return nil, err
	}
	defer set.Close()
	out := map[string]string{}
	rows, err := set.DB.QueryContext(ctx, "SELECT task_id, trace_json FROM traces")
	if err != nil {
		return nil, fmt.Errorf("read traces: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, line string
		if err := rows.Scan(&id, &line); err != nil {
			return nil, fmt.Errorf("read traces: %w", err)
		}
		if ids[id] {
			out[id] = line
		}
	}
	return out, rows.Err()
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// shapeHistory finds, for each sampled task with a witness, the earlier
// tasks (in suite order) of its failure shape. The minimizer reduces a
// shape's witnesses in suite order, each starting from the earlier ones'
// results (pipeline/evaluate: shapeKey, Minimizer.reduce), so a sampled
// witness's bytes, and its attempts counters, are reproduced only when
// those tasks run before it; they are a deterministic function of the
// suite, read here from the stored traces' shape columns (a tampered
// shape changes what is re-executed, and the comparison fails). A sample
// whose shape has more than limit earlier tasks is returned in masked.
func shapeHistory(ctx context.Context, dir string, src suites.Source, sample map[string]bool, limit int) (hist, masked map[string]bool, err error) {
	set, err := dataset.Open(ctx, []dataset.Input{{Name: "run", Path: dir}})
	if err != nil {
		return nil, nil, err
	}
	defer set.Close()
	shapeOf := func(each func(id, shape string)) error {
		rows, err := set.DB.QueryContext(ctx, `SELECT task_id, mutation, witness_class, localized_surface, containment_layer,
			release_allowed, semantic_difference, blocked_by_database FROM traces
			WHERE witness_class <> 'clean' AND accounting_status <> 'invalid'`)
		if err != nil {
			return fmt.Errorf("read shapes: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, mut, class, surface, cont string
			var rel, sem, blocked bool
			if err := rows.Scan(&id, &mut, &class, &surface, &cont, &rel, &sem, &blocked); err != nil {
				return fmt.Errorf("read shapes: %w", err)
			}
			each(id, evaluate.ShapeKey(mut, class, surface, cont, rel, sem, blocked))
		}
		return rows.Err()
	}
	shapes := map[string]bool{}
	if err := shapeOf(func(id, sh string) {
		if sample[id] {
			shapes[sh] = true
		}
	}); err != nil {
		return nil, nil, err
	}
	cand := map[string]string{}
	if err := shapeOf(func(id, sh string) {
		if shapes[sh] {
			cand[id] = sh
		}
	}); err != nil {
		return nil, nil, err
	}
	hist, masked = map[string]bool{}, map[string]bool{}
	prior := map[string][]string{}
	over := map[string]bool{}
	for t := range src.Tasks() {
		sh, ok := cand[t.ID]
		if !ok {
			continue
		}
		if sample[t.ID] {
			if over[sh] {
				masked[t.ID] = true
			} else {
				for _, id := range prior[sh] {
					hist[id] = true
				}
			}
		}
		if len(prior[sh]) < limit {
			prior[sh] = append(prior[sh], t.ID)
		} else {
			over[sh] = true
		}
	}
	return hist, masked, nil
}
