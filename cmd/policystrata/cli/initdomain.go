package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/domains"
	"github.com/policystrata/policystrata/internal/cliexit"
)

type initDomainParams struct {
	Name string
	Out  string
}

func newInitDomain(stdout io.Writer) *cobra.Command {
	p := &initDomainParams{}
	cmd := &cobra.Command{
		Use:   "init-domain NAME --out DIR",
		Short: "Write a built-in domain out as a starting point for your own",
		Example: `  policystrata init-domain support_saas --out ./my_domain
  policystrata run --domain-path ./my_domain --suite seeded --out runs/mine`,
		Args: positionalArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.Name = args[0]
			if p.Out == "" {
				return cliexit.Usage(fmt.Errorf("--out is required"))
			}
			if err := domains.WriteOut(p.Name, p.Out); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "wrote domain %s to %s\n", p.Name, p.Out)
			return nil
		},
	}
	cmd.Flags().StringVar(&p.Out, "out", "", "directory to create (must not exist or be empty)")
	return cmd
}
