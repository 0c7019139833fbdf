package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Bad --shard forms and bad merge calls exit 2 with a message and leave
// nothing behind.
func TestShardAndMergeBadInput(t *testing.T) {
	tmp := t.TempDir()
	out := filepath.Join(tmp, "out")
	seeded := []string{"run", "--domain", "support_saas", "--suite", "seeded", "--out", out}
	runDir := filepath.Join(tmp, "run")
	os.MkdirAll(runDir, 0o755)
	os.WriteFile(filepath.Join(runDir, ".policystrata-run"), []byte("a run\n"), 0o644)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"shard without slash", append(seeded, "--shard", "3"), "want i/n"},
		{"shard index past count", append(seeded, "--shard", "4/4"), "index must be 0..3"},
		{"shard count zero", append(seeded, "--shard", "0/0"), "count must be 1..10000"},
		{"shard negative", append(seeded, "--shard", "-1/4"), "not a decimal"},
		{"shard leading zero", append(seeded, "--shard", "01/4"), "leading zero"},
		{"shard words", append(seeded, "--shard", "one/four"), "not a decimal"},
		{"shard one-based habit", append(seeded, "--shard", "8/8"), "shards are numbered from 0"},
		{"shard with cross-check", append(seeded, "--shard", "0/2", "--cross-check", "--pg-dsn", "postgres://postgres@127.0.0.1:5432/test"), "--cross-check is not supported with --shard"},
		{"shard into a run directory", []string{"run", "--domain", "support_saas", "--suite", "seeded", "--shard", "0/2", "--out", runDir}, "is a run directory"},
		{"merge nothing", []string{"merge", "--out", out}, "shard directories"},
		{"merge without out", []string{"merge", tmp}, "--out is required"},
		{"merge no such dir", []string{"merge", filepath.Join(tmp, "nope"), "--out", out}, "no such shard or dataset directory"},
		{"merge a dir without shards", []string{"merge", tmp, "--out", out}, "no shards here"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != ExitBadInput || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("left %s behind", out)
			}
		})
	}
}

// The CLI round trip: two shards of the seeded suite, read directly by
// summarize, then merged into the single run's files.
func TestShardMergeCLI(t *testing.T) {
	tmp := t.TempDir()
	base := []string{"run", "--domain", "support_saas", "--suite", "seeded", "--no-minimize"}
	single := filepath.Join(tmp, "single")
	if code, _, stderr := runCLI(t, append(base, "--out", single)...); code != 0 {
		t.Fatalf("single run: exit %d: %s", code, stderr)
	}
	dataset := filepath.Join(tmp, "dataset")
	for _, sh := range []string{"0/2", "1/2"} {
		code, stdout, stderr := runCLI(t, append(base, "--shard", sh, "--out", dataset)...)
		if code != 0 || !strings.Contains(stdout, "wrote shard "+sh) {
			t.Fatalf("shard %s: exit %d: %s%s", sh, code, stdout, stderr)
		}
	}
	code, stdout, stderr := runCLI(t, "summarize", dataset, "--format", "json")
	want, _ := os.ReadFile(filepath.Join(single, "summary.json"))
	if code != 0 || stdout != string(want) {
		t.Errorf("summarize of the dataset: exit %d, %s; want the single run's summary.json", code, stderr)
	}
	merged := filepath.Join(tmp, "merged")
	code, stdout, stderr = runCLI(t, "merge", filepath.Join(dataset, "shard=1"), filepath.Join(dataset, "shard=0"), "--out", merged)
	if code != 0 || !strings.Contains(stdout, "merged 2 shards: 50 traces") {
		t.Fatalf("merge: exit %d: %s%s", code, stdout, stderr)
	}
	for _, f := range []string{"summary.json", "metadata.json", "traces.jsonl", "traces.parquet"} {
		a, _ := os.ReadFile(filepath.Join(single, f))
		b, _ := os.ReadFile(filepath.Join(merged, f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs from the single run's", f)
		}
	}
	if code, _, stderr := runCLI(t, "merge", dataset, "--out", merged); code != ExitBadInput || !strings.Contains(stderr, "--force") && !strings.Contains(stderr, "exists") {
		t.Errorf("merge over a run without --force: exit %d, %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "merge", dataset, "--out", merged, "--force"); code != 0 {
		t.Errorf("merge --force: exit %d, %s", code, stderr)
	}
}
