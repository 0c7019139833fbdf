package outdir

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const tool = "testtool"

// sandbox makes a working directory /tmp/X/home/work holding a user file,
// with HOME at /tmp/X/home, and returns the root.
func sandbox(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	work := filepath.Join(root, "home", "work")
	mkfile(t, filepath.Join(work, "precious.txt"))
	t.Setenv("HOME", filepath.Join(root, "home"))
	t.Chdir(work)
	return root
}

func mkfile(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// previousRun makes dir a finished run of tool.
func previousRun(t *testing.T, dir string) {
	t.Helper()
	mkfile(t, filepath.Join(dir, "summary.json"))
	mkfile(t, filepath.Join(dir, MarkerName(tool)))
}

func TestPrepareRefuses(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, root string)
		out   string
		force bool
		want  string
	}{
		{name: "dot", out: ".", force: true, want: "working directory"},
		{name: "dot slash", out: "./", force: true, want: "working directory"},
		{name: "dot dot", out: "..", force: true, want: "working directory"},
		{name: "sub dot dot", out: "sub/..", force: true, want: "working directory",
			setup: func(t *testing.T, _ string) { mkfile(t, "sub/x") }},
		{name: "missing sub dot dot", out: "nosuch/..", force: true, want: "working directory"},
		{name: "root", out: "/", force: true, want: "root directory"},
		{name: "home", out: "~", force: true, want: "home directory",
			setup: func(t *testing.T, root string) {
				// HOME elsewhere than the working directory's ancestors.
				t.Setenv("HOME", filepath.Join(root, "otherhome"))
				mkfile(t, filepath.Join(root, "otherhome", "f"))
			}},
		{name: "symlink to working directory", out: "link", force: true, want: "working directory",
			setup: func(t *testing.T, _ string) {
				wd, _ := os.Getwd()
				if err := os.Symlink(wd, "link"); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "non-empty without marker, forced", out: "data", force: true, want: "not a previous testtool run",
			setup: func(t *testing.T, _ string) { mkfile(t, "data/thesis.tex") }},
		{name: "non-empty without marker", out: "data", want: "not empty",
			setup: func(t *testing.T, _ string) { mkfile(t, "data/thesis.tex") }},
		{name: "previous run without force", out: "run", want: "use --force",
			setup: func(t *testing.T, _ string) { previousRun(t, "run") }},
		{name: "other tool's run", out: "run", force: true, want: "not a previous testtool run",
			setup: func(t *testing.T, _ string) {
				mkfile(t, "run/summary.json")
				mkfile(t, filepath.Join("run", MarkerName("othertool")))
			}},
		{name: "marker is a directory", out: "run", force: true, want: "not a previous testtool run",
			setup: func(t *testing.T, _ string) { mkfile(t, filepath.Join("run", MarkerName(tool), "x")) }},
		{name: "a file", out: "precious.txt", force: true, want: "not a directory"},
		{name: "empty path", out: "", force: true, want: "empty output path"},
		{name: "symlink loop", out: "loop/run", want: "cannot resolve output path",
			setup: func(t *testing.T, _ string) {
				os.Symlink("loop2", "loop")
				os.Symlink("loop", "loop2")
			}},
		{name: "under a file", out: "precious.txt/run", want: "cannot resolve output path"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := sandbox(t)
			if tc.setup != nil {
				tc.setup(t, root)
			}
			out := tc.out
			if out == "~" {
				out = os.Getenv("HOME")
			}
			before := listTree(t, root)
			s, err := Prepare(out, Options{Tool: tool, Force: tc.force})
			if err == nil {
				s.Abort()
				t.Fatalf("Prepare(%q) accepted, want a refusal containing %q", out, tc.want)
			}
			if !IsRefused(err) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Prepare(%q) = %v, want a *RefusedError containing %q", out, err, tc.want)
			}
			if after := listTree(t, root); after != before {
				t.Fatalf("refusal changed the file system:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

func TestPrepareCommit(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T)
		out   string
		force bool
	}{
		{name: "absent", out: "runs/new"},
		{name: "empty directory", out: "empty", setup: func(t *testing.T) { os.Mkdir("empty", 0o755) }},
		{name: "previous run, forced", out: "run", force: true, setup: func(t *testing.T) { previousRun(t, "run") }},
		{name: "previous run through a symlink", out: "link", force: true, setup: func(t *testing.T) {
			previousRun(t, "run")
			os.Symlink("run", "link")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := sandbox(t)
			if tc.setup != nil {
				tc.setup(t)
			}
			s, err := Prepare(tc.out, Options{Tool: tool, Force: tc.force})
			if err != nil {
				t.Fatal(err)
			}
			mkfile(t, filepath.Join(s.Dir, "result.json"))
			if err := s.Commit(); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"result.json", MarkerName(tool)} {
				if _, err := os.Stat(filepath.Join(tc.out, f)); err != nil {
					t.Errorf("after commit: %v", err)
				}
			}
			if _, err := os.Stat(filepath.Join(tc.out, "summary.json")); err == nil {
				t.Errorf("the previous run's files survived the replacement")
			}
			if _, err := os.Stat("precious.txt"); err != nil {
				t.Errorf("user file lost: %v", err)
			}
			if debris := findDebris(t, root); len(debris) > 0 {
				t.Errorf("debris left: %v", debris)
			}
		})
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	root := sandbox(t)
	s, err := Prepare("out", Options{Tool: tool})
	if err != nil {
		t.Fatal(err)
	}
	mkfile(t, filepath.Join(s.Dir, "partial.jsonl"))
	s.Abort()
	if debris := findDebris(t, root); len(debris) > 0 {
		t.Fatalf("debris left: %v", debris)
	}
	if _, err := os.Stat("out"); err == nil {
		t.Fatal("abort created the target")
	}
}

func TestCommitRechecksTarget(t *testing.T) {
	sandbox(t)
	s, err := Prepare("out", Options{Tool: tool, Force: true})
	if err != nil {
		t.Fatal(err)
	}
	// The user fills the target during the run: it is not a run directory.
	mkfile(t, "out/notes.txt")
	if err := s.Commit(); !IsRefused(err) {
		t.Fatalf("Commit = %v, want a refusal", err)
	}
	if _, err := os.Stat("out/notes.txt"); err != nil {
		t.Fatalf("user file lost: %v", err)
	}
	if _, err := os.Stat(s.Dir); err == nil {
		t.Fatal("staging directory left after a refused commit")
	}
}

func TestRemoveStale(t *testing.T) {
	sandbox(t)
	dead := deadPID(t)
	self := strconv.Itoa(os.Getpid())
	d := strconv.Itoa(dead)
	dirs := map[string]bool{ // name -> removed
		".out.tmp-" + d + "-1":     true,  // dead owner, marker
		".out.old-" + d + "-2":     true,  // dead owner, marker
		".out.tmp-" + d + "-3":     true,  // dead owner, empty
		".out.tmp-" + d + "-4":     false, // dead owner, foreign content
		".out.tmp-" + self + "-5":  false, // live owner
		".other.tmp-" + d + "-6":   false, // another target
		".out.tmp-" + d:            false, // not the pid-rand form
		".out.tmp-x-7":             false,
		"out.tmp-" + d + "-8":      false,
		".out.tmp-" + d + "-9-abc": true,
	}
	for name := range dirs {
		switch {
		case strings.HasSuffix(name, "-3"):
			os.Mkdir(name, 0o755)
		case strings.HasSuffix(name, "-4"):
			mkfile(t, filepath.Join(name, "mine.txt"))
		default:
			mkfile(t, filepath.Join(name, MarkerName(tool)))
		}
	}
	RemoveStale(".", "out", tool)
	for name, removed := range dirs {
		_, err := os.Stat(name)
		if gone := os.IsNotExist(err); gone != removed {
			t.Errorf("%s: removed=%v, want %v", name, gone, removed)
		}
	}
}

// deadPID returns the pid of a process that has exited and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("cannot run true: %v", err)
	}
	pid := cmd.Process.Pid
	if alive(pid) {
		t.Skipf("pid %d was reused", pid)
	}
	return pid
}

func TestStalePID(t *testing.T) {
	cases := []struct {
		name string
		pid  int
		ok   bool
	}{
		{".out.tmp-12-abc", 12, true},
		{".out.old-12-abc", 12, true},
		{".out.tmp-12", 0, false},
		{".out.tmp--12-a", 0, false},
		{".out.tmp-0-a", 0, false},
		{".outx.tmp-12-a", 0, false},
		{"out.tmp-12-a", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pid, ok := stalePID(tc.name, "out")
			if pid != tc.pid || ok != tc.ok {
				t.Fatalf("stalePID(%q) = %d, %v; want %d, %v", tc.name, pid, ok, tc.pid, tc.ok)
			}
		})
	}
}

// listTree lists every path under root with its size, one a line.
func listTree(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		b.WriteString(rel + " " + strconv.FormatInt(info.Size(), 10) + "\n")
		return nil
	})
	return b.String()
}

// findDebris lists staging and displaced directories under root.
func findDebris(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err == nil && (strings.Contains(info.Name(), tmpPart) || strings.Contains(info.Name(), oldPart)) {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func TestRemoveStaleFiles(t *testing.T) {
	sandbox(t)
	d := strconv.Itoa(deadPID(t))
	self := strconv.Itoa(os.Getpid())
	files := map[string]bool{ // name -> removed
		".s.snap.json.tmp-" + d + "-1":    true,
		".s.snap.json.tmp-" + self + "-2": false, // live owner
		".s.snap.json.old-" + d + "-3":    false, // files are only staged as .tmp-
		".t.snap.json.tmp-" + d + "-4":    false, // another file
		"s.snap.json":                     false,
	}
	for name := range files {
		mkfile(t, name)
	}
	os.Mkdir(".s.snap.json.tmp-"+d+"-5", 0o755) // a directory is not a staged file
	RemoveStaleFiles("s.snap.json")
	for name, removed := range files {
		_, err := os.Stat(name)
		if gone := os.IsNotExist(err); gone != removed {
			t.Errorf("%s: removed=%v, want %v", name, gone, removed)
		}
	}
	if _, err := os.Stat(".s.snap.json.tmp-" + d + "-5"); err != nil {
		t.Error("a directory was removed")
	}
	if p := TempFilePattern("dir/s.snap.json"); p != ".s.snap.json.tmp-"+self+"-*" {
		t.Errorf("TempFilePattern = %q", p)
	}
}
