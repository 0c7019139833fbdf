package detect_test

import (
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/pipeline/observe"
)

// The detector cannot reach the operator catalog, the suites, the layer
// variants or the evaluator: they are not among its dependencies.
func TestDetectorCannotImportLabels(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	forbidden := []string{"/pipeline/catalog", "/suites", "/pipeline/layers", "/pipeline/evaluate", "/pipeline/run", "/pipeline/minimize"}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if strings.HasSuffix(dep, f) || strings.Contains(dep, f+"/") {
				t.Errorf("detector depends on %s", dep)
			}
		}
	}
}

// Nothing the detector reads can carry a mutation, an operator, a surface
// version or an expected label.
func TestObservationHasNoLabelFields(t *testing.T) {
	bad := []string{"mutation", "operator", "expected", "version", "variant"}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type, path string)
	walk = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] {
			return
		}
		seen[typ] = true
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			name := strings.ToLower(f.Name + " " + f.Tag.Get("json"))
			for _, b := range bad {
				if strings.Contains(name, b) {
					t.Errorf("%s.%s could carry a label (%q)", path, f.Name, b)
				}
			}
			walk(f.Type, path+"."+f.Name)
		}
	}
	walk(reflect.TypeOf(observe.Observation{}), "Observation")
	if len(seen) < 10 {
		t.Fatalf("walked only %d struct types; the walk is broken", len(seen))
	}
}
