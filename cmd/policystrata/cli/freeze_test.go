package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A frozen held-out run: freeze, verify, run under the manifest, verify
// the run by re-executing every task; then tamper with the manifest and
// with a witness, and run another suite under the manifest.
func TestFreezeRunVerify(t *testing.T) {
	dir := t.TempDir()
	man := filepath.Join(dir, "heldout.manifest.json")
	code, stdout, stderr := runCLI(t, "freeze-benchmark", "--domain", "support_saas", "--suite", "heldout_v1", "--count", "12", "--out", man)
	if code != 0 {
		t.Fatalf("freeze: exit %d: %s", code, stderr)
	}
	var fr struct {
		ID  string `json:"benchmark_manifest_id"`
		Out string `json:"out"`
	}
	if err := json.Unmarshal([]byte(stdout), &fr); err != nil || !regexp.MustCompile(`^psf-[0-9a-f]{20}$`).MatchString(fr.ID) || fr.Out != man {
		t.Fatalf("freeze stdout %q (%v)", stdout, err)
	}
	if code, stdout, _ := runCLI(t, "verify-freeze", man); code != 0 || !strings.Contains(stdout, `"verified":true`) {
		t.Fatalf("verify-freeze: exit %d: %s", code, stdout)
	}
	out := filepath.Join(dir, "run")
	if code, _, stderr := runCLI(t, "run", "--domain", "support_saas", "--suite", "heldout_v1", "--count", "12", "--freeze-manifest", man, "--out", out); code != 0 {
		t.Fatalf("run --freeze-manifest: exit %d: %s", code, stderr)
	}
	a, _ := os.ReadFile(man)
	b, err := os.ReadFile(filepath.Join(out, "benchmark_manifest.json"))
	if err != nil || string(a) != string(b) {
		t.Errorf("benchmark_manifest.json is not the manifest (%v)", err)
	}
	var md struct {
		Frozen bool           `json:"detector_frozen"`
		Suite  map[string]any `json:"suite_metadata"`
	}
	mb, _ := os.ReadFile(filepath.Join(out, "metadata.json"))
	if err := json.Unmarshal(mb, &md); err != nil || !md.Frozen || md.Suite["detector_freeze_id"] != fr.ID {
		t.Errorf("metadata does not record the freeze: %s", mb)
	}
	if code, stdout, stderr := runCLI(t, "verify-run", out, "--sample", "100"); code != 0 || !strings.Contains(stdout, `"differing":[]`) {
		t.Fatalf("verify-run: exit %d\n%s%s", code, stdout, stderr)
	}

	// A witness edited after the run: verify-run re-executes it and fails.
	ws, _ := filepath.Glob(filepath.Join(out, "witnesses", "*.json"))
	if len(ws) == 0 {
		t.Fatal("no witnesses")
	}
	w, _ := os.ReadFile(ws[0])
	if err := os.WriteFile(ws[0], append(w, ' '), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = runCLI(t, "verify-run", out, "--sample", "100")
	if code != 1 || !strings.Contains(stdout, strings.TrimSuffix(filepath.Base(ws[0]), ".json")) {
		t.Errorf("verify-run after a witness edit: exit %d\n%s", code, stdout)
	}

	// A tampered manifest (one hashed field, stale id).
	var m map[string]any
	if err := json.Unmarshal(a, &m); err != nil {
		t.Fatal(err)
	}
	m["task_count"] = 13
	bad := filepath.Join(dir, "bad.json")
	tb, _ := json.Marshal(m)
	if err := os.WriteFile(bad, tb, 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = runCLI(t, "verify-freeze", bad)
	if code != 1 || !strings.Contains(stdout, `{"field":"task_count","expected":13,"actual":12}`) || !strings.Contains(stdout, `"field":"benchmark_manifest_id"`) {
		t.Errorf("tampered manifest: exit %d: %s", code, stdout)
	}
	// Another suite under the manifest.
	code, _, stderr = runCLI(t, "run", "--domain", "support_saas", "--suite", "heldout_v1", "--count", "11", "--freeze-manifest", man, "--out", filepath.Join(dir, "r2"))
	if code != 1 || !strings.Contains(stderr, "freeze manifest verification failed: generated_count") {
		t.Errorf("run of another count under the manifest: exit %d: %s", code, stderr)
	}
	// Bad input.
	if code, _, _ := runCLI(t, "verify-freeze", filepath.Join(dir, "nope.json")); code != 2 {
		t.Errorf("missing manifest: exit %d, want 2", code)
	}
	if code, _, _ := runCLI(t, "freeze-benchmark", "--domain", "support_saas"); code != 2 {
		t.Errorf("freeze without --out: exit %d, want 2", code)
	}
}
