package raigorun

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/policystrata/policystrata/pipeline/trace"
)

// FuzzParseSnapshot feeds arbitrary bytes to the snapshot file parser: it
// must not panic, must reject what is not a snapshot, and what it accepts
// must survive a write and a re-read unchanged (the snapshot sink writes
// exactly what parseSnapshot returns).
func FuzzParseSnapshot(f *testing.F) {
	for _, seed := range []string{
		`{"suite": "S", "cases": {"a": {"engine_mode": "enforce", "evaluation": {"action": "ALLOW", "http_status": 200}, "input": {"prompt": "hi"}}}}`,
		`{"cases": {}}`,
		`{"cases": {"a": {}, "a #2": {"input": {"prompt": "x", "context": {"n": 1.50}}}}}`,
		`null`,
		`[]`,
		`{"cases": {"a": null}}`,
		`{"cases": {"a": 1}}`,
		`{"cases": {}, "extra": 1}`,
		`{"cases": {}} {}`,
		`{"cases": {"a": {"n": 1e400}}}`,
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		stored, err := parseSnapshot(data)
		if err != nil {
			return
		}
		file := snapshotFile{Cases: map[string]json.RawMessage{}}
		for k, v := range stored {
			file.Cases[k] = json.RawMessage(v)
		}
		out, err := trace.CanonicalJSON(file)
		if err != nil {
			t.Fatalf("an accepted snapshot cannot be written: %v", err)
		}
		again, err := parseSnapshot(out)
		if err != nil {
			t.Fatalf("a written snapshot is rejected: %v\n%s", err, out)
		}
		if len(again) != len(stored) {
			t.Fatalf("round trip changed the case count: %d -> %d", len(stored), len(again))
		}
		for k, v := range stored {
			if again[k] != v {
				t.Fatalf("case %q changed on a round trip:\n%s\n%s", k, v, again[k])
			}
		}
	})
}

func TestParseSnapshotRejects(t *testing.T) {
	cases := []struct{ name, data, want string }{
		{"null", `null`, `no "cases" object`},
		{"list", `[]`, "cannot unmarshal"},
		{"unknown field", `{"cases": {}, "extra": 1}`, "unknown field"},
		{"two values", `{"cases": {}} {}`, "more than one JSON value"},
		{"null entry", `{"cases": {"a": null}}`, "must be a JSON object"},
		{"number entry", `{"cases": {"a": 1}}`, "must be a JSON object"},
		{"syntax", `{"cases": {`, "unexpected EOF"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseSnapshot([]byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("parseSnapshot(%s) = %v, want an error containing %q", tc.data, err, tc.want)
			}
		})
	}
}

// TestStaleSnapshotTempRemoved: the temporary snapshot file of a run that
// was killed (its process gone) is removed by the next run; a live
// process's file is left alone.
func TestStaleSnapshotTempRemoved(t *testing.T) {
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skipf("cannot run true: %v", err)
	}
	dir := t.TempDir()
	stale := filepath.Join(dir, fmt.Sprintf(".agent_firewall.snap.json.tmp-%d-1", dead.Process.Pid))
	live := filepath.Join(dir, fmt.Sprintf(".agent_firewall.snap.json.tmp-%d-2", os.Getpid()))
	for _, f := range []string{stale, live} {
		if err := os.WriteFile(f, []byte("{"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mustRun(t, Config{Paths: []string{examples + "/suites/agent_firewall.raigo-test.yaml"}, SnapshotDir: dir})
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the dead run's temporary snapshot is still there: %v", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("a live process's temporary snapshot was removed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "agent_firewall.snap.json")); err != nil {
		t.Errorf("no snapshot written: %v", err)
	}
}

// TestSnapshotPathErrors: a snapshot path that is a file, or a snapshot
// file that is a directory, is bad input naming the path.
func TestSnapshotPathErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "afile")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	snapDir := filepath.Join(dir, "snaps")
	if err := os.MkdirAll(filepath.Join(snapDir, "agent_firewall.snap.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, dir, want string }{
		{"snapshot path is a file", file, file + ": snapshot path exists and is not a directory"},
		{"snapshot file is a directory", snapDir, filepath.Join(snapDir, "agent_firewall.snap.json") + ": cannot read snapshot file: is a directory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(context.Background(), Config{Paths: []string{examples + "/suites/agent_firewall.raigo-test.yaml"}, SnapshotDir: tc.dir})
			if !IsInputError(err) || err.Error() != tc.want {
				t.Fatalf("err = %v, want the input error %q", err, tc.want)
			}
		})
	}
}
