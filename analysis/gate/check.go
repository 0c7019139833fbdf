package gate

// Check is one gate decision: what was checked, the baseline's and the new
// run's values as rendered text, and whether it passed.
type Check struct {
	Name    string `json:"name"`
	Base    string `json:"base"`
	New     string `json:"new"`
	Passed  bool   `json:"passed"`
	Message string `json:"message"`
}

// Result is the list of checks of one gate.
type Result struct {
	// Title names the gate in the Markdown heading and the JUnit suite.
	Title  string  `json:"title"`
	Checks []Check `json:"checks"`
}

// Failed reports whether any check failed.
func (r Result) Failed() bool { return r.Failures() > 0 }

// Failures counts the failed checks.
func (r Result) Failures() int {
	n := 0
	for _, c := range r.Checks {
		if !c.Passed {
			n++
		}
	}
	return n
}

// ExitCode is the process exit code of the gate: 1 when a check failed.
func (r Result) ExitCode() int {
	if r.Failed() {
		return 1
	}
	return 0
}
