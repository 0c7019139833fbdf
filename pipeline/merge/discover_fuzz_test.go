package merge

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/policystrata/policystrata/pipeline/strictyaml"
	"github.com/policystrata/policystrata/pipeline/trace"
)

// FuzzReadShard feeds arbitrary shard.json and metadata.json bytes to the
// shard reader: it must accept or refuse them as bad input, never panic.
func FuzzReadShard(f *testing.F) {
	good := `{"code":"c","format":"` + trace.ShardFormat + `","options":{"compact":false,"engine":"duckdb","minimize":true,"no_aimed_states":false,"probe_states":2},` +
		`"partition":"mutation","parts":["part-00000.parquet"],"shard":0,"shards":2,"suite_tasks":10,"tasks":5}`
	f.Add(good, `{"domain":"d","trace_count":5}`)
	f.Add(`{"format":"x"}`, `{}`)
	f.Add(`{"shard":3,"shards":2}`, `[]`)
	f.Add(`null`, `null`)
	f.Add(`{"parts":["../../etc/passwd"]}`, `{"trace_count":"5"}`)
	f.Fuzz(func(t *testing.T, info, md string) {
		dir := filepath.Join(t.TempDir(), "shard=0")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, trace.ShardInfoFile), []byte(info), 0o644)
		os.WriteFile(filepath.Join(dir, "metadata.json"), []byte(md), 0o644)
		s, err := readShard(dir)
		if err != nil {
			if !strictyaml.IsInputError(err) {
				t.Fatalf("not an input error: %v", err)
			}
			return
		}
		i := s.info
		if i.Shard != 0 || i.Shards < 1 || len(i.Parts) == 0 || i.Tasks < 0 {
			t.Fatalf("accepted %+v", i)
		}
		for _, p := range i.Parts {
			if p != filepath.Base(p) {
				t.Fatalf("accepted part %q outside the shard", p)
			}
		}
	})
}
