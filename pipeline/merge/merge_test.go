package merge_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/merge"
	"github.com/policystrata/policystrata/pipeline/run"
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
// seeded suite with witness minimization (the group partition, whose
// witnesses reuse earlier ones' states) and a generated suite without
// (the index partition), for 1, 2 and 7 shards.
func TestMergeEqualsSingleRun(t *testing.T) {
	cases := []struct {
		name string
		sr   suiteRun
	}{
		{"seeded minimized", suiteRun{domain: "support_saas", suite: "seeded", minimize: true}},
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
