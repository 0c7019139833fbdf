package suites_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
	"github.com/policystrata/policystrata/suites"
)

// TestReferenceSeededLoadsUnchanged parses the Python reference's
// support_saas seeded suite, byte for byte, and expects the same tasks as
// the built-in suite.
func TestReferenceSeededLoadsUnchanged(t *testing.T) {
	d := support(t)
	data, err := os.ReadFile("testdata/reference/support_saas_seeded.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := suites.Parse(d, "seeded", "support_saas_seeded.yaml", data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	builtin, err := suites.Load(d, "seeded")
	if err != nil {
		t.Fatal(err)
	}
	got, want := collect(ref), collect(builtin)
	for i := range got {
		got[i].Source = ""
	}
	for i := range want {
		want[i].Source = ""
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reference seeded tasks differ from the built-in ones (-builtin +reference):\n%s", diff)
	}
}

// TestSpecFormatSuite parses the reference's spec-format suite: explicit
// tasks with domain and policy_version, and a suite_metadata block.
func TestSpecFormatSuite(t *testing.T) {
	d := support(t)
	data, err := os.ReadFile("testdata/reference/spec_blind.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := suites.Parse(d, "spec_blind", "spec_blind.yaml", data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	tasks := collect(s)
	if len(tasks) != 14 || s.Count() != 14 {
		t.Fatalf("got %d tasks (Count %d), want 14", len(tasks), s.Count())
	}
	first := tasks[0]
	if first.ID != "sb-manifest-alias-01" || first.Domain != "support_saas" || first.SurfaceVersions["manifest"] != "v6" ||
		first.ExpectedContainmentLayer != "validator" || first.SemanticQuery.Metric != "bookings" {
		t.Errorf("first task = %+v", first)
	}
	md := s.Metadata()
	wantMD := map[string]any{
		"provenance":                     "hand_authored",
		"evidence_level":                 "blinded_suite",
		"detector_frozen":                false,
		"detector_freeze_id":             nil,
		"authored_after_detector_freeze": false,
	}
	for k, v := range wantMD {
		if md[k] != v {
			t.Errorf("metadata[%s] = %v, want %v", k, md[k], v)
		}
	}
	notes, ok := md["notes"].([]any)
	if !ok || len(notes) != 3 || !strings.HasPrefix(notes[0].(string), "spec-blind authored") {
		t.Errorf("metadata notes = %#v, want the file's three notes", md["notes"])
	}
}

func TestReferenceFieldErrors(t *testing.T) {
	d := support(t)
	const task = `tasks:
  - id: t1
    domain: %DOMAIN%
    principal: acme_analyst
    request: r
    policy_version: %TASKPV%
    mutation: none
    semantic_query: {metric: ticket_count}
`
	build := func(head, domain, taskPV string) string {
		r := strings.NewReplacer("%DOMAIN%", domain, "%TASKPV%", taskPV)
		return head + r.Replace(task)
	}
	cases := []struct {
		name, data, want string
		line             int
	}{
		{"other domain", build("suite: x\n", "finance_saas", "v7"), `task t1 is written for domain "finance_saas", but the domain being run is support_saas`, 3},
		{"task policy version", build("suite: x\n", "support_saas", "v6"), `task t1: policy_version "v6" does not match the policy version "v7" of domain support_saas`, 3},
		{"file policy version", build("suite: x\npolicy_version: v3\n", "support_saas", "v7"), `policy_version "v3" does not match the policy version "v7" of domain support_saas`, 0},
		{"both metadata blocks", build("metadata: {notes: a}\nsuite_metadata:\n  provenance: p\n", "support_saas", "v7"), "suite_metadata and metadata both given: use one", 3},
		{"notes not strings", build("suite_metadata:\n  notes: [1, {a: b}]\n", "support_saas", "v7"), "suite_metadata.notes must be a string or a list of strings", 2},
		{"unknown metadata field", build("suite_metadata:\n  author: me\n", "support_saas", "v7"), `unknown field "author"`, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := suites.Parse(d, "x", "x.yaml", []byte(c.data))
			var se *strictyaml.Error
			if !errors.As(err, &se) {
				t.Fatalf("Parse error = %v, want a strictyaml error", err)
			}
			if se.Line != c.line || !strings.Contains(se.Msg, c.want) {
				t.Errorf("error = %v (line %d), want line %d containing %q", err, se.Line, c.line, c.want)
			}
		})
	}
	t.Run("string notes accepted", func(t *testing.T) {
		s, err := suites.Parse(d, "x", "x.yaml", []byte(build("suite_metadata:\n  notes: one note\n  detector_freeze_id: psf-1\n", "support_saas", "v7")))
		if err != nil {
			t.Fatal(err)
		}
		if md := s.Metadata(); md["notes"] != "one note" || md["detector_freeze_id"] != "psf-1" || md["provenance"] != "deterministic_fixture" {
			t.Errorf("metadata = %v", md)
		}
	})
}
