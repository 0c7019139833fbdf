package dataset

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/run"
	"github.com/policystrata/policystrata/pipeline/trace"
	"github.com/policystrata/policystrata/suites"
)

// seededRun runs a built-in seeded suite into a temporary directory.
func seededRun(t *testing.T, domain string) string {
	t.Helper()
	d, err := domains.Load(domain)
	if err != nil {
		t.Fatal(err)
	}
	s, err := suites.Open(d, "seeded", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), domain)
	if _, err := run.Run(context.Background(), run.Config{Domain: d, Source: s, Out: out, Workers: 2, ProbeStates: 2}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSummariesFromParquetMatchSummaryJSON(t *testing.T) {
	dir := seededRun(t, "finance_saas")
	// The same run as a run directory, as a bare file, and as a shard
	// directory in hive layout.
	shards := filepath.Join(t.TempDir(), "shards", "shard=0")
	if err := os.MkdirAll(shards, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "traces.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(shards, "part.parquet"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	set, err := Open(context.Background(), []Input{
		{"dir", dir}, {"file", filepath.Join(dir, "traces.parquet")}, {"hive", filepath.Dir(shards)},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	sums, err := set.Summaries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"dir", "file", "hive"} {
		got, err := trace.CanonicalJSON(sums[name])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: summary from Parquet differs from summary.json", name)
		}
	}
	var shard int
	if err := set.DB.QueryRow("SELECT count(DISTINCT shard) FROM traces WHERE run = 'hive'").Scan(&shard); err != nil || shard != 1 {
		t.Errorf("hive partition column: %d, %v", shard, err)
	}
}

func TestOpenErrors(t *testing.T) {
	empty := t.TempDir()
	for _, in := range [][]Input{nil, {{"x", filepath.Join(empty, "nope")}}, {{"x", empty}}, {{"x", filepath.Join("dataset.go")}}} {
		if s, err := Open(context.Background(), in); err == nil {
			s.Close()
			t.Errorf("Open(%v) succeeded", in)
		}
	}
}

func TestParseInputs(t *testing.T) {
	in, err := ParseInputs([]string{"a=runs/x", "runs/y/"})
	if err != nil || len(in) != 2 || in[0].Name != "a" || in[1].Name != "y" || in[1].Path != "runs/y/" {
		t.Errorf("ParseInputs = %+v, %v", in, err)
	}
	for _, bad := range [][]string{{"=x"}, {"a="}, {"a=x", "a=y"}} {
		if _, err := ParseInputs(bad); err == nil {
			t.Errorf("ParseInputs(%q) succeeded", bad)
		}
	}
}

func FuzzParseInputs(f *testing.F) {
	f.Add("a=runs/x")
	f.Add("runs/y")
	f.Fuzz(func(t *testing.T, s string) {
		in, err := ParseInputs([]string{s})
		if err == nil && (len(in) != 1 || in[0].Name == "" || in[0].Path == "") {
			t.Errorf("ParseInputs(%q) = %+v", s, in)
		}
	})
}
