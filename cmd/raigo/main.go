// Command raigo tests, validates and evaluates `.raigo` AI-governance
// policies: `raigo test` runs `.raigo-test.yaml` suites, `raigo validate`
// checks a policy file and `raigo eval` evaluates one prompt.
//
// SIGINT and SIGTERM cancel the run; its staging directory is removed and
// raigo exits 130 (SIGINT) or 143 (SIGTERM).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/policystrata/policystrata/cmd/raigo/cli"
	"github.com/policystrata/policystrata/internal/interrupt"
)

func main() {
	ctx, h := interrupt.Notify(context.Background())
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	h.Stop()
	if name := h.SignalName(); name != "" {
		fmt.Fprintf(os.Stderr, "raigo: interrupted by %s\n", name)
	}
	os.Exit(h.ExitCode(code))
}
