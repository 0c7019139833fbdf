package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPolicyPointingAtAnyFile: a suite whose policy: names a file that is
// not a policy prints the path and the parse error only, never the file's
// content (issue 9 item 6: about 1.6 KB of /etc/passwd used to be echoed).
func TestPolicyPointingAtAnyFile(t *testing.T) {
	const secret = "s3cr3t-t0ken"
	var long strings.Builder
	for range 60 {
		long.WriteString("root:x:0:0:" + secret + ":/root:/bin/bash\n")
	}
	cases := []struct {
		name, content, want string
	}{
		{"passwd-like text", long.String(), "file does not contain a valid YAML object (found a string)"},
		{"one long line", strings.Repeat(secret+" ", 200), "file does not contain a valid YAML object (found a string)"},
		{"number", "12345678901234567890" + "\n", "file does not contain a valid YAML object (found an integer)"},
		{"foreign YAML mapping", "database:\n  password: " + secret + "\n  host: db\nreplicas: 3\n" + secret + ": 1\n", "not a .raigo policy"},
		{"list", "- " + secret + "\n- b\n", "file does not contain a valid YAML object (found a list)"},
		{"binary", "\x7fELF\x02\x01\x01\x00" + secret + "\x00\x00", "invalid YAML"},
		{"syntax error", "a: 1\nb: " + secret + ": 2\n", "invalid YAML: mapping values are not allowed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			target := filepath.Join(dir, "target.txt")
			if err := os.WriteFile(target, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			suite := filepath.Join(dir, "s.raigo-test.yaml")
			body := "suite: S\npolicy: target.txt\ncases:\n  - name: a\n    input: {prompt: x}\n    expect: {action: allow}\n"
			if err := os.WriteFile(suite, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			code, _, stderr := runCLI(t, "", "test", suite)
			if code != ExitBadInput || !strings.Contains(stderr, target) || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit 2 naming %s and %q", code, stderr, target, tc.want)
			}
			if strings.Contains(stderr, secret) || len(stderr) > 300 {
				t.Fatalf("the error repeats the file's content (%d bytes): %q", len(stderr), stderr)
			}
		})
	}
}
