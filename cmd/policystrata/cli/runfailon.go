package cli

import (
	"io"

	"github.com/policystrata/policystrata/analysis/gate"
	"github.com/policystrata/policystrata/pipeline/run"
)

// failOnRun applies `run --fail-on` to a finished run: it prints the
// checks as Markdown when any fails and returns the exit code.
func failOnRun(kinds []string, rep *run.Report, stdout io.Writer) (int, error) {
	if len(kinds) == 0 {
		return ExitOK, nil
	}
	dis := -1
	if rep.Cross != nil {
		dis = rep.Cross.CleanDisagreements
	}
	r := gate.FailOn(rep.Summary, dis, kinds)
	if r.Failed() {
		if err := gate.WriteMarkdown(stdout, r); err != nil {
			return ExitFailure, err
		}
	}
	return r.ExitCode(), nil
}
