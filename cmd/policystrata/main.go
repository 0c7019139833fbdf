// Command policystrata finds cross-layer policy drift in LLM data-agent
// stacks: it runs benchmark suites through real layer stacks on an embedded
// database and reports every disagreement with the canonical policy.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/policystrata/policystrata/cmd/policystrata/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
