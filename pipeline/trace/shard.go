package trace

import (
	"fmt"
	"io"
	"sort"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// ShardFormat is the format tag of shard.json.
const ShardFormat = "policystrata-shard/1"

// ShardInfoFile is the name of the file describing one shard of a run.
const ShardInfoFile = "shard.json"

// ShardPart is the name of a shard's Parquet file (one per shard; the
// part-* pattern leaves room for more).
const ShardPart = "part-00000.parquet"

// Partitions: how the tasks of a suite are assigned to the shards of a run.
const (
	// PartitionGroup keeps every task of one mutation (operator) in one
	// shard, in suite order: witness minimization reuses the reductions of
	// a failure shape's earlier witnesses, for any principal, and a shape
	// never spans two operators. Groups go to shards largest first (ties
	// by key), each to the least loaded shard (ties to the lowest index): a
	// split as even as whole groups allow, computed from the suite alone;
	// a run of n shards gets work on at most as many as the suite has
	// operators.
	PartitionGroup = "mutation"
	// PartitionRange gives shard k of n the contiguous tasks
	// [RangeOf(k, n, total)): equal counts (within one), each shard stops
	// reading the lazy suite at its range's end, and a generated suite's
	// operator mix, which repeats every few dozen tasks, is the same in
	// every range. For runs without minimization, where no output depends
	// on another task.
	PartitionRange = "task_range"
)

// Partitions lists the known partitions.
func Partitions() []string { return []string{PartitionGroup, PartitionRange} }

// RangeOf is the suite indexes [lo, hi) PartitionRange gives shard k of n
// in a suite of total tasks.
func RangeOf(k, n, total int) (lo, hi int) {
	return int(int64(k) * int64(total) / int64(n)), int(int64(k+1) * int64(total) / int64(n))
}

// GroupKey is the PartitionGroup group of a task: its mutation.
func GroupKey(mutation string) string { return mutation }

// AssignGroups is PartitionGroup's assignment of groups (GroupKey) to n
// shards, given each group's task count.
func AssignGroups(sizes map[string]int, n int) map[string]int {
	keys := make([]string, 0, len(sizes))
	for k := range sizes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if sizes[keys[i]] != sizes[keys[j]] {
			return sizes[keys[i]] > sizes[keys[j]]
		}
		return keys[i] < keys[j]
	})
	load := make([]int, n)
	out := make(map[string]int, len(keys))
	for _, k := range keys {
		best := 0
		for i := 1; i < n; i++ {
			if load[i] < load[best] {
				best = i
			}
		}
		out[k] = best
		load[best] += sizes[k]
	}
	return out
}

// ShardOptions are the run options that change a run's outputs without
// appearing in metadata.json; the shards of one run must agree on them.
type ShardOptions struct {
	Minimize      bool   `json:"minimize"`
	Compact       bool   `json:"compact"`
	ProbeStates   int    `json:"probe_states"`
	NoAimedStates bool   `json:"no_aimed_states"`
	Engine        string `json:"engine"`
}

// ShardInfo is shard.json: which part of which run a shard directory
// holds, and what merge checks before joining shards.
type ShardInfo struct {
	Format string `json:"format"`
	// Shard is this shard's index (0-based) of Shards.
	Shard  int `json:"shard"`
	Shards int `json:"shards"`
	// Partition is how tasks were assigned (PartitionGroup or
	// PartitionRange).
	Partition string `json:"partition"`
	// SuiteTasks counts the tasks of the whole suite, Tasks this shard's.
	SuiteTasks int `json:"suite_tasks"`
	Tasks      int `json:"tasks"`
	// Code identifies the program that wrote the shard (version and VCS
	// revision, or a hash of the executable).
	Code    string       `json:"code"`
	Options ShardOptions `json:"options"`
	// Parts are the shard's Parquet files, in task order.
	Parts []string `json:"parts"`
}

// ShardRecord is one row of a shard's Parquet file: a trace with its
// index in the suite.
type ShardRecord struct {
	Index int64
	Trace *Trace
}

// shardColumns are the columns of traces.parquet plus task_index.
var shardColumns = func() []Column[ShardRecord] {
	out := make([]Column[ShardRecord], 0, len(columns)+1)
	for _, c := range columns {
		c := c
		out = append(out, Column[ShardRecord]{name: c.name, typ: c.typ, plain: c.plain, append: func(b array.Builder, r *ShardRecord, line []byte) {
			c.append(b, r.Trace, line)
		}})
	}
	return append(out, Int64Column("task_index", func(r *ShardRecord) int64 { return r.Index }))
}()

// ShardWriter streams a shard's traces into its Parquet file.
type ShardWriter = ColumnWriter[ShardRecord]

// NewShardWriter starts a shard's Parquet file on w: the columns of
// traces.parquet and task_index, the trace's place in the suite (so any
// engine reading the dataset can restore suite order).
func NewShardWriter(w io.Writer) (*ShardWriter, error) {
	return NewColumnWriter(w, "policystrata", shardColumns)
}

// ShardDirName is the hive partition directory of shard i.
func ShardDirName(i int) string { return fmt.Sprintf("shard=%d", i) }
