package run

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/merge"
	"github.com/policystrata/policystrata/pipeline/trace"
	"github.com/policystrata/policystrata/suites"
)

func TestParseShard(t *testing.T) {
	cases := []struct {
		in   string
		want Shard
		err  string
	}{
		{"0/1", Shard{0, 1}, ""},
		{"3/7", Shard{3, 7}, ""},
		{"9999/10000", Shard{9999, 10000}, ""},
		{"", Shard{}, "want i/n"},
		{"1", Shard{}, "want i/n"},
		{"1/", Shard{}, "count: empty"},
		{"/2", Shard{}, "index: empty"},
		{"2/2", Shard{}, "index must be 0..1"},
		{"7/7", Shard{}, "numbered from 0"},
		{"0/0", Shard{}, "count must be 1..10000"},
		{"0/10001", Shard{}, "count must be 1..10000"},
		{"-1/2", Shard{}, "not a decimal"},
		{"+1/2", Shard{}, "not a decimal"},
		{"01/2", Shard{}, "leading zero"},
		{"1/02", Shard{}, "leading zero"},
		{" 1/2", Shard{}, "not a decimal"},
		{"1/2 ", Shard{}, "not a decimal"},
		{"1/2/3", Shard{}, "not a decimal"},
		{"a/b", Shard{}, "not a decimal"},
		{"1.0/2", Shard{}, "not a decimal"},
		{"0/99999999999999999999", Shard{}, "too large"},
		{"٣/7", Shard{}, "not a decimal"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseShard(tc.in)
			if tc.err == "" {
				if err != nil || got != tc.want {
					t.Fatalf("ParseShard(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
				}
				if got.String() != tc.in {
					t.Errorf("String() = %q, want %q", got.String(), tc.in)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("ParseShard(%q) err = %v, want %q", tc.in, err, tc.err)
			}
		})
	}
}

func FuzzParseShard(f *testing.F) {
	for _, s := range []string{"0/1", "3/7", "01/2", "-1/2", "1/0", "a/b", "9999/10000", "1//2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sh, err := ParseShard(s)
		if err != nil {
			return
		}
		if sh.Count < 1 || sh.Count > MaxShards || sh.Index < 0 || sh.Index >= sh.Count {
			t.Fatalf("ParseShard(%q) accepted %v", s, sh)
		}
		if sh.String() != s {
			t.Fatalf("ParseShard(%q) = %v, not canonical", s, sh)
		}
	})
}

// Every task of a suite lands in exactly one shard, in suite order, for
// both partitions and several shard counts; a group never spans shards.
func TestShardTasksPartitionTheSuite(t *testing.T) {
	d, err := domains.Load("support_saas")
	if err != nil {
		t.Fatal(err)
	}
	src, err := suites.Open(d, "generated", 200, 11)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range trace.Partitions() {
		for _, n := range []int{1, 2, 3, 7, 16} {
			t.Run(fmt.Sprintf("%s/n=%d", part, n), func(t *testing.T) {
				seen := make([]int, src.Count())
				groups := map[string]int{}
				sizes := make([]int, n)
				for i := range n {
					last := -1
					tasks, size := shardTasks(src, Shard{i, n}, part)
					for it := range tasks {
						if it.pos <= last {
							t.Fatalf("shard %d: task %d after %d", i, it.pos, last)
						}
						if it.idx != sizes[i] {
							t.Fatalf("shard %d: local index %d, want %d", i, it.idx, sizes[i])
						}
						last = it.pos
						seen[it.pos]++
						size--
						sizes[i]++
						k := trace.GroupKey(it.task.Mutation)
						if prev, ok := groups[k]; ok && prev != i && part == trace.PartitionGroup {
							t.Fatalf("group %q in shards %d and %d", k, prev, i)
						}
						groups[k] = i
					}
					if size != 0 {
						t.Errorf("shard %d: announced size off by %d", i, -size)
					}
				}
				for pos, c := range seen {
					if c != 1 {
						t.Fatalf("task %d is in %d shards", pos, c)
					}
				}
				t.Logf("shard sizes %v", sizes)
			})
		}
	}
}

func TestAssignGroupsBalances(t *testing.T) {
	sizes := map[string]int{"a": 5, "b": 4, "c": 3, "d": 3, "e": 2, "f": 1}
	got := AssignGroupsLoads(sizes, 3)
	if want := []int{6, 6, 6}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("loads %v, want %v", got, want)
	}
	// ties are broken by key, so the assignment is a function of the sizes
	a, b := trace.AssignGroups(sizes, 4), trace.AssignGroups(sizes, 4)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("assignment not deterministic: %v vs %v", a, b)
	}
}

// AssignGroupsLoads is the task count each shard gets.
func AssignGroupsLoads(sizes map[string]int, n int) []int {
	loads := make([]int, n)
	for k, s := range trace.AssignGroups(sizes, n) {
		loads[s] += sizes[k]
	}
	return loads
}

// Why the group partition: witness minimization reuses the minimal states
// of a failure shape's earlier witnesses, so splitting a shape's tasks
// between shards (here by ranges of the suite) changes witnesses and traces. The
// default partition keeps them equal (see the merge tests).
func TestRangePartitionChangesMinimizedWitnesses(t *testing.T) {
	d, s := supportSeeded(t)
	tmp := t.TempDir()
	single := filepath.Join(tmp, "single")
	base := Config{Domain: d, Source: s, Workers: 2, Minimize: true, ProbeStates: 2}
	cfg := base
	cfg.Out = single
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(tmp, "dataset")
	for i := range 7 {
		cfg := base
		cfg.Out, cfg.Shard, cfg.partition = root, Shard{i, 7}, trace.PartitionRange
		if _, err := Run(context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
	}
	merged := filepath.Join(tmp, "merged")
	if _, err := merge.Merge(context.Background(), merge.Config{Dirs: []string{root}, Out: merged}); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(single, "traces.jsonl"))
	b, _ := os.ReadFile(filepath.Join(merged, "traces.jsonl"))
	if bytes.Equal(a, b) {
		t.Fatal("range-partitioned shards with minimization gave the single run's traces; the group partition would not be needed")
	}
}
