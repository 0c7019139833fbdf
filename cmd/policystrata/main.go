// Command policystrata finds cross-layer policy drift in LLM data-agent
// stacks: it runs benchmark suites through real layer stacks on an embedded
// database and reports every disagreement with the canonical policy.
//
// SIGINT and SIGTERM cancel the run; its deferred cleanup (staging
// directory, database objects) runs and policystrata exits 130 (SIGINT) or
// 143 (SIGTERM).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/policystrata/policystrata/cmd/policystrata/cli"
	"github.com/policystrata/policystrata/internal/interrupt"
)

func main() {
	ctx, h := interrupt.Notify(context.Background())
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	h.Stop()
	if name := h.SignalName(); name != "" {
		fmt.Fprintf(os.Stderr, "policystrata: interrupted by %s\n", name)
	}
	os.Exit(h.ExitCode(code))
}
