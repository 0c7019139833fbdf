package strictyaml

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every file a user can point at that cannot be read as a YAML input is an
// Error (exit 2), never a panic or an infrastructure error.
func TestReadFileRejects(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ok.yaml", "a: 1\n")
	if err := os.Mkdir(filepath.Join(dir, "adir.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("loop2.yaml", filepath.Join(dir, "loop1.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("loop1.yaml", filepath.Join(dir, "loop2.yaml")); err != nil {
		t.Fatal(err)
	}
	big, err := os.Create(filepath.Join(dir, "big.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(MaxFileBytes + 1); err != nil {
		t.Fatal(err)
	}
	big.Close()
	write("locked.yaml", "a: 1\n")
	if err := os.Chmod(filepath.Join(dir, "locked.yaml"), 0); err != nil {
		t.Fatal(err)
	}
	fsys := os.DirFS(dir)
	tests := []struct {
		name, want string
	}{
		{"missing.yaml", "no such file"},
		{"adir.yaml", "is a directory"},
		{"loop1.yaml", "symbolic links"},
		{"big.yaml", "over the limit"},
		{"locked.yaml", "permission denied"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "locked.yaml" && os.Geteuid() == 0 {
				t.Skip("running as root: file permissions do not apply")
			}
			_, err := ReadFile(fsys, tc.name, "dom/"+tc.name)
			if err == nil || !IsInputError(err) || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "dom/"+tc.name+": ") {
				t.Fatalf("err = %v, want an input error with %q", err, tc.want)
			}
		})
	}
	if b, err := ReadFile(fsys, "ok.yaml", "ok.yaml"); err != nil || string(b) != "a: 1\n" {
		t.Fatalf("ok.yaml: %q %v", b, err)
	}
}

// A value with a NUL byte or over MaxStringBytes, and a document over
// MaxFileBytes, are rejected with the line.
func TestDecodeLimits(t *testing.T) {
	type doc struct {
		A string         `yaml:"a"`
		M map[string]any `yaml:"m"`
	}
	long := strings.Repeat("x", MaxStringBytes+1)
	tests := []struct {
		name, in, want string
	}{
		{"nul in a value", "a: ok\nm:\n  k: \"x\\0y\"\n", "f.yaml:3: value contains a NUL byte"},
		{"nul in a key", "a: ok\nm:\n  \"k\\0\": 1\n", "f.yaml:3: value contains a NUL byte"},
		{"long value", "a: " + long + "\n", "f.yaml:1: value is 65537 bytes, over the limit of 65536"},
		{"long key under any", "m:\n  ? " + long + "\n  : 1\n", "f.yaml:2: value is 65537 bytes"},
		{"huge document", "a: x\n" + strings.Repeat("#", MaxFileBytes), "f.yaml: file is"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d doc
			err := Decode("f.yaml", []byte(tc.in), &d)
			if err == nil || !IsInputError(err) || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("err = %v, want prefix %q", err, tc.want)
			}
		})
	}
}
