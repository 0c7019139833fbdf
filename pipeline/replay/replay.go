// Package replay rebuilds a witness's layer stack and database from the
// witness file alone (the domain's embedded files, the layer variant of
// every surface, the principal, the reduced query and the minimal state),
// loads the state into a fresh embedded DuckDB, re-executes the request
// and reports whether the witness reproduces: the same class, localized
// surface, containment, release decision and semantic difference, and
// every layer's recorded output.
package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing/fstest"

	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/evaluate"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/state"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// Load reads and decodes the witness file at path. Malformed files are
// input errors (`path:line: message`).
func Load(path string) (*trace.Witness, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, strictyaml.Errorf(path, 0, "witness file does not exist")
		}
		return nil, fmt.Errorf("read witness: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes a witness (read from path, for messages), rejecting unknown
// fields and a missing or foreign format.
func Parse(path string, data []byte) (*trace.Witness, error) {
	var w trace.Witness
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return nil, strictyaml.Errorf(path, lineOf(data, dec.InputOffset(), err), "invalid witness: %v", err)
	}
	if dec.More() {
		return nil, strictyaml.Errorf(path, lineOf(data, dec.InputOffset(), nil), "invalid witness: data after the JSON object")
	}
	if w.Format != trace.WitnessFormat {
		return nil, strictyaml.Errorf(path, lineOfKey(data, "format"), "format is %q, want %q", w.Format, trace.WitnessFormat)
	}
	return &w, nil
}

// lineOf is the 1-based line of the byte offset where decoding stopped
// (a syntax or type error's own offset when it has one).
func lineOf(data []byte, off int64, err error) int {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// lineOfKey is the line of the first `"key":` in data (0 if absent).
func lineOfKey(data []byte, key string) int {
	i := bytes.Index(data, []byte(`"`+key+`":`))
	if i < 0 {
		return 0
	}
	return bytes.Count(data[:i], []byte("\n")) + 1
}

// Result is the outcome of replaying one witness.
type Result struct {
	Path   string `json:"path"`
	TaskID string `json:"task_id"`
	// Reproduced is true when nothing differs.
	Reproduced bool `json:"reproduced"`
	// Differences say what the replay changed, recorded first.
	Differences []string `json:"differences"`
	// Detection is what the replay observed.
	Detection detect.Detection `json:"detection"`
}

// Env is a witness rebuilt from its file: the domain, the stack, the state.
type Env struct {
	Domain *spec.Domain
	Stack  layers.Stack
	State  *state.State
}

// Rebuild loads the witness's domain from its embedded files, its stack
// from the recorded layer variants and its state from the embedded rows.
// Every problem is an input error naming path.
func Rebuild(path string, w *trace.Witness) (*Env, error) {
	fsys := fstest.MapFS{}
	for _, f := range spec.DomainFiles {
		body, ok := w.Domain.Files[f]
		if !ok {
			return nil, strictyaml.Errorf(path, 0, "domain.files: missing %s", f)
		}
		fsys[f] = &fstest.MapFile{Data: []byte(body)}
	}
	if !spec.ValidID(w.Domain.Name) {
		return nil, strictyaml.Errorf(path, 0, "domain.name %q is not a safe domain id", w.Domain.Name)
	}
	d, err := spec.LoadDomain(fsys, w.Domain.Name, path+"#domain")
	if err != nil {
		if strictyaml.IsInputError(err) {
			return nil, err
		}
		return nil, strictyaml.Errorf(path, 0, "domain: %v", err)
	}
	stack := layers.CorrectStack()
	for _, s := range spec.SurfaceOrder {
		v, ok := w.LayerVariants[s]
		if !ok {
			return nil, strictyaml.Errorf(path, 0, "layer_variants: missing surface %s", s)
		}
		if stack, err = stack.With(s, v); err != nil {
			return nil, strictyaml.Errorf(path, 0, "layer_variants: %v", err)
		}
	}
	for _, s := range spec.SortedKeys(w.LayerVariants) {
		if !spec.IsSurface(s) {
			return nil, strictyaml.Errorf(path, 0, "layer_variants: unknown surface %q", s)
		}
		if err := layers.Applicable(w.LayerVariants[s], d); err != nil {
			return nil, strictyaml.Errorf(path, 0, "layer_variants: %s variant %s cannot act on this domain: %v", s, w.LayerVariants[s], err)
		}
	}
	if d.Policy.Principals[w.Principal] == nil {
		return nil, strictyaml.Errorf(path, 0, "principal %q is not in the domain's policy", w.Principal)
	}
	rows, err := state.DecodeRows(d, w.State)
	if err != nil {
		return nil, strictyaml.Errorf(path, 0, "state: %v", err)
	}
	st, err := state.FromRows(d, rows)
	if err != nil {
		return nil, strictyaml.Errorf(path, 0, "state: %v", err)
	}
	return &Env{Domain: d, Stack: stack, State: st}, nil
}

// Replay rebuilds w (read from path) and re-executes it on a fresh
// embedded database of the witness's engine holding only the witness's state, with only the
// containment variant and role the replay needs.
func Replay(ctx context.Context, path string, w *trace.Witness) (Result, error) {
	env, err := Rebuild(path, w)
	if err != nil {
		return Result{}, err
	}
	d := env.Domain
	var cont []db.Containment
	for _, c := range layers.Containments() {
		if c.Name == env.Stack.Database {
			cont = append(cont, c)
		}
	}
	role := d.Policy.Principals[w.Principal].Role
	engine := w.Engine
	if engine == "" {
		// witnesses written before engines were recorded came from DuckDB
		engine = db.EngineDuckDB
	}
	eng, err := db.OpenEmbedded(ctx, engine, d, env.State, cont, db.Options{Roles: []string{role}})
	if err != nil {
		return Result{}, fmt.Errorf("replay %s: %w", path, err)
	}
	defer eng.Close()
	sess, err := eng.Session(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("replay %s: %w", path, err)
	}
	defer sess.Close()
	ev := &evaluate.Evaluator{Domain: d, Oracle: oracle.New(d, env.State), Engine: engine}
	obs, err := ev.Observe(ctx, sess, env.Stack, w.Principal, w.SemanticIR)
	if err != nil {
		return Result{}, fmt.Errorf("replay %s: %w", path, err)
	}
	det := detect.Detect(obs)
	res := Result{Path: path, TaskID: w.TaskID, Detection: det, Differences: []string{}}
	diff := func(field string, rec, got any) {
		if fmt.Sprint(rec) != fmt.Sprint(got) {
			res.Differences = append(res.Differences, fmt.Sprintf("%s: recorded %v, replayed %v", field, show(rec), show(got)))
		}
	}
	diff("witness_class", w.WitnessClass, det.WitnessClass)
	diff("localized_surface", w.LocalizedSurface, det.LocalizedSurface)
	diff("containment_layer", w.ContainmentLayer, det.ContainmentLayer)
	diff("release_allowed", w.ReleaseAllowed, det.ReleaseAllowed)
	diff("semantic_difference", w.SemanticDifference, det.SemanticDifference)
	sql, rows, ref := "", "", ""
	if c := obs.Layers.Compiler; c != nil {
		sql = c.SQL
	}
	if dbo := obs.Layers.Database; dbo != nil {
		rows = detect.RowsDigest(dbo.Result.Rows)
	}
	if r := obs.Verdict.Reference; r != nil {
		ref = detect.RowsDigest(r.Rows)
	}
	diff("compiled_sql", w.CompiledSQL, sql)
	if w.DBResult.RowsDigest != "" || rows != "" {
		diff("db_result.rows_digest", w.DBResult.RowsDigest, rows)
	}
	if w.DBResult.ReferenceDigest != "" || ref != "" {
		diff("db_result.reference_digest", w.DBResult.ReferenceDigest, ref)
	}
	for _, s := range spec.SurfaceOrder {
		diff("contract_decisions."+s, w.ContractDecisions[s].Status, det.ContractDecisions[s].Status)
	}
	if w.LayerOutputs == nil {
		res.Differences = append(res.Differences, "layer_outputs: not recorded")
	} else {
		for _, s := range spec.SurfaceOrder {
			rec, got := layerJSON(*w.LayerOutputs, s), layerJSON(obs.Layers, s)
			if rec != got {
				res.Differences = append(res.Differences, fmt.Sprintf("layer_outputs.%s: recorded %s, replayed %s", s, clip(rec), clip(got)))
			}
		}
	}
	res.Reproduced = len(res.Differences) == 0
	return res, nil
}

func show(v any) string {
	if s, ok := v.(string); ok {
		if s == "" {
			return `""`
		}
		return s
	}
	return fmt.Sprint(v)
}

// clip shortens a layer fingerprint for a message.
func clip(s string) string {
	const n = 400
	if len(s) > n {
		return s[:n] + "..."
	}
	return strings.TrimSpace(s)
}
