package merge_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/merge"
	"github.com/policystrata/policystrata/pipeline/run"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
	"github.com/policystrata/policystrata/pipeline/trace"
	"github.com/policystrata/policystrata/suites"
)

// suiteRun is one run configuration of the tests.
type suiteRun struct {
	domain, suite string
	count, seed   int
	minimize      bool
	compact       bool
}

// runTo runs sr (sharded when sh.Count > 0) into out.
func runTo(t *testing.T, sr suiteRun, sh run.Shard, workers int, out string) {
	t.Helper()
	d, err := domains.Load(sr.domain)
	if err != nil {
		t.Fatal(err)
	}
	s, err := suites.Open(d, sr.suite, sr.count, sr.seed)
	if err != nil {
		t.Fatal(err)
	}
	cfg := run.Config{Domain: d, Source: s, Out: out, Workers: workers, Minimize: sr.minimize, ProbeStates: 2, Compact: sr.compact, Shard: sh}
	if _, err := run.Run(context.Background(), cfg); err != nil {
		t.Fatalf("run %+v shard %s: %v", sr, sh, err)
	}
}

// shardAll runs every shard of n into the dataset root.
func shardAll(t *testing.T, sr suiteRun, n int, root string) {
	t.Helper()
	for i := range n {
		runTo(t, sr, run.Shard{Index: i, Count: n}, 1, root)
	}
}

// files maps every file under dir (but run.json and the marker) to its
// bytes.
func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "run.json" {
			return nil
		}
		b, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameRun fails unless the two run directories hold the same files with
// the same bytes (run.json, the measured facts, apart).
func sameRun(t *testing.T, want, got string) {
	t.Helper()
	w, g := files(t, want), files(t, got)
	var wn, gn []string
	for k := range w {
		wn = append(wn, k)
	}
	for k := range g {
		gn = append(gn, k)
	}
	sort.Strings(wn)
	sort.Strings(gn)
	if diff := cmp.Diff(wn, gn); diff != "" {
		t.Fatalf("files differ (-single +merged):\n%s", diff)
	}
	for _, k := range wn {
		if !bytes.Equal(w[k], g[k]) {
			t.Errorf("%s differs from the single run's (%d vs %d bytes)", k, len(w[k]), len(g[k]))
		}
	}
}

// Shards joined by merge give the single run's files byte for byte: the
// seeded suite and a generated suite with witness minimization (the group
// partition, whose witnesses reuse earlier ones' reductions, across
// principals in the generated suite) and a generated suite without (the
// range partition), for 1, 2 and 7 shards.
func TestMergeEqualsSingleRun(t *testing.T) {
	cases := []struct {
		name string
		sr   suiteRun
	}{
		{"seeded minimized", suiteRun{domain: "support_saas", suite: "seeded", minimize: true}},
		{"generated minimized", suiteRun{domain: "support_saas", suite: "generated", count: 60, seed: 5, minimize: true}},
		{"generated", suiteRun{domain: "support_saas", suite: "generated", count: 60, seed: 5}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			single := filepath.Join(tmp, "single")
			runTo(t, tc.sr, run.Shard{}, 2, single)
			for _, n := range []int{1, 2, 7} {
				t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
					root := filepath.Join(tmp, fmt.Sprintf("dataset-%d", n))
					shardAll(t, tc.sr, n, root)
					out := filepath.Join(tmp, fmt.Sprintf("merged-%d", n))
					rep, err := merge.Merge(context.Background(), merge.Config{Dirs: []string{root}, Out: out})
					if err != nil {
						t.Fatal(err)
					}
					if rep.Shards != n {
						t.Errorf("merged %d shards, want %d", rep.Shards, n)
					}
					sameRun(t, single, out)
				})
			}
		})
	}
}

// copyDir copies a shard directory (tests build bad shard sets from good
// ones).
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// editInfo rewrites a shard's shard.json through fn.
func editInfo(t *testing.T, dir string, fn func(*trace.ShardInfo)) {
	t.Helper()
	p := filepath.Join(dir, trace.ShardInfoFile)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var i trace.ShardInfo
	if err := json.Unmarshal(b, &i); err != nil {
		t.Fatal(err)
	}
	fn(&i)
	if b, err = trace.CanonicalJSON(i); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Merge refuses, as bad input and without writing anything, every set of
// shards that is not exactly one run's.
func TestMergeRefuses(t *testing.T) {
	tmp := t.TempDir()
	gen := suiteRun{domain: "support_saas", suite: "generated", count: 12, seed: 1, minimize: true}
	a := filepath.Join(tmp, "a") // the run, 2 shards
	shardAll(t, gen, 2, a)
	other := gen
	other.seed = 2
	b := filepath.Join(tmp, "b") // another seed
	shardAll(t, other, 2, b)
	compact := gen
	compact.compact = true
	c := filepath.Join(tmp, "c") // other options
	shardAll(t, compact, 2, c)
	three := filepath.Join(tmp, "three") // 3 shards of the same run
	runTo(t, gen, run.Shard{Index: 2, Count: 3}, 1, three)
	otherDomain := gen
	otherDomain.domain = "finance_saas"
	fin := filepath.Join(tmp, "fin")
	shardAll(t, otherDomain, 2, fin)

	code := filepath.Join(tmp, "code", "shard=1") // other code
	copyDir(t, filepath.Join(a, "shard=1"), code)
	editInfo(t, code, func(i *trace.ShardInfo) { i.Code = "policystrata 0.0.9 0123abc" })
	overlap := filepath.Join(tmp, "overlap", "shard=1") // shard 0's tasks again
	copyDir(t, filepath.Join(a, "shard=0"), overlap)
	editInfo(t, overlap, func(i *trace.ShardInfo) { i.Shard = 1 })
	plain := gen // the range partition
	plain.minimize = false
	r := filepath.Join(tmp, "r")
	shardAll(t, plain, 2, r)
	rOverlap := filepath.Join(tmp, "roverlap", "shard=1")
	copyDir(t, filepath.Join(r, "shard=0"), rOverlap)
	editInfo(t, rOverlap, func(i *trace.ShardInfo) { i.Shard = 1 })
	renamed := filepath.Join(tmp, "renamed", "shard=5")
	copyDir(t, filepath.Join(a, "shard=1"), renamed)
	unfinished := filepath.Join(tmp, "unfinished", "shard=1")
	copyDir(t, filepath.Join(a, "shard=1"), unfinished)
	os.Remove(filepath.Join(unfinished, trace.ShardInfoFile))
	noWitness := filepath.Join(tmp, "nowitness")
	copyDir(t, a, noWitness)
	for _, s := range []string{"shard=0", "shard=1"} {
		os.RemoveAll(filepath.Join(noWitness, s, "witnesses"))
	}
	empty := filepath.Join(tmp, "empty")
	os.MkdirAll(empty, 0o755)
	busy := filepath.Join(tmp, "busy")
	os.MkdirAll(busy, 0o755)
	os.WriteFile(filepath.Join(busy, "notes.txt"), []byte("mine\n"), 0o644)

	s0, s1 := filepath.Join(a, "shard=0"), filepath.Join(a, "shard=1")
	cases := []struct {
		name string
		dirs []string
		out  string
		want string
	}{
		{"missing shard", []string{s0}, "", "missing shards 1 of 2"},
		{"duplicate shard", []string{a, s0}, "", "duplicate shard 0"},
		{"another seed", []string{s0, filepath.Join(b, "shard=1")}, "", "not a shard of the same run"},
		{"another domain", []string{s0, filepath.Join(fin, "shard=1")}, "", "metadata domain"},
		{"other options", []string{s0, filepath.Join(c, "shard=1")}, "", "the run options"},
		{"other shard count", []string{s0, s1, filepath.Join(three, "shard=2")}, "", "the shard count"},
		{"other code", []string{s0, code}, "", "the code"},
		{"overlapping tasks", []string{s0, overlap}, "", "overlapping tasks"},
		{"overlapping ranges", []string{filepath.Join(r, "shard=0"), rOverlap}, "", "overlapping tasks"},
		{"renamed shard", []string{s0, renamed}, "", "describes shard 1, but its directory is shard=5"},
		{"unfinished shard", []string{s0, unfinished}, "", "not a finished shard"},
		{"witness missing", []string{noWitness}, "", "cannot read its witness"},
		{"no shards", []string{empty}, "", "no shards here"},
		{"no such dir", []string{filepath.Join(tmp, "nope")}, "", "no such shard or dataset directory"},
		{"out holds other files", []string{a}, busy, "not empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := tc.out
			if out == "" {
				out = filepath.Join(tmp, "out-"+strings.ReplaceAll(tc.name, " ", "-"))
			}
			_, err := merge.Merge(context.Background(), merge.Config{Dirs: tc.dirs, Out: out})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			t.Log(err)
			if !strictyaml.IsInputError(err) {
				t.Errorf("%v is not an input error (exit 2)", err)
			}
			if tc.out == "" {
				if _, err := os.Stat(out); err == nil {
					t.Errorf("refused merge left %s", out)
				}
			}
		})
	}
	// the good set still merges, into a fresh directory
	if _, err := merge.Merge(context.Background(), merge.Config{Dirs: []string{s1, s0}, Out: filepath.Join(tmp, "ok")}); err != nil {
		t.Fatalf("good shards refused: %v", err)
	}
}
