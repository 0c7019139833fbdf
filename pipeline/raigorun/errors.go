package raigorun

import (
	"errors"
	"strings"

	"github.com/policystrata/policystrata/pipeline/raigo"
)

// InputError collects the problems that stop a run before it starts: a
// suite or policy that cannot be read, parsed or validated. Each problem is
// formatted `path:line: message` where a line is known.
type InputError struct {
	Problems []string
}

// Error joins the problems, one per line.
func (e *InputError) Error() string { return strings.Join(e.Problems, "\n") }

// NewInputError collects errs as an InputError: each located error
// (*raigo.PosError, or each entry of a raigo.ErrorList) becomes one
// `path:line: message` problem, any other error its text.
func NewInputError(errs ...error) *InputError {
	e := &InputError{}
	for _, err := range errs {
		e.add(err)
	}
	return e
}

// add appends err's located problems (one per *raigo.PosError when err
// holds a list) or its text.
func (e *InputError) add(err error) {
	var list raigo.ErrorList
	if errors.As(err, &list) {
		for _, pe := range list {
			e.Problems = append(e.Problems, pe.Error())
		}
		return
	}
	var pe *raigo.PosError
	if errors.As(err, &pe) {
		e.Problems = append(e.Problems, pe.Error())
		return
	}
	e.Problems = append(e.Problems, err.Error())
}

// addDiag appends a diagnostic.
func (e *InputError) addDiag(d raigo.Diagnostic) {
	e.Problems = append(e.Problems, d.String())
}

// orNil returns e when it holds problems, nil otherwise.
func (e *InputError) orNil() error {
	if len(e.Problems) == 0 {
		return nil
	}
	return e
}

// IsInputError reports whether err is (or wraps) an [InputError]: bad
// input rather than a failed test or an infrastructure problem.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}
