// Command raigo tests, validates and evaluates `.raigo` AI-governance
// policies: `raigo test` runs `.raigo-test.yaml` suites, `raigo validate`
// checks a policy file and `raigo eval` evaluates one prompt.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/policystrata/policystrata/cmd/raigo/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
