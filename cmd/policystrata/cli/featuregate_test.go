package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// A DuckDB domain that declares a minimum cohort (testdata/cohort_duckdb) is
// offered aggregate_small_cohort_release, which the catalog once restricted
// to the ClickHouse dialect; the seeded and the generated tasks using it are
// killed.
func TestFeatureGatedOperatorOnDuckDBDomain(t *testing.T) {
	dom := filepath.Join("testdata", "cohort_duckdb")
	const op = "aggregate_small_cohort_release"
	for _, c := range []struct {
		name string
		args []string
	}{
		{"seeded", []string{"--suite", "seeded"}},
		{"generated", []string{"--suite", "generated", "--count", "46"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			args := append([]string{"run", "--domain-path", dom, "--out", out, "--no-minimize"}, c.args...)
			if code, _, stderr := runCLI(t, args...); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var summary struct {
				ByOperator map[string]struct {
					Tasks, Killed int
				} `json:"by_operator"`
			}
			var md struct {
				Ops []string `json:"mutation_operator_ids"`
			}
			readJSON(t, filepath.Join(out, "summary.json"), &summary)
			readJSON(t, filepath.Join(out, "metadata.json"), &md)
			got := summary.ByOperator[op]
			if got.Tasks == 0 || got.Killed != got.Tasks {
				t.Errorf("%s: %d tasks, %d killed; want every task killed", op, got.Tasks, got.Killed)
			}
			if !slices.Contains(md.Ops, op) {
				t.Errorf("metadata mutation_operator_ids lacks %s: %v", op, md.Ops)
			}
		})
	}
}

func readJSON(t *testing.T, p string, v any) {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
}
