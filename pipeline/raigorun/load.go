package raigorun

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/policystrata/policystrata/pipeline/raigo"
	"github.com/policystrata/policystrata/suites/raigotest"
)

// policyFile is a loaded, validated policy, shared by every suite that
// names it.
type policyFile struct {
	path     string // as loaded (resolved against the suite's directory)
	policy   *raigo.Policy
	digest   string // sha256 of the file's bytes, hex
	warnings []raigo.Diagnostic
}

// loadedSuite is a parsed suite with its policy chain.
type loadedSuite struct {
	suite    *raigotest.Suite
	digest   string
	policies []*policyFile
	// written are the policy paths as the suite wrote them.
	written []string
	// warnings are the suite's own warnings, the rule-id lint and the
	// policies' validator warnings.
	warnings []raigo.Diagnostic
}

// chain returns the suite's compiled policies, in order.
func (ls *loadedSuite) chain() []*raigo.Policy {
	out := make([]*raigo.Policy, len(ls.policies))
	for i, pf := range ls.policies {
		out[i] = pf.policy
	}
	return out
}

// loader loads suites and the policies they name, each policy once.
type loader struct {
	policies map[string]*policyFile
	order    []*policyFile // first-use order
	errs     InputError
}

func digestOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// load discovers and loads every suite under paths. Problems with any file
// are collected and returned together as an *InputError.
func load(paths []string) ([]*loadedSuite, []*policyFile, error) {
	files, err := raigotest.Discover(paths...)
	if err != nil {
		return nil, nil, &InputError{Problems: []string{err.Error()}}
	}
	if len(files) == 0 {
		return nil, nil, &InputError{Problems: []string{fmt.Sprintf(
			"discover suites: no test suites (*.raigo-test.yaml, *.raigo-test.yml) under %s", strings.Join(paths, ", "))}}
	}
	l := &loader{policies: map[string]*policyFile{}}
	var out []*loadedSuite
	for _, f := range files {
		if ls := l.suite(f); ls != nil {
			out = append(out, ls)
		}
	}
	if err := l.errs.orNil(); err != nil {
		return nil, nil, err
	}
	return out, l.order, nil
}

func (l *loader) suite(path string) *loadedSuite {
	data, err := os.ReadFile(path)
	if err != nil {
		l.errs.add(fmt.Errorf("load suite: %w", err))
		return nil
	}
	s, err := raigotest.Parse(path, data, raigotest.Options{})
	if err != nil {
		l.errs.add(err)
		return nil
	}
	ls := &loadedSuite{suite: s, digest: digestOf(data), written: s.Policies}
	ls.warnings = append(ls.warnings, s.Warnings...)
	ok := true
	for i, p := range s.PolicyPaths() {
		pf := l.policy(p, s, i)
		if pf == nil {
			ok = false
			continue
		}
		ls.policies = append(ls.policies, pf)
	}
	if !ok {
		return nil
	}
	ls.warnings = append(ls.warnings, raigotest.Lint(s, ls.chain()...)...)
	for _, pf := range ls.policies {
		ls.warnings = append(ls.warnings, pf.warnings...)
	}
	return ls
}

// policy loads and validates the policy at path once; a policy that cannot
// be loaded is reported against the suite line that names it.
func (l *loader) policy(path string, s *raigotest.Suite, i int) *policyFile {
	key := filepath.Clean(path)
	if pf, ok := l.policies[key]; ok {
		return pf
	}
	data, err := os.ReadFile(path)
	if err != nil {
		l.errs.addDiag(raigo.Diagnostic{Path: s.Path, Line: s.PolicyLine,
			Message: fmt.Sprintf("load policy %q: %v", s.Policies[i], unwrapPath(err))})
		l.policies[key] = nil
		return nil
	}
	p, err := raigo.Parse(path, data)
	if err != nil {
		l.errs.add(err)
		l.policies[key] = nil
		return nil
	}
	rep := raigo.Validate(p)
	if !rep.Valid() {
		for _, d := range rep.Errors {
			l.errs.addDiag(d)
		}
		l.policies[key] = nil
		return nil
	}
	pf := &policyFile{path: path, policy: p, digest: digestOf(data), warnings: rep.Warnings}
	l.policies[key] = pf
	l.order = append(l.order, pf)
	return pf
}

// unwrapPath drops the *PathError's operation and path (the message names
// the policy already).
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
