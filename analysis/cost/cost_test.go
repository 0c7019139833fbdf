package cost

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

func writeRun(t testing.TB, runJSON, rss string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if runJSON != "" {
		if err := os.WriteFile(filepath.Join(dir, "run.json"), []byte(runJSON), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if rss != "" {
		if err := os.WriteFile(dir+RSSSuffix, []byte(rss), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestMeasure(t *testing.T) {
	cases := []struct {
		name, runJSON, rss string
		want               Measured
		bad                bool
	}{
		{"counters and memory", `{"tasks": 50, "total_ms": 2500, "workers": 2, "other": {"x": 1}}`, "81234\n", Measured{Run: "r", Tasks: 50, Workers: 2, TotalMS: 2500, PeakRSSKiB: 81234}, false},
		{"time's status line first", `{"tasks": 4, "total_ms": 10}`, "Command exited with non-zero status 1\n512\n", Measured{Run: "r", Tasks: 4, TotalMS: 10, PeakRSSKiB: 512}, false},
		{"no memory file", `{"tasks": 4, "total_ms": 10}`, "", Measured{Run: "r", Tasks: 4, TotalMS: 10}, false},
		{"no run.json", "", "", Measured{}, true},
		{"no tasks", `{"total_ms": 10}`, "", Measured{}, true},
		{"not JSON", `{`, "", Measured{}, true},
		{"memory not a number", `{"tasks": 4, "total_ms": 10}`, "lots\n", Measured{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Measure("r", writeRun(t, tc.runJSON, tc.rss))
			var se *strictyaml.Error
			switch {
			case tc.bad && !errors.As(err, &se):
				t.Fatalf("want a path error, got %v", err)
			case !tc.bad && err != nil:
				t.Fatal(err)
			case !tc.bad && got != tc.want:
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	if tp := (Measured{Tasks: 50, TotalMS: 2500}).TracesPerSecond(); tp != 20 {
		t.Errorf("throughput %v, want 20", tp)
	}
}

func TestScalingFigures(t *testing.T) {
	figs, err := ScalingFigures([]Measured{{Tasks: 200, TotalMS: 1000, PeakRSSKiB: 2048}, {Tasks: 100, TotalMS: 600}})
	if err != nil || len(figs) != 2 || figs[0].Name != "scaling_throughput" || figs[1].Name != "scaling_memory" {
		t.Fatalf("figures %v, %v", figs, err)
	}
}

func FuzzMeasure(f *testing.F) {
	f.Add([]byte(`{"tasks": 5, "total_ms": 1.5}`), []byte("100\n"))
	f.Add([]byte(`{"tasks": "x"}`), []byte(""))
	f.Fuzz(func(t *testing.T, runJSON, rss []byte) {
		dir := filepath.Join(t.TempDir(), "run")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		_ = os.WriteFile(filepath.Join(dir, "run.json"), runJSON, 0o644)
		if len(rss) > 0 {
			_ = os.WriteFile(dir+RSSSuffix, rss, 0o644)
		}
		m, err := Measure("r", dir)
		if err == nil {
			_ = MeasuredTable("t", "t", []Measured{m})
		}
	})
}
