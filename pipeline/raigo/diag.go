package raigo

import (
	"fmt"
	"strings"
)

// Diagnostic is a validator or loader finding located in a file. Line is 0
// when no line is known.
type Diagnostic struct {
	Path    string `json:"path,omitempty"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// String formats the diagnostic as `path:line: message`, dropping the parts
// that are unknown.
func (d Diagnostic) String() string {
	switch {
	case d.Path != "" && d.Line > 0:
		return fmt.Sprintf("%s:%d: %s", d.Path, d.Line, d.Message)
	case d.Path != "":
		return d.Path + ": " + d.Message
	case d.Line > 0:
		return fmt.Sprintf("line %d: %s", d.Line, d.Message)
	}
	return d.Message
}

// PosError is a load error located in a file; Error formats it as
// `path:line: message`.
type PosError struct {
	Path string
	Line int
	Msg  string
}

// Error implements error.
func (e *PosError) Error() string {
	return Diagnostic{Path: e.Path, Line: e.Line, Message: e.Msg}.String()
}

// ErrorList collects several located load errors, in document order.
type ErrorList []*PosError

// Error joins the errors, one per line.
func (l ErrorList) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Unwrap exposes the individual errors to errors.Is and errors.As.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}
