package merge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/policystrata/policystrata/pipeline/strictyaml"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// shard is one shard directory found among merge's inputs.
type shard struct {
	dir  string
	info trace.ShardInfo
	// metadata is the shard's metadata.json without trace_count (which
	// counts the shard's traces), canonical bytes.
	metadata []byte
	md       map[string]any
	// manifest is the shard's benchmark_manifest.json (nil: none).
	manifest []byte
}

// discover lists the shards under dirs: each dir is a shard directory
// (shard=I holding shard.json) or a dataset root holding shard=I
// directories. Anything else named shard=* is refused, as is a dir with no
// shard at all.
func discover(dirs []string) ([]*shard, error) {
	var out []*shard
	for _, d := range dirs {
		st, err := os.Stat(d)
		if err != nil || !st.IsDir() {
			return nil, strictyaml.Errorf(d, 0, "no such shard or dataset directory")
		}
		if isShardName(filepath.Base(filepath.Clean(d))) {
			s, err := readShard(d)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
			continue
		}
		entries, err := os.ReadDir(d)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", d, err)
		}
		found := 0
		for _, e := range entries {
			if !e.IsDir() || !isShardName(e.Name()) {
				continue
			}
			s, err := readShard(filepath.Join(d, e.Name()))
			if err != nil {
				return nil, err
			}
			out = append(out, s)
			found++
		}
		if found == 0 {
			return nil, strictyaml.Errorf(d, 0, "no shards here (want shard=I directories written by run --shard, or one of them)")
		}
	}
	return out, nil
}

// isShardName reports whether name is a hive shard directory, shard=I.
func isShardName(name string) bool {
	v, ok := strings.CutPrefix(name, "shard=")
	if !ok || v == "" {
		return false
	}
	_, err := strconv.Atoi(v)
	return err == nil
}

// readShard reads one shard directory's shard.json, metadata.json and
// benchmark manifest.
func readShard(dir string) (*shard, error) {
	s := &shard{dir: dir}
	p := filepath.Join(dir, trace.ShardInfoFile)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, strictyaml.Errorf(dir, 0, "not a finished shard (no %s; written last by run --shard)", trace.ShardInfoFile)
	}
	if err != nil {
		return nil, fmt.Errorf("read shard: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s.info); err != nil {
		return nil, strictyaml.Errorf(p, 0, "invalid shard description: %v", err)
	}
	i := s.info
	switch {
	case i.Format != trace.ShardFormat:
		return nil, strictyaml.Errorf(p, 0, "format %q, want %q", i.Format, trace.ShardFormat)
	case i.Shards < 1 || i.Shard < 0 || i.Shard >= i.Shards:
		return nil, strictyaml.Errorf(p, 0, "shard %d of %d is out of range", i.Shard, i.Shards)
	case filepath.Base(filepath.Clean(dir)) != trace.ShardDirName(i.Shard):
		return nil, strictyaml.Errorf(p, 0, "describes shard %d, but its directory is %s", i.Shard, filepath.Base(dir))
	case len(i.Parts) == 0:
		return nil, strictyaml.Errorf(p, 0, "lists no Parquet parts")
	case i.Tasks < 0 || i.SuiteTasks < 0:
		return nil, strictyaml.Errorf(p, 0, "negative task count")
	}
	if !slices.Contains(trace.Partitions(), i.Partition) {
		return nil, strictyaml.Errorf(p, 0, "unknown partition %q (%s)", i.Partition, strings.Join(trace.Partitions(), ", "))
	}
	for _, part := range i.Parts {
		if part != filepath.Base(part) || !strings.HasSuffix(part, ".parquet") {
			return nil, strictyaml.Errorf(p, 0, "part %q is not a Parquet file name in the shard directory", part)
		}
	}
	mp := filepath.Join(dir, "metadata.json")
	mb, err := os.ReadFile(mp)
	if err != nil {
		return nil, strictyaml.Errorf(mp, 0, "cannot read the shard's metadata: %v", unwrapPath(err))
	}
	if s.md, err = decodeObject(mb); err != nil {
		return nil, strictyaml.Errorf(mp, 0, "invalid metadata: %v", err)
	}
	n, ok := s.md["trace_count"].(json.Number)
	if !ok || n.String() != strconv.Itoa(i.Tasks) {
		return nil, strictyaml.Errorf(mp, 0, "trace_count %v does not match the shard's %d tasks", s.md["trace_count"], i.Tasks)
	}
	rest := map[string]any{}
	for k, v := range s.md {
		if k != "trace_count" {
			rest[k] = v
		}
	}
	if s.metadata, err = trace.CanonicalJSON(rest); err != nil {
		return nil, fmt.Errorf("read shard: %w", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, manifestFile)); err == nil {
		s.manifest = b
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read shard: %w", err)
	}
	return s, nil
}

// manifestFile is the verified benchmark manifest a frozen run copies.
const manifestFile = "benchmark_manifest.json"

// decodeObject decodes a JSON object keeping numbers as written.
func decodeObject(b []byte) (map[string]any, error) {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("not a JSON object")
	}
	return m, nil
}

// check refuses a set of shards that is not exactly one run's: shards of
// different runs (suite, seed, domain, options, code, shard count or
// partition), a shard given twice, or a shard missing. It returns the
// shards in index order.
func check(shards []*shard) ([]*shard, error) {
	first := shards[0]
	byIndex := map[int]*shard{}
	for _, s := range shards {
		if err := sameRun(first, s); err != nil {
			return nil, err
		}
		if prev, dup := byIndex[s.info.Shard]; dup {
			return nil, strictyaml.Errorf(s.dir, 0, "duplicate shard %d: also given as %s", s.info.Shard, prev.dir)
		}
		byIndex[s.info.Shard] = s
	}
	n := first.info.Shards
	var missing []string
	for i := range n {
		if byIndex[i] == nil {
			missing = append(missing, strconv.Itoa(i))
		}
	}
	if len(missing) > 0 {
		return nil, strictyaml.Errorf(first.dir, 0, "missing shards %s of %d (shards are numbered 0..%d); every shard of the run must be given",
			strings.Join(missing, ", "), n, n-1)
	}
	total := 0
	out := make([]*shard, n)
	for i := range n {
		out[i] = byIndex[i]
		total += out[i].info.Tasks
	}
	if total != first.info.SuiteTasks {
		return nil, strictyaml.Errorf(first.dir, 0, "the shards hold %d traces, but the suite has %d tasks", total, first.info.SuiteTasks)
	}
	return out, nil
}

// sameRun refuses s unless it is a shard of the same run as a.
func sameRun(a, s *shard) error {
	ai, si := a.info, s.info
	diff := func(what string, x, y any) error {
		return strictyaml.Errorf(s.dir, 0, "not a shard of the same run as %s: %s differs (%v here, %v there)", a.dir, what, y, x)
	}
	switch {
	case ai.Shards != si.Shards:
		return diff("the shard count", ai.Shards, si.Shards)
	case ai.Partition != si.Partition:
		return diff("the partition", ai.Partition, si.Partition)
	case ai.SuiteTasks != si.SuiteTasks:
		return diff("the suite's task count", ai.SuiteTasks, si.SuiteTasks)
	case ai.Code != si.Code:
		return diff("the code", ai.Code, si.Code)
	case ai.Options != si.Options:
		return diff("the run options", fmt.Sprintf("%+v", ai.Options), fmt.Sprintf("%+v", si.Options))
	}
	if !bytes.Equal(a.metadata, s.metadata) {
		keys := make([]string, 0, len(a.md))
		for k := range a.md {
			keys = append(keys, k)
		}
		for k := range s.md {
			if _, ok := a.md[k]; !ok {
				keys = append(keys, k)
			}
		}
		// what a user mixes up first, then the rest in key order
		first := []string{"domain", "suite", "generated_count", "generated_seed", "suite_hash", "state_seed", "engine"}
		sort.SliceStable(keys, func(i, j int) bool {
			pi, pj := slices.Index(first, keys[i]), slices.Index(first, keys[j])
			if (pi < 0) != (pj < 0) {
				return pi >= 0
			}
			if pi >= 0 {
				return pi < pj
			}
			return keys[i] < keys[j]
		})
		for _, k := range keys {
			if k == "trace_count" {
				continue
			}
			x, _ := json.Marshal(a.md[k])
			y, _ := json.Marshal(s.md[k])
			if !bytes.Equal(x, y) {
				return diff("metadata "+k, clip(string(x)), clip(string(y)))
			}
		}
	}
	if !bytes.Equal(a.manifest, s.manifest) {
		return strictyaml.Errorf(s.dir, 0, "not a shard of the same run as %s: their %s differ (or only one has it)", a.dir, manifestFile)
	}
	return nil
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// unwrapPath drops the operation and path of a *fs.PathError (the path is
// already in the message).
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
