package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/internal/cliexit"
	"github.com/policystrata/policystrata/pipeline/raigo"
	"github.com/policystrata/policystrata/pipeline/raigorun"
)

// validateParams are the flags of `raigo validate`.
type validateParams struct {
	Files      []string
	Strict     bool
	NoWarnings bool
}

func newValidate(stdout io.Writer) *cobra.Command {
	p := &validateParams{}
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check .raigo policy files",
		Long: `Check .raigo policy files with the reference validator's rules and messages:
"✓ Valid RAIGO v<raigo_version> policy", or "✗ Invalid .raigo file — N error(s):"
followed by the errors. Warnings (the reference's, then this implementation's:
conditions that never match, patterns RE2 cannot compile, ...) follow.

Exit status: 0 when valid, 1 when a file has errors (or warnings, with
--strict), 2 when a file cannot be read or parsed.`,
		Example: `  raigo validate examples/raigo/policies/agent_firewall.raigo

  # the reference validator's output exactly: no warnings
  raigo validate --no-warnings policy.raigo`,
		Args: minArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			p.Files = args
			return cliexit.Result(runValidate(*p, stdout))
		},
	}
	cmd.Flags().BoolVar(&p.Strict, "strict", false, "exit 1 on warnings too")
	cmd.Flags().BoolVar(&p.NoWarnings, "no-warnings", false, "do not print warnings (the reference validator never does)")
	return cmd
}

func runValidate(p validateParams, stdout io.Writer) (int, error) {
	var loadErrs []error
	code := ExitOK
	for i, path := range p.Files {
		pol, err := raigo.Load(path)
		if err != nil {
			loadErrs = append(loadErrs, err)
			continue
		}
		if len(p.Files) > 1 {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			fmt.Fprintln(stdout, path)
		}
		rep := raigo.Validate(pol)
		if rep.Valid() {
			version := pol.RaigoVersion
			if version == "" {
				version = "2.0"
			}
			fmt.Fprintf(stdout, "✓ Valid RAIGO v%s policy\n", version)
		} else {
			code = ExitFailure
			fmt.Fprintf(stdout, "✗ Invalid .raigo file — %d error(s):\n", len(rep.Errors))
			for _, d := range rep.Errors {
				fmt.Fprintf(stdout, "  - %s\n", d)
			}
		}
		if len(rep.Warnings) > 0 {
			if p.Strict {
				code = ExitFailure
			}
			if !p.NoWarnings {
				fmt.Fprintf(stdout, "⚠ %d warning(s):\n", len(rep.Warnings))
				for _, d := range rep.Warnings {
					fmt.Fprintf(stdout, "  - %s\n", d)
				}
			}
		}
	}
	if len(loadErrs) > 0 {
		return ExitBadInput, raigorun.NewInputError(loadErrs...)
	}
	return code, nil
}
