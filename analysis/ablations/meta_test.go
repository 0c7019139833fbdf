package ablations

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

func TestReadMeta(t *testing.T) {
	const a = `{"domain": "support_saas", "state_seed": 7, "fixture_hashes": {"policy.yaml": "x"}}`
	const b = `{"domain": "support_saas", "state_seed": 8, "fixture_hashes": {"policy.yaml": "x"}}`
	cases := []struct {
		name  string
		files map[string]string
		seed  uint64
		bad   bool
	}{
		{"run directory", map[string]string{"metadata.json": a}, 7, false},
		{"shards that agree", map[string]string{"shard=0/metadata.json": a, "shard=1/metadata.json": a}, 7, false},
		{"shards that disagree", map[string]string{"shard=0/metadata.json": a, "shard=1/metadata.json": b}, 0, true},
		{"no metadata", map[string]string{"traces.parquet": ""}, 0, true},
		{"not JSON", map[string]string{"metadata.json": "{"}, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for p, body := range tc.files {
				full := filepath.Join(dir, p)
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, md, err := readMeta(dir)
			var se *strictyaml.Error
			switch {
			case tc.bad && !errors.As(err, &se):
				t.Fatalf("want a path error, got %v", err)
			case !tc.bad && err != nil:
				t.Fatal(err)
			case !tc.bad && (md.StateSeed == nil || *md.StateSeed != tc.seed || md.Domain != "support_saas"):
				t.Errorf("read %+v", md)
			}
		})
	}
}
