package oracle_test

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/policystrata/policystrata/"

// forbidden are the packages whose code the oracle judges or that judge
// with it: the layers and their resolution, the database, the catalog of
// faults, the detector, the measurements and the evaluator.
var forbidden = []string{
	"pipeline/resolve", "pipeline/layers", "pipeline/db", "pipeline/catalog", "pipeline/detect",
	"pipeline/evaluate", "pipeline/observe", "pipeline/measure", "pipeline/minimize", "pipeline/run", "suites",
}

// deps lists the packages pkg (a path relative to the module root) imports,
// directly or not, test files excluded.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("find the go command: %v", err)
	}
	cmd := exec.Command(goBin, "list", "-deps", "-f", "{{.ImportPath}}", "./"+pkg)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./%s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

// reached lists the forbidden packages among pkg's dependencies.
func reached(t *testing.T, pkg string) []string {
	var out []string
	for _, d := range deps(t, pkg) {
		for _, f := range forbidden {
			if d == module+f || strings.HasPrefix(d, module+f+"/") {
				out = append(out, d)
			}
		}
	}
	return out
}

// TestOracleSharesNoResolutionCode: the oracle's dependency graph does not
// reach the layers' resolution (pipeline/resolve), the layers, the
// database, the catalog, the detector or the evaluator, so a fault planted
// there cannot change a canonical decision or a reference answer. The check
// is live: the layers' graph does reach pipeline/resolve.
func TestOracleSharesNoResolutionCode(t *testing.T) {
	tests := []struct {
		pkg  string
		want []string // forbidden packages reached
	}{
		{"pipeline/oracle", nil},
		{"pipeline/layers", []string{module + "pipeline/db", module + "pipeline/layers", module + "pipeline/observe", module + "pipeline/resolve"}},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			got := reached(t, tt.pkg)
			sort.Strings(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s reaches forbidden packages %v, want %v", tt.pkg, got, tt.want)
			}
		})
	}
}

// specAllowed are the spec functions and methods the oracle may call: pure
// data accessors that look a name up or split one, and say nothing about
// what the data means. Name and join resolution, fan-out, ownership chains,
// sampling factors and date parsing are the oracle's own.
var specAllowed = map[string]bool{
	"Schema.Table":   true,
	"Table.Column":   true,
	"Table.FK":       true,
	"SplitQualified": true,
	"SortedKeys":     true,
}

// specCalls type-checks the package in dir (test files excluded) and lists,
// sorted and with their positions, every use of a function or method of
// the spec package.
func specCalls(t *testing.T, dir string) map[string][]string {
	t.Helper()
	fset := token.NewFileSet()
	matches, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, m := range matches {
		if strings.HasSuffix(m, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, m, nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", m, err)
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		t.Fatalf("no Go files in %s", dir)
	}
	info := &types.Info{Uses: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	if _, err := conf.Check(files[0].Name.Name, fset, files, info); err != nil {
		t.Fatalf("type-check %s: %v", dir, err)
	}
	out := map[string][]string{}
	for id, obj := range info.Uses {
		fn, ok := obj.(*types.Func)
		if !ok || fn.Pkg() == nil || fn.Pkg().Path() != module+"pipeline/spec" {
			continue
		}
		name := fn.Name()
		if recv := fn.Signature().Recv(); recv != nil {
			rt := recv.Type()
			if p, ok := rt.(*types.Pointer); ok {
				rt = p.Elem()
			}
			if n, ok := rt.(*types.Named); ok {
				name = n.Obj().Name() + "." + name
			}
		}
		out[name] = append(out[name], fset.Position(id.Pos()).String())
	}
	for _, pos := range out {
		sort.Strings(pos)
	}
	return out
}

// TestOracleCallsOnlySpecDataAccessors: the oracle's own files call no spec
// function or method beyond specAllowed. A fixture package that calls
// resolution helpers shows the check can fail.
func TestOracleCallsOnlySpecDataAccessors(t *testing.T) {
	tests := []struct {
		dir  string
		want []string // disallowed uses
	}{
		{".", nil},
		{"testdata/uses_spec", []string{"Schema.Table", "SemanticQuery.Normalized", "ParseDate"}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			var bad []string
			calls := specCalls(t, tt.dir)
			for name, pos := range calls {
				if !specAllowed[name] {
					bad = append(bad, name)
					if tt.want == nil {
						t.Errorf("the oracle uses spec's %s (at %s); resolve it from the raw data in the oracle's own code", name, strings.Join(pos, ", "))
					}
				}
			}
			if tt.want != nil {
				sort.Strings(bad)
				want := slices.Clone(tt.want)
				sort.Strings(want)
				// the fixture also uses an allowed accessor, which must pass
				want = slices.DeleteFunc(want, func(s string) bool { return specAllowed[s] })
				if !slices.Equal(bad, want) {
					t.Errorf("disallowed uses in %s: %v, want %v", tt.dir, bad, want)
				}
				if len(calls["Schema.Table"]) == 0 {
					t.Errorf("the fixture's allowed Schema.Table call was not seen")
				}
			}
		})
	}
}
