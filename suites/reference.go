package suites

import (
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// SuiteMetadata is the Python reference's top-level suite_metadata block:
// the suite's provenance record, written to metadata.json over the seeded
// defaults. Notes may be one string or a list of strings.
type SuiteMetadata struct {
	Provenance                  string `yaml:"provenance"`
	EvidenceLevel               string `yaml:"evidence_level"`
	DetectorFrozen              *bool  `yaml:"detector_frozen"`
	DetectorFreezeID            string `yaml:"detector_freeze_id"`
	AuthoredAfterDetectorFreeze *bool  `yaml:"authored_after_detector_freeze"`
	Notes                       any    `yaml:"notes"`
	Line                        int    `yaml:"-"`
}

// mergeInto overrides md's provenance fields with the ones m sets.
func (m *SuiteMetadata) mergeInto(md map[string]any) {
	if m == nil {
		return
	}
	set := func(k, v string) {
		if v != "" {
			md[k] = v
		}
	}
	set("provenance", m.Provenance)
	set("evidence_level", m.EvidenceLevel)
	set("detector_freeze_id", m.DetectorFreezeID)
	if m.DetectorFrozen != nil {
		md["detector_frozen"] = *m.DetectorFrozen
	}
	if m.AuthoredAfterDetectorFreeze != nil {
		md["authored_after_detector_freeze"] = *m.AuthoredAfterDetectorFreeze
	}
	if m.Notes != nil {
		md["notes"] = m.Notes
	}
}

// notesOK reports whether notes is a string or a list of strings.
func notesOK(notes any) bool {
	switch n := notes.(type) {
	case nil, string:
		return true
	case []any:
		for _, e := range n {
			if _, ok := e.(string); !ok {
				return false
			}
		}
		return true
	}
	return false
}

// checkReferenceFields checks the fields the reference's suite files carry:
// the file's and each task's policy_version must be the domain policy's
// version, each task's domain must be the domain being run, and
// suite_metadata must not be given beside metadata.
func (s *Suite) checkReferenceFields() error {
	f, p, d := s.File, s.Path, s.domain
	if f.PolicyVersion != "" && f.PolicyVersion != d.Policy.Version {
		return strictyaml.Errorf(p, 0, "policy_version %q does not match the policy version %q of domain %s", f.PolicyVersion, d.Policy.Version, d.Name)
	}
	if m := f.SuiteMetadata; m != nil {
		if f.Metadata != nil {
			return strictyaml.Errorf(p, m.Line, "suite_metadata and metadata both given: use one")
		}
		if !notesOK(m.Notes) {
			return strictyaml.Errorf(p, m.Line, "suite_metadata.notes must be a string or a list of strings")
		}
	}
	for _, t := range f.Tasks {
		if t.Domain != "" && t.Domain != d.Name {
			return strictyaml.Errorf(p, t.Line, "task %s is written for domain %q, but the domain being run is %s", t.ID, t.Domain, d.Name)
		}
		if t.PolicyVersion != "" && t.PolicyVersion != d.Policy.Version {
			return strictyaml.Errorf(p, t.Line, "task %s: policy_version %q does not match the policy version %q of domain %s", t.ID, t.PolicyVersion, d.Policy.Version, d.Name)
		}
	}
	return nil
}
