package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The hidden profiling flags write gzip-compressed pprof files of the
// command, and a profile path that cannot be created is bad input.
func TestProfileFlags(t *testing.T) {
	dir := t.TempDir()
	paths := map[string]string{}
	args := []string{"run", "--domain", "support_saas", "--suite", "seeded", "--no-minimize", "--quiet", "--out", filepath.Join(dir, "run")}
	for _, flag := range []string{"cpuprofile", "memprofile", "blockprofile"} {
		paths[flag] = filepath.Join(dir, flag+".pb.gz")
		args = append(args, "--"+flag, paths[flag])
	}
	if code, _, stderr := runCLI(t, args...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for flag, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("--%s: %v", flag, err)
		}
		if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
			t.Errorf("--%s wrote %d bytes that are not a gzip-compressed profile", flag, len(b))
		}
	}
	code, _, stderr := runCLI(t, "run", "--domain", "support_saas", "--suite", "seeded", "--no-minimize", "--quiet",
		"--out", filepath.Join(dir, "run2"), "--cpuprofile", filepath.Join(dir, "missing", "cpu.pb.gz"))
	if code != 2 {
		t.Errorf("an uncreatable --cpuprofile path: exit %d, want 2 (%s)", code, stderr)
	}
}
