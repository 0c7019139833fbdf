package domains_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/pipeline/spec"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// inputError asserts err is (or wraps) a *strictyaml.Error, the kind of
// error the CLI reports as bad input (exit code 2), and returns it.
func inputError(t *testing.T, err error) *strictyaml.Error {
	t.Helper()
	if err == nil {
		t.Fatal("got nil error")
	}
	var e *strictyaml.Error
	if !errors.As(err, &e) || !strictyaml.IsInputError(err) {
		t.Fatalf("error %v (%T) is not a *strictyaml.Error", err, err)
	}
	return e
}

func TestNames(t *testing.T) {
	names := domains.Names()
	if want := []string{"analytics_clickhouse", "finance_saas", "support_saas"}; !reflect.DeepEqual(names, want) {
		t.Errorf("Names() = %v, want %v", names, want)
	}
	if !sort.StringsAreSorted(names) {
		t.Errorf("Names() = %v is not sorted", names)
	}
	for _, n := range names {
		if !spec.ValidID(n) {
			t.Errorf("built-in domain name %q is not a safe id", n)
		}
		t.Run(n, func(t *testing.T) {
			d, err := domains.Load(n)
			if err != nil {
				t.Fatalf("Load(%s): %v", n, err)
			}
			if d.Name != n || d.Label != "builtin:"+n {
				t.Errorf("Name/Label = %q/%q", d.Name, d.Label)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	for _, name := range domains.Names() {
		t.Run(name, func(t *testing.T) { testLoadBuiltin(t, name) })
	}
	for _, name := range []string{"nope", "", "../support_saas", "support_saas/tasks", "Support_SaaS", "finance_saas/tasks", "../finance_saas"} {
		t.Run("unknown "+name, func(t *testing.T) {
			_, err := domains.Load(name)
			e := inputError(t, err)
			if want := name + ": unknown built-in domain (built-in: analytics_clickhouse, finance_saas, support_saas)"; err.Error() != want || e.Line != 0 {
				t.Errorf("error = %q, want %q", err, want)
			}
			if _, err := domains.Builtin(name); err == nil {
				t.Errorf("Builtin(%q) succeeded", name)
			}
		})
	}
}

// testLoadBuiltin checks that built-in domain name loads completely, that its
// hashes are those of the embedded files, and that the embedded files are the
// files on disk.
func testLoadBuiltin(t *testing.T, name string) {
	d, err := domains.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Hashes) != len(spec.DomainFiles) || d.Policy == nil || d.Schema == nil || d.Surfaces == nil || d.State == nil {
		t.Fatalf("incomplete domain: %+v", d)
	}
	fsys, err := domains.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range spec.DomainFiles {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			t.Fatal(err)
		}
		if d.Hashes[f] != spec.SHA256Hex(data) {
			t.Errorf("Hashes[%s] does not match the embedded file", f)
		}
		disk, err := os.ReadFile(filepath.Join(name, f))
		if err != nil {
			t.Fatal(err)
		}
		if string(disk) != string(data) {
			t.Errorf("embedded %s differs from the file on disk", f)
		}
	}
	for _, suite := range []string{"tasks/seeded.yaml", "tasks/controls.yaml"} {
		embedded, err := fs.ReadFile(d.FS, suite)
		if err != nil {
			t.Errorf("domain FS lacks %s: %v", suite, err)
			continue
		}
		if disk, err := os.ReadFile(filepath.Join(name, suite)); err != nil || string(disk) != string(embedded) {
			t.Errorf("embedded %s differs from the file on disk (%v)", suite, err)
		}
	}
	again, err := domains.Load(name)
	if err != nil || !reflect.DeepEqual(again.Hashes, d.Hashes) {
		t.Errorf("a second Load differs: %v", err)
	}
}

func TestLoadDirErrors(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "policy.yaml")
	if err := os.WriteFile(file, []byte("version: v1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badName := filepath.Join(tmp, "bad name")
	if err := os.Mkdir(badName, 0o755); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(tmp, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir, want string
	}{
		{"missing directory", filepath.Join(tmp, "missing"), filepath.Join(tmp, "missing") + ": domain directory does not exist"},
		{"a file", file, file + ": not a directory"},
		{"unsafe directory name", badName, badName + `: directory name "bad name" is not a safe domain id`},
		{"directory without the files", empty, empty + "/policy.yaml: missing domain file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := domains.LoadDir(tt.dir)
			inputError(t, err)
			if err.Error() != tt.want {
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestWriteOutThenLoadDir(t *testing.T) {
	builtin, err := domains.Load("support_saas")
	if err != nil {
		t.Fatal(err)
	}
	fsys, _ := domains.Builtin("support_saas")
	parent := t.TempDir()
	for _, dir := range []string{
		filepath.Join(parent, "my_domain"),
		filepath.Join(parent, "nested", "deeper", "other-domain"),
	} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			if err := domains.WriteOut("support_saas", dir); err != nil {
				t.Fatalf("WriteOut: %v", err)
			}
			d, err := domains.LoadDir(dir)
			if err != nil {
				t.Fatalf("LoadDir: %v", err)
			}
			if d.Name != filepath.Base(dir) || d.Label != dir {
				t.Errorf("Name/Label = %q/%q", d.Name, d.Label)
			}
			if !reflect.DeepEqual(d.Hashes, builtin.Hashes) {
				t.Errorf("written domain hashes %v differ from the built-in %v", d.Hashes, builtin.Hashes)
			}
			// every embedded file is written byte for byte, nothing else
			want := map[string]string{}
			fs.WalkDir(fsys, ".", func(p string, e fs.DirEntry, err error) error {
				if err == nil && !e.IsDir() {
					data, _ := fs.ReadFile(fsys, p)
					want[p] = string(data)
				}
				return err
			})
			got := map[string]string{}
			filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
				if err == nil && !e.IsDir() {
					data, _ := os.ReadFile(p)
					rel, _ := filepath.Rel(dir, p)
					got[filepath.ToSlash(rel)] = string(data)
				}
				return err
			})
			if !reflect.DeepEqual(got, want) {
				t.Errorf("written files %v, want %v", keys(got), keys(want))
			}
			if _, ok := got["tasks/seeded.yaml"]; !ok {
				t.Errorf("tasks/seeded.yaml not written")
			}
			noTemp(t, filepath.Dir(dir))
		})
	}
	t.Run("into an existing empty directory", func(t *testing.T) {
		dir := filepath.Join(parent, "empty_target")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := domains.WriteOut("support_saas", dir); err != nil {
			t.Fatalf("WriteOut: %v", err)
		}
		if _, err := domains.LoadDir(dir); err != nil {
			t.Fatalf("LoadDir: %v", err)
		}
	})
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// noTemp fails if WriteOut left its temporary directory behind.
func noTemp(t *testing.T, parent string) {
	t.Helper()
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".init-domain-") {
			t.Errorf("temporary directory %s left in %s", e.Name(), parent)
		}
	}
}

func TestWriteOutRefuses(t *testing.T) {
	parent := t.TempDir()
	t.Run("non-empty directory", func(t *testing.T) {
		dir := filepath.Join(parent, "busy")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		keep := filepath.Join(dir, "notes.txt")
		if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
		err := domains.WriteOut("support_saas", dir)
		inputError(t, err)
		if want := dir + ": output directory exists and is not empty"; err.Error() != want {
			t.Errorf("error = %q, want %q", err, want)
		}
		if data, err := os.ReadFile(keep); err != nil || string(data) != "mine" {
			t.Errorf("existing file changed: %q, %v", data, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "policy.yaml")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("WriteOut wrote into a non-empty directory")
		}
		noTemp(t, parent)
	})
	t.Run("unknown domain", func(t *testing.T) {
		dir := filepath.Join(parent, "never")
		err := domains.WriteOut("nope", dir)
		inputError(t, err)
		if !strings.HasPrefix(err.Error(), "nope: unknown built-in domain") {
			t.Errorf("error = %q", err)
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("WriteOut of an unknown domain created %s", dir)
		}
	})
}

// TestWriteOutRefusesExistingFile: WriteOut's target must not exist or be an
// empty directory. A regular file at the target path is neither, yet the
// os.ReadDir check fails on it, the error is ignored, and os.Remove(dir)
// deletes the user's file before the rename.
func TestWriteOutRefusesExistingFile(t *testing.T) {
	parent := t.TempDir()
	target := filepath.Join(parent, "out")
	if err := os.WriteFile(target, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := domains.WriteOut("support_saas", target)
	if err == nil || !strictyaml.IsInputError(err) {
		t.Errorf("WriteOut onto a file: error %v, want an input error", err)
	}
	if data, err := os.ReadFile(target); err != nil || string(data) != "precious" {
		t.Errorf("the file at the target was destroyed: %q, %v", data, err)
	}
}
