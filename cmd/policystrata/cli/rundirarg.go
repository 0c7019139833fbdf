package cli

import (
	"os"

	"github.com/policystrata/policystrata/pipeline/strictyaml"
)

// runDirArg refuses a RUN argument that is not a directory (a file, a
// missing path) as bad input before a command reads inside it.
func runDirArg(run string) error {
	st, err := os.Stat(run)
	switch {
	case err != nil:
		return strictyaml.Errorf(run, 0, "not a run directory: %v", pathErr(err))
	case !st.IsDir():
		return strictyaml.Errorf(run, 0, "not a run directory (a file)")
	}
	return nil
}

// pathErr is err without its repeated path.
func pathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
