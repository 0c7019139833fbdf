package ablations

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/evaluate"
	"github.com/policystrata/policystrata/pipeline/measure"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// rec is what a re-run reads of one trace.
type rec struct {
	TaskID       string                  `json:"task_id"`
	Domain       string                  `json:"domain"`
	Principal    string                  `json:"principal"`
	Intent       spec.SemanticQuery      `json:"semantic_ir"`
	Status       string                  `json:"accounting_status"`
	Class        string                  `json:"witness_class"`
	Localized    string                  `json:"localized_surface"`
	Findings     []detect.Finding        `json:"findings"`
	Layers       *observe.Layers         `json:"layer_outputs"`
	Measured     *observe.Measurements   `json:"measured"`
	Probes       []trace.ProbeSummary    `json:"probes"`
	RefDigest    dbRef                   `json:"db_result"`
	WitnessPath  string                  `json:"witness_path"`
	Proof        *trace.EquivalenceProof `json:"equivalence_proof"`
	KillingState *trace.StateRef         `json:"killing_state"`
	Minimization *trace.Minimization     `json:"minimization"`
}

type dbRef struct {
	ReferenceDigest string `json:"reference_digest"`
}

func decode(line []byte) (*rec, error) {
	var r rec
	if err := json.Unmarshal(line, &r); err != nil {
		return nil, fmt.Errorf("decode trace: %w", err)
	}
	return &r, nil
}

// outcome is one detection's verdict on a trace.
type outcome struct {
	class, surface string
}

func (o outcome) caught() bool { return o.class != detect.Clean }

// rerunResult is the full detector and every ablation re-run on one trace.
type rerunResult struct {
	full outcome
	// ablated is in All() order.
	ablated []outcome
	// reproduced: the full re-run gives the stored findings, and the
	// re-derived reference answer has the stored digest.
	reproduced bool
}

// rerun runs the detector on t's stored observation with the oracle's
// verdict re-derived by o: once whole, once per ablation.
func rerun(t *rec, o *oracle.Oracle) rerunResult {
	obs := observe.Observation{Principal: t.Principal, Intent: t.Intent, Layers: *t.Layers}
	if t.Measured != nil {
		obs.Measured = *t.Measured
	}
	var probed []string
	for _, p := range t.Probes {
		probed = append(probed, p.Table)
	}
	obs.Verdict = measure.Verdict(o, t.Principal, t.Intent, probed)
	refOK := t.RefDigest.ReferenceDigest == ""
	if ref := obs.Verdict.Reference; ref != nil {
		refOK = detect.RowsDigest(ref.Rows) == t.RefDigest.ReferenceDigest
		// the trace keeps at most MaxRowsInTrace rows of every result the
		// reference is compared with: compare like with like
		if len(ref.Rows) > evaluate.MaxRowsInTrace {
			cut := *ref
			cut.Rows = ref.Rows[:evaluate.MaxRowsInTrace]
			obs.Verdict.Reference = &cut
		}
	}
	var probes []detect.Finding
	for _, f := range t.Findings {
		if isProbeFinding(f) {
			probes = append(probes, f)
		}
	}
	// the probes' inputs are not stored: every re-run skips them, and all
	// but the probe ablation carry their stored findings over
	run := func(off ...detect.Part) ([]detect.Finding, outcome) {
		fs := detect.DetectWithout(obs, append(off, detect.PartContainmentProbes)...).Findings
		if !slices.Contains(off, detect.PartContainmentProbes) {
			fs = withProbes(fs, probes)
		}
		c, s := Localize(fs)
		return fs, outcome{c, s}
	}
	var r rerunResult
	var full []detect.Finding
	full, r.full = run()
	r.reproduced = refOK && sameFindings(full, t.Findings, truncated(t)) && r.full.class == t.Class && r.full.surface == t.Localized
	for _, a := range all {
		_, oc := run(a.Part)
		r.ablated = append(r.ablated, oc)
	}
	return r
}

// truncated reports whether the trace cut a result the detector compares
// to MaxRowsInTrace rows.
func truncated(t *rec) bool {
	if t.Layers.Database != nil && len(t.Layers.Database.Result.Rows) >= evaluate.MaxRowsInTrace {
		return true
	}
	if m := t.Measured; m != nil {
		for _, r := range []*db.Result{m.Base, m.Restricted} {
			if r != nil && len(r.Rows) >= evaluate.MaxRowsInTrace {
				return true
			}
		}
	}
	return false
}

// rowsDigestRE matches the row counts and digests reasons quote.
var rowsDigestRE = regexp.MustCompile(`\d+ rows [0-9a-f]{12}`)

// sameFindings compares a re-run's findings with the stored ones; when the
// trace cut rows, the quoted row counts and digests (of the cut rows in
// the re-run) are not compared, every other byte is.
func sameFindings(rerun, stored []detect.Finding, cut bool) bool {
	if !cut {
		return slices.Equal(rerun, stored)
	}
	return slices.EqualFunc(rerun, stored, func(a, b detect.Finding) bool {
		return a.Surface == b.Surface && a.Kind == b.Kind &&
			rowsDigestRE.ReplaceAllString(a.Reason, "_") == rowsDigestRE.ReplaceAllString(b.Reason, "_")
	})
}

// oracles re-derives each run's oracle from its metadata: the domain (a
// built-in one, or one given), checked against the fixture hashes the run
// recorded, and the state generated from the run's state seed.
type oracles struct {
	domains map[string]*spec.Domain
	byRun   map[string]*oracle.Oracle
}

type runMeta struct {
	Domain        string            `json:"domain"`
	StateSeed     *uint64           `json:"state_seed"`
	FixtureHashes map[string]string `json:"fixture_hashes"`
}

func (c *oracles) forRun(run, dir string) (*oracle.Oracle, error) {
	if o, ok := c.byRun[run]; ok {
		return o, nil
	}
	if dir == "" {
		return nil, strictyaml.Errorf(run, 0, "re-running the detector needs the run directory (metadata.json: domain and state seed), not a bare Parquet file")
	}
	mp, md, err := readMeta(dir)
	if err != nil {
		return nil, err
	}
	if md.StateSeed == nil {
		return nil, strictyaml.Errorf(mp, 0, "metadata records no state_seed")
	}
	d := c.domains[md.Domain]
	if d == nil {
		if d, err = domains.Load(md.Domain); err != nil {
			return nil, strictyaml.Errorf(mp, 0, "domain %q is not built in: pass its directory (--domain-path)", md.Domain)
		}
	}
	if !maps.Equal(md.FixtureHashes, d.Hashes) {
		return nil, strictyaml.Errorf(mp, 0, "the run's domain files differ from domain %s's (fixture_hashes): the oracle cannot be re-derived", md.Domain)
	}
	st, err := state.GenerateSeed(d, *md.StateSeed)
	if err != nil {
		return nil, fmt.Errorf("generate state of %s: %w", run, err)
	}
	o := oracle.New(d, st)
	c.byRun[run] = o
	return o, nil
}

// readMeta reads a run's metadata.json; a directory of shards without one
// of its own uses its shards' (which must agree on the domain, the state
// seed and the fixture hashes).
func readMeta(dir string) (string, runMeta, error) {
	mp := filepath.Join(dir, "metadata.json")
	paths := []string{mp}
	if _, err := os.Stat(mp); err != nil {
		paths = nil
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && d.Name() == "metadata.json" {
				paths = append(paths, p)
			}
			return nil
		})
		if len(paths) == 0 {
			return mp, runMeta{}, strictyaml.Errorf(mp, 0, "re-running the detector needs the run's metadata (domain and state seed): no metadata.json in %s or its shards", dir)
		}
	}
	var first runMeta
	for i, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return p, runMeta{}, strictyaml.Errorf(p, 0, "read metadata: %v", err)
		}
		var md runMeta
		if err := json.Unmarshal(b, &md); err != nil {
			return p, runMeta{}, strictyaml.Errorf(p, 0, "invalid metadata: %v", err)
		}
		if i == 0 {
			first = md
			continue
		}
		if md.Domain != first.Domain || !maps.Equal(md.FixtureHashes, first.FixtureHashes) ||
			(md.StateSeed == nil) != (first.StateSeed == nil) || (md.StateSeed != nil && *md.StateSeed != *first.StateSeed) {
			return p, runMeta{}, strictyaml.Errorf(p, 0, "shard metadata disagrees with %s (domain, state seed or fixture hashes)", paths[0])
		}
	}
	return paths[0], first, nil
}
