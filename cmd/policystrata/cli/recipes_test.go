package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/policystrata/policystrata/pipeline/run"
)

// shellWords splits a command line as sh would for the recipes' plain
// commands: backslash-newline joins lines, single and double quotes group
// words (no expansions but the ones the test substitutes first).
func shellWords(s string) ([]string, error) {
	s = strings.ReplaceAll(s, "\\\n", " ")
	var out []string
	var cur strings.Builder
	in, quote := false, rune(0)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, in = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed quote in %q", s)
	}
	if in {
		out = append(out, cur.String())
	}
	return out, nil
}

// policystrataCalls finds the policystrata invocations in a shell script:
// for each line (after joining continuations) whose program is the
// binary, its arguments, cut at a pipe.
func policystrataCalls(t *testing.T, script string) [][]string {
	t.Helper()
	var calls [][]string
	for _, line := range strings.Split(strings.ReplaceAll(script, "\\\n", " "), "\n") {
		line, _, _ = strings.Cut(line, "|")
		words, err := shellWords(line)
		if err != nil {
			t.Fatal(err)
		}
		if len(words) > 0 && (words[0] == "policystrata" || strings.HasSuffix(words[0], "/policystrata")) {
			calls = append(calls, words[1:])
		}
	}
	return calls
}

// acceptFlags fails unless args parse as the named policystrata command's
// flags (and its --shard value, if any, as a shard), returning the shard.
func acceptFlags(t *testing.T, where string, args []string) (run.Shard, bool) {
	t.Helper()
	if len(args) == 0 {
		t.Fatalf("%s: policystrata without a command", where)
	}
	root := newRoot(io.Discard, io.Discard)
	cmd, rest, err := root.Find(args)
	if err != nil || cmd == root {
		t.Fatalf("%s: unknown command %q", where, args[0])
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Fatalf("%s: %v: %v", where, args, err)
	}
	f := cmd.Flags().Lookup("shard")
	if f == nil || !f.Changed {
		return run.Shard{}, false
	}
	sh, err := run.ParseShard(f.Value.String())
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	return sh, true
}

// The GitHub Actions recipe: every policystrata call parses, the shard
// jobs' --shard values cover 0..n-1 of one n exactly (one per matrix
// entry), and the merge job merges the dataset the shards upload.
func TestRecipeGitHubActions(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", ".github", "workflows", "shards.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Needs    any `yaml:"needs"`
			Strategy struct {
				Matrix map[string][]any `yaml:"matrix"`
			} `yaml:"strategy"`
			Steps []struct {
				Run  string         `yaml:"run"`
				Uses string         `yaml:"uses"`
				With map[string]any `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&wf); err != nil {
		// unknown top-level keys (on, env, name) are fine: decode loosely
		if err := yaml.Unmarshal(b, &wf); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"$COUNT": "2000", "$SEED": "7", `"$COUNT"`: "2000", `"$SEED"`: "7"}
	shardJob, ok := wf.Jobs["shard"]
	if !ok {
		t.Fatal("no shard job")
	}
	matrix := shardJob.Strategy.Matrix["shard"]
	if len(matrix) == 0 {
		t.Fatal("the shard job has no shard matrix")
	}
	seen := map[int]bool{}
	n := 0
	for _, m := range matrix {
		for _, st := range shardJob.Steps {
			script := strings.ReplaceAll(st.Run, "${{ matrix.shard }}", fmt.Sprint(m))
			for k, v := range env {
				script = strings.ReplaceAll(script, k, v)
			}
			for _, call := range policystrataCalls(t, script) {
				sh, ok := acceptFlags(t, "shards.yml shard job", call)
				if !ok {
					continue
				}
				if n != 0 && sh.Count != n {
					t.Errorf("matrix entry %v: --shard %s, other entries have n=%d", m, sh, n)
				}
				n = sh.Count
				if seen[sh.Index] {
					t.Errorf("shard %d run twice", sh.Index)
				}
				seen[sh.Index] = true
			}
		}
	}
	if n != len(matrix) || len(seen) != n {
		t.Errorf("the matrix runs shards %v of n=%d; want each of 0..%d once", seen, n, len(matrix)-1)
	}
	mergeJob, ok := wf.Jobs["merge"]
	if !ok || fmt.Sprint(mergeJob.Needs) != "shard" {
		t.Fatalf("no merge job after the shard job: %+v", mergeJob.Needs)
	}
	merged := false
	for _, st := range mergeJob.Steps {
		for _, call := range policystrataCalls(t, st.Run) {
			acceptFlags(t, "shards.yml merge job", call)
			if call[0] == "merge" {
				merged = true
				if call[1] != "dataset" {
					t.Errorf("merge reads %q, the shards are downloaded to dataset", call[1])
				}
			}
		}
	}
	if !merged {
		t.Error("the merge job never runs policystrata merge")
	}
}

// The Kubernetes recipe: the Indexed Job passes JOB_COMPLETION_INDEX as
// --shard INDEX/n with n its completions, every index parses, and the
// merge Job's command parses and reads the directory the shards write.
func TestRecipeKubernetes(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "deploy", "kubernetes")
	type container struct {
		Command []string `yaml:"command"`
		Args    []string `yaml:"args"`
	}
	type job struct {
		Kind     string `yaml:"kind"`
		Metadata struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
		Spec struct {
			CompletionMode string `yaml:"completionMode"`
			Completions    int    `yaml:"completions"`
			Parallelism    int    `yaml:"parallelism"`
			Template       struct {
				Spec struct {
					Containers []container `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	var jobs []job
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var j job
			err := dec.Decode(&j)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if j.Kind == "Job" {
				jobs = append(jobs, j)
			}
		}
	}
	// the words a container runs: command and args, through sh -c
	words := func(c container) []string {
		all := append(append([]string{}, c.Command...), c.Args...)
		if len(all) >= 3 && all[0] == "sh" && all[1] == "-c" {
			w, err := shellWords(strings.Join(all[2:], " "))
			if err != nil {
				t.Fatal(err)
			}
			return w
		}
		return all
	}
	var out, mergeIn string
	for _, j := range jobs {
		for _, c := range j.Spec.Template.Spec.Containers {
			w := words(c)
			if len(w) == 0 || w[0] != "policystrata" {
				t.Fatalf("job %s: container runs %v", j.Metadata.Name, w)
			}
			if j.Spec.CompletionMode != "Indexed" {
				acceptFlags(t, "job "+j.Metadata.Name, w[1:])
				if w[1] == "merge" {
					mergeIn = w[2]
				}
				continue
			}
			if j.Spec.Completions < 1 || j.Spec.Parallelism > j.Spec.Completions {
				t.Errorf("job %s: completions %d, parallelism %d", j.Metadata.Name, j.Spec.Completions, j.Spec.Parallelism)
			}
			joined := strings.Join(w, " ")
			if !strings.Contains(joined, "${JOB_COMPLETION_INDEX}/") {
				t.Fatalf("job %s does not pass JOB_COMPLETION_INDEX to --shard: %s", j.Metadata.Name, joined)
			}
			for i := range j.Spec.Completions {
				args := make([]string, len(w)-1)
				for k, a := range w[1:] {
					args[k] = strings.ReplaceAll(a, "${JOB_COMPLETION_INDEX}", strconv.Itoa(i))
				}
				sh, ok := acceptFlags(t, "job "+j.Metadata.Name, args)
				if !ok || sh != (run.Shard{Index: i, Count: j.Spec.Completions}) {
					t.Errorf("index %d runs shard %v, want %d/%d", i, sh, i, j.Spec.Completions)
				}
			}
			if m := regexp.MustCompile(`--out[ =](\S+)`).FindStringSubmatch(joined); m != nil {
				out = m[1]
			}
		}
	}
	if out == "" || mergeIn != out {
		t.Errorf("the shards write %q but the merge Job reads %q", out, mergeIn)
	}
}
