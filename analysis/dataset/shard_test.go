package dataset

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/run"
	"github.com/policystrata/policystrata/pipeline/trace"
	"github.com/policystrata/policystrata/suites"
)

// Analyses read a run --shard dataset directly: the traces come in suite
// order (so summaries match the single run's byte for byte, survivor list
// included), metadata is the run's, witnesses are found in the shards, and
// the README's DuckDB query over the dataset gives the single run's JSONL.
func TestShardedDatasetReadsLikeTheRun(t *testing.T) {
	d, err := domains.Load("support_saas")
	if err != nil {
		t.Fatal(err)
	}
	s, err := suites.Open(d, "seeded", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	single := filepath.Join(tmp, "single")
	cfg := run.Config{Domain: d, Source: s, Out: single, Workers: 2, ProbeStates: 2, Minimize: true}
	if _, err := run.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(tmp, "dataset")
	for i := range 3 {
		cfg.Out, cfg.Shard = root, run.Shard{Index: i, Count: 3}
		if _, err := run.Run(context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	set, err := Open(ctx, []Input{{"single", single}, {"sharded", root}})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	sums, err := set.Summaries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(filepath.Join(single, "summary.json"))
	for _, name := range []string{"single", "sharded"} {
		got, _ := trace.CanonicalJSON(sums[name])
		if !bytes.Equal(got, want) {
			t.Errorf("%s: summary differs from summary.json:\n%s", name, cmp.Diff(string(want), string(got)))
		}
	}
	m1, err := set.Metadata("single")
	if err != nil {
		t.Fatal(err)
	}
	m2, err := set.Metadata("sharded")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m1, m2); diff != "" {
		t.Errorf("metadata (-single +sharded):\n%s", diff)
	}
	n := 0
	err = set.EachJSON(ctx, "run = 'sharded' AND witness_path <> ''", func(_ string, line []byte) error {
		var tr trace.Trace
		if err := json.Unmarshal(line, &tr); err != nil {
			return err
		}
		p := set.WitnessFile("sharded", tr.WitnessPath)
		a, _ := os.ReadFile(p)
		b, _ := os.ReadFile(filepath.Join(single, tr.WitnessPath))
		if p == "" || !bytes.Equal(a, b) {
			t.Errorf("%s: witness %q not found in the shards or different", tr.TaskID, tr.WitnessPath)
		}
		n++
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("witnesses: %d checked, %v", n, err)
	}
	var lines bytes.Buffer
	err = set.EachJSON(ctx, "run = 'sharded'", func(_ string, line []byte) error {
		lines.Write(append(line, '\n'))
		return nil
	})
	if w, _ := os.ReadFile(filepath.Join(single, "traces.jsonl")); err != nil || !bytes.Equal(lines.Bytes(), w) {
		t.Errorf("the sharded traces do not come in the single run's order (%v)", err)
	}
	// the README's query, verbatim apart from the path
	q := strings.ReplaceAll(`SELECT string_agg(trace_json || chr(10), '' ORDER BY task_index)
FROM read_parquet('dataset/shard=*/part-*.parquet', hive_partitioning = true)`, "dataset", root)
	var jsonl string
	if err := set.DB.QueryRowContext(ctx, q).Scan(&jsonl); err != nil {
		t.Fatal(err)
	}
	if w, _ := os.ReadFile(filepath.Join(single, "traces.jsonl")); jsonl != string(w) {
		t.Error("the dataset's trace_json in task_index order is not the single run's traces.jsonl")
	}
	var shards int
	q = strings.ReplaceAll(`SELECT count(DISTINCT shard) FROM read_parquet('dataset/shard=*/part-*.parquet', hive_partitioning = true)`, "dataset", root)
	if err := set.DB.QueryRowContext(ctx, q).Scan(&shards); err != nil || shards != 3 {
		t.Errorf("hive column shard: %d distinct values, %v", shards, err)
	}
}
