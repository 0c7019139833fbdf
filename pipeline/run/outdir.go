package run

import (
	"errors"

	"github.com/policystrata/policystrata/internal/outdir"
	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// Tool is the name policystrata's run directories are marked with (the
// marker file .policystrata-run); --force replaces only a directory
// holding it.
const Tool = "policystrata"

// stageOut prepares a staging directory beside out (see internal/outdir):
// an existing non-empty out is refused unless replace is set and it is a
// previous policystrata run, and the working directory, its ancestors, the
// home directory and the root are always refused. A refusal is bad input.
func stageOut(out string, replace bool) (*outdir.Stage, error) {
	s, err := outdir.Prepare(out, outdir.Options{Tool: Tool, Force: replace})
	return s, asInputError(err)
}

// commitOut moves the finished staging directory into place.
func commitOut(s *outdir.Stage) error {
	return asInputError(s.Commit())
}

// asInputError turns an output refusal into a located input error (exit 2).
func asInputError(err error) error {
	var re *outdir.RefusedError
	if errors.As(err, &re) {
		return strictyaml.Errorf(re.Path, 0, "%s", re.Reason)
	}
	return err
}
