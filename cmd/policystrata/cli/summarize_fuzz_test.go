package cli

import (
	"strings"
	"testing"
)

// TestDecodeTraceLineRejects: lines that are not one trace object are
// errors (a null line used to count as an empty trace).
func TestDecodeTraceLineRejects(t *testing.T) {
	for _, in := range []string{"null", "", "[]", "{}", `{"task_id":"a"} {}`, `{"task_id":"a","nope":1}`, `"x"`, "1"} {
		if _, err := decodeTraceLine([]byte(in)); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
	if tr, err := decodeTraceLine([]byte(`{"task_id":"a"}`)); err != nil || tr.TaskID != "a" {
		t.Errorf("minimal trace: %v %v", tr.TaskID, err)
	}
}

// FuzzDecodeTraceLine: any line either decodes to a trace with a task id
// or is an error; never a panic.
func FuzzDecodeTraceLine(f *testing.F) {
	for _, s := range []string{"null", `{"task_id":"a"}`, `{"task_id":"a","witness_class":"clean","findings":[]}`, "{", strings.Repeat("[", 100)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tr, err := decodeTraceLine(b)
		if err == nil && tr.TaskID == "" {
			t.Fatal("accepted a trace without a task id")
		}
	})
}
