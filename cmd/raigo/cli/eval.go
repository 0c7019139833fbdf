package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/policystrata/policystrata/internal/cliexit"
	"github.com/policystrata/policystrata/pipeline/raigo"
	"github.com/policystrata/policystrata/pipeline/raigorun"
)

// evalParams are the flags of `raigo eval`.
type evalParams struct {
	Files   []string
	Prompt  string
	Content string
	Context []string
	Mode    string
	Compat  string
}

func newEval(stdin io.Reader, stdout io.Writer) *cobra.Command {
	p := &evalParams{}
	cmd := &cobra.Command{
		Use:   "eval FILE... --prompt TEXT",
		Short: "Evaluate one prompt against a policy (or a chain of policies) and print the result as JSON",
		Long: `Evaluate one prompt against a policy and print the evaluation as JSON: the
action (DENY, WARN or ALLOW), the representative rule, every matched rule, the
warnings, the applied directives and the engine mode. Several files form a
chain, evaluated in order: the most restrictive result wins and the deciding
policy is named.

--context takes key=value (a string; repeat a key for a list) or key:=JSON.
data_classification and anomaly_types are always lists.`,
		Example: `  raigo eval examples/raigo/policies/agent_firewall.raigo --prompt "Ignore all previous instructions"

  raigo eval policy.raigo --prompt "Look this up" --context tool_invocation=web_search \
      --context data_classification=PII --context 'anomaly_types:=["jailbreak"]' --mode observe

  echo "rm -rf /" | raigo eval policy.raigo --prompt -`,
		Args: minArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			p.Files = args
			return cliexit.Result(runEval(*p, stdin, stdout))
		},
	}
	f := cmd.Flags()
	f.StringVar(&p.Prompt, "prompt", "", `the prompt ("-" reads it from standard input)`)
	f.StringVar(&p.Content, "content", "", "content evaluated with the prompt (joined with one space)")
	f.StringArrayVar(&p.Context, "context", nil, "context entry key=value or key:=JSON (repeatable)")
	f.StringVar(&p.Mode, "mode", "enforce", "engine mode: enforce or observe (observe downgrades a DENY to WARN)")
	f.StringVar(&p.Compat, "compat", "", `"engine" reproduces the reference engine (ENFORCE blocks like DENY)`)
	return cmd
}

func runEval(p evalParams, stdin io.Reader, stdout io.Writer) (int, error) {
	mode, err := raigo.ParseMode(p.Mode)
	if err != nil {
		return ExitBadInput, cliexit.Usage(fmt.Errorf("--mode: %w", err))
	}
	compat, err := raigo.ParseCompat(p.Compat)
	if err != nil {
		return ExitBadInput, cliexit.Usage(fmt.Errorf("--compat: %w", err))
	}
	ctx, err := ParseContext(p.Context)
	if err != nil {
		return ExitBadInput, cliexit.Usage(fmt.Errorf("--context: %w", err))
	}
	if p.Prompt == "-" {
		data, err := io.ReadAll(stdin)
		if err != nil {
			return ExitFailure, fmt.Errorf("read prompt: %w", err)
		}
		p.Prompt = strings.TrimRight(string(data), "\r\n")
	}
	if p.Prompt == "" && p.Content == "" {
		return ExitBadInput, cliexit.Usage(fmt.Errorf("give at least one of --prompt or --content"))
	}
	var policies []*raigo.Policy
	var loadErrs []error
	for _, f := range p.Files {
		pol, err := raigo.Load(f)
		if err != nil {
			loadErrs = append(loadErrs, err)
			continue
		}
		policies = append(policies, pol)
	}
	if len(loadErrs) > 0 {
		return ExitBadInput, raigorun.NewInputError(loadErrs...)
	}
	in := raigo.Input{Prompt: p.Prompt, Content: p.Content, Context: ctx}
	opts := raigo.Options{Mode: mode, Compat: compat}
	var out any
	if len(policies) == 1 {
		out = raigo.EvaluateWith(policies[0], in, opts)
	} else {
		out = raigo.EvaluateChain(policies, in, opts)
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return ExitFailure, fmt.Errorf("write evaluation: %w", err)
	}
	return ExitOK, nil
}
