package run

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"github.com/policystrata/policystrata/internal/outdir"
	"github.com/policystrata/policystrata/pipeline/evaluate"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// MaxShards bounds the n of --shard i/n.
const MaxShards = 10000

// Shard is one part of a run split across machines: Index (0-based) of
// Count parts.
type Shard struct {
	Index, Count int
}

// String is the shard in --shard form, "i/n".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// ParseShard reads --shard's "i/n": two decimal integers without sign,
// spaces or leading zeros, 0 <= i < n <= MaxShards.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("--shard %q: want i/n (0-based shard index i of n shards, e.g. 0/4)", s)
	}
	i, err := shardNumber(a)
	if err != nil {
		return Shard{}, fmt.Errorf("--shard %q: index: %w", s, err)
	}
	n, err := shardNumber(b)
	if err != nil {
		return Shard{}, fmt.Errorf("--shard %q: count: %w", s, err)
	}
	switch {
	case n < 1 || n > MaxShards:
		return Shard{}, fmt.Errorf("--shard %q: count must be 1..%d", s, MaxShards)
	case i >= n:
		return Shard{}, fmt.Errorf("--shard %q: index must be 0..%d (shards are numbered from 0)", s, n-1)
	}
	return Shard{Index: i, Count: n}, nil
}

// shardNumber reads a plain decimal: digits only, no leading zero.
func shardNumber(s string) (int, error) {
	if s == "" {
		return 0, fmt.Errorf("empty")
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("%q is not a decimal number", s)
		}
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, fmt.Errorf("%q has a leading zero", s)
	}
	if len(s) > 6 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return strconv.Atoi(s)
}

// Partition is how a run with these options assigns tasks to shards: by
// mutation when witnesses are minimized (a witness reuses the reductions
// of its failure shape's earlier witnesses, so a shape's tasks must stay
// together and in order), else by ranges of the suite.
func Partition(minimize bool) string {
	if minimize {
		return trace.PartitionGroup
	}
	return trace.PartitionRange
}

// partitionName is the partition cfg's shards use.
func (cfg Config) partitionName() string {
	if cfg.partition != "" {
		return cfg.partition
	}
	return Partition(cfg.Minimize)
}

// shardTasks is the part of src that shard sh owns under partition, each
// task numbered twice: its index in the shard (the minimizer's order) and
// in the suite (restored by merge), with the part's size. A zero Count
// means no sharding. The group partition reads the suite once more first
// (the lazy source is generated again); a range stops at its end.
func shardTasks(src Source, sh Shard, partition string) (iter.Seq[indexed], int) {
	lo, hi := 0, src.Count()
	var groups map[string]int
	total := hi
	switch {
	case sh.Count == 0:
	case partition == trace.PartitionGroup:
		sizes := map[string]int{}
		for t := range src.Tasks() {
			sizes[trace.GroupKey(t.Mutation)]++
		}
		groups = trace.AssignGroups(sizes, sh.Count)
		total = 0
		for k, n := range sizes {
			if groups[k] == sh.Index {
				total += n
			}
		}
	default:
		lo, hi = trace.RangeOf(sh.Index, sh.Count, src.Count())
		total = hi - lo
	}
	return func(yield func(indexed) bool) {
		local, global := 0, 0
		for t := range src.Tasks() {
			g := global
			global++
			if groups != nil {
				if groups[trace.GroupKey(t.Mutation)] != sh.Index {
					continue
				}
			} else if g < lo {
				continue
			} else if g >= hi {
				return
			}
			if !yield(indexed{idx: local, pos: g, task: t}) {
				return
			}
			local++
		}
	}, total
}

// announced is tasks with each task's operator announced to min as it is
// produced (in suite order, before any worker sees the task).
func announced(tasks iter.Seq[indexed], min *evaluate.Minimizer) iter.Seq[indexed] {
	return func(yield func(indexed) bool) {
		for in := range tasks {
			min.Announce(in.idx, in.task.Mutation)
			if !yield(in) {
				return
			}
		}
	}
}

var codeID = sync.OnceValue(func() string {
	v := "policystrata " + Version
	if bi, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if rev != "" && !dirty {
			return v + " " + rev
		}
	}
	// no clean VCS stamp: the executable's own bytes identify the code
	if exe, err := os.Executable(); err == nil {
		if f, err := os.Open(exe); err == nil {
			defer f.Close()
			h := sha256.New()
			if _, err := io.Copy(h, f); err == nil {
				return v + " exe:" + hex.EncodeToString(h.Sum(nil))[:16]
			}
		}
	}
	return v
})

// CodeID identifies the program writing a shard: its version and clean
// VCS revision, or else a hash of its executable. Shards of different
// code are refused by merge.
func CodeID() string { return codeID() }

// ShardDir is the directory shard i of a run writes under the dataset
// root (hive partitioning: root/shard=i).
func ShardDir(root string, i int) string { return filepath.Join(root, trace.ShardDirName(i)) }

// shardOut is the directory a run writes: Out, or Out/shard=I for a shard
// (whose options are checked first: bad ones are bad input).
func shardOut(cfg Config) (string, error) {
	sh := cfg.Shard
	if sh.Count == 0 {
		return cfg.Out, nil
	}
	if sh.Count < 0 || sh.Count > MaxShards || sh.Index < 0 || sh.Index >= sh.Count {
		return "", strictyaml.Errorf("--shard", 0, "shard %s: want 0 <= i < n <= %d", sh, MaxShards)
	}
	if cfg.CrossCheck {
		return "", strictyaml.Errorf("--shard", 0, "--cross-check is not supported with --shard (its report is not merged); cross-check an unsharded run")
	}
	// a run directory is not a dataset root: its traces.parquet would hide
	// the shards from every reader
	if _, err := os.Stat(filepath.Join(cfg.Out, outdir.MarkerName(Tool))); err == nil {
		return "", strictyaml.Errorf(cfg.Out, 0, "is a run directory; --shard writes OUT/shard=%d/ into a dataset directory of its own", sh.Index)
	}
	return ShardDir(cfg.Out, sh.Index), nil
}

// shardInfo is the shard.json of a shard run of n traces on engine.
func shardInfo(cfg Config, engine string, n int) trace.ShardInfo {
	return trace.ShardInfo{
		Format: trace.ShardFormat, Shard: cfg.Shard.Index, Shards: cfg.Shard.Count, Partition: cfg.partitionName(),
		SuiteTasks: cfg.Source.Count(), Tasks: n, Code: CodeID(),
		Options: trace.ShardOptions{Minimize: cfg.Minimize, Compact: cfg.Compact, ProbeStates: cfg.ProbeStates, NoAimedStates: cfg.NoAimedStates, Engine: engine},
		Parts:   []string{trace.ShardPart},
	}
}
