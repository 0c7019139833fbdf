package raigorun

import (
	"fmt"
	"runtime"
	"time"

	"github.com/policystrata/policystrata/internal/progress"
	"github.com/policystrata/policystrata/pipeline/raigo"
)

// MaxWorkers bounds Config.Workers.
const MaxWorkers = 256

// MaxFuzz bounds Config.Fuzz (variants per case).
const MaxFuzz = 10000

// Config describes one run of `raigo test`.
type Config struct {
	// Paths are suite files and directories (searched recursively for
	// *.raigo-test.yaml and *.raigo-test.yml); none means ".".
	Paths []string
	// Workers is the size of the evaluation pool; 0 means GOMAXPROCS.
	Workers int
	// Strict turns warnings into failures: validator warnings on the
	// policies, suite warnings (unknown fields, ...), expectations naming a
	// rule id no policy has, and (with Coverage) rules no test exercises.
	Strict bool
	// Compat selects the reference engine's ENFORCE-as-DENY behaviour.
	Compat raigo.Compat
	// NoMinimize skips the minimization of failing prompts.
	NoMinimize bool
	// Coverage reports the rules, triggers and detectors no test exercises.
	Coverage bool
	// MinCoverage, when positive, fails the run when the rule coverage
	// across all policies is below this percentage (it implies Coverage).
	MinCoverage float64
	// Fuzz is the number of seeded variants evaluated per case; Seed seeds
	// them.
	Fuzz int
	Seed uint64
	// SnapshotDir, when set, holds one snapshot file per suite; a case
	// whose evaluation differs from its snapshot fails. UpdateSnapshots
	// rewrites the snapshots instead.
	SnapshotDir     string
	UpdateSnapshots bool
	// Out, when set, is the directory the traces and summary are written
	// to (through a temporary directory renamed into place). Force allows
	// replacing a previous raigo run there (see internal/outdir).
	Out   string
	Force bool
	// Now stamps the report (run_at); nil means time.Now.
	Now func() time.Time
	// Progress, when set, is fed the cases evaluated of all the suites'
	// cases (fuzz variants are part of their case).
	Progress progress.Reporter
}

// check validates the configuration and fills defaults.
func (c *Config) check() error {
	if c.Workers == 0 {
		c.Workers = min(runtime.GOMAXPROCS(0), 64)
	}
	if c.Workers < 1 || c.Workers > MaxWorkers {
		return fmt.Errorf("workers must be 1..%d, got %d", MaxWorkers, c.Workers)
	}
	if c.Fuzz < 0 || c.Fuzz > MaxFuzz {
		return fmt.Errorf("fuzz must be 0..%d variants per case, got %d", MaxFuzz, c.Fuzz)
	}
	if c.MinCoverage < 0 || c.MinCoverage > 100 {
		return fmt.Errorf("min-coverage must be a percentage 0..100, got %g", c.MinCoverage)
	}
	if c.MinCoverage > 0 {
		c.Coverage = true
	}
	if c.UpdateSnapshots && c.SnapshotDir == "" {
		return fmt.Errorf("update-snapshots needs a snapshot directory")
	}
	if len(c.Paths) == 0 {
		c.Paths = []string{"."}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Progress == nil {
		c.Progress = progress.Nop{}
	}
	return nil
}
