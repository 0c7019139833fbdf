package freeze

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/policystrata/policystrata/pipeline/aimstate"
	"github.com/policystrata/policystrata/pipeline/catalog"
	"github.com/policystrata/policystrata/pipeline/db"
	"github.com/policystrata/policystrata/pipeline/detect"
	"github.com/policystrata/policystrata/pipeline/equiv"
	"github.com/policystrata/policystrata/pipeline/evaluate"
	"github.com/policystrata/policystrata/pipeline/layers"
	"github.com/policystrata/policystrata/pipeline/measure"
	"github.com/policystrata/policystrata/pipeline/minimize"
	"github.com/policystrata/policystrata/pipeline/observe"
	"github.com/policystrata/policystrata/pipeline/oracle"
	"github.com/policystrata/policystrata/pipeline/resolve"
	"github.com/policystrata/policystrata/pipeline/state"
	"github.com/policystrata/policystrata/suites"
)

// CodeSet maps a package's directory in the module to its embedded
// sources.
type CodeSet map[string]fs.FS

// DetectorCode is the code that decides a task's result: the layers and
// their variants, the oracle, the database engines, the measurements, the
// detector, the evaluation driver, the distinguishing-state search, the
// equivalence proofs, the minimizer and the operator catalog.
func DetectorCode() CodeSet {
	return CodeSet{
		"pipeline/layers": layers.Sources, "pipeline/oracle": oracle.Sources, "pipeline/detect": detect.Sources,
		"pipeline/evaluate": evaluate.Sources, "pipeline/catalog": catalog.Sources, "pipeline/resolve": resolve.Sources,
		"pipeline/equiv": equiv.Sources, "pipeline/measure": measure.Sources, "pipeline/observe": observe.Sources,
		"pipeline/db": db.Sources, "pipeline/aimstate": aimstate.Sources, "pipeline/minimize": minimize.Sources,
	}
}

// GeneratorCode is the code that produces tasks and database states: the
// suites and their generators, and the state generator.
func GeneratorCode() CodeSet {
	return CodeSet{"suites": suites.Sources, "pipeline/state": state.Sources}
}

// Hash is the SHA-256 of the canonical JSON of {path: sha256(file bytes)}
// over the set's non-test Go files.
func (c CodeSet) Hash() (string, error) {
	files := map[string]string{}
	for dir, fsys := range c {
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			b, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			s := sha256.Sum256(b)
			files[path.Join(dir, p)] = hex.EncodeToString(s[:])
			return nil
		})
		if err != nil {
			return "", fmt.Errorf("hash code of %s: %w", dir, err)
		}
	}
	if len(files) == 0 {
		return "", fmt.Errorf("hash code: no source files")
	}
	return SHA256JSON(files)
}
