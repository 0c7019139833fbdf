package cliexit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/spf13/cobra"
)

var errBad = errors.New("bad input")

func root(runErr error) *cobra.Command {
	c := &cobra.Command{Use: "x", SilenceUsage: true, SilenceErrors: true,
		RunE: func(*cobra.Command, []string) error { return runErr }}
	c.Flags().Int("n", 0, "")
	return c
}

func TestExecute(t *testing.T) {
	printed := func(w io.Writer, err error) { io.WriteString(w, "custom: "+err.Error()+"\n") }
	for _, tc := range []struct {
		name       string
		runErr     error
		args       []string
		print      func(io.Writer, error)
		want       int
		wantStderr string
	}{
		{"ok", nil, nil, nil, OK, ""},
		{"chosen code, silent", Code(Failure), nil, nil, Failure, ""},
		{"failure", errors.New("boom"), nil, nil, Failure, "error: boom\n"},
		{"usage error", Usage(errors.New("wrong")), nil, nil, BadInput, "error: wrong\n"},
		{"flag error", nil, []string{"--n", "x"}, nil, BadInput, ""},
		{"front end's bad input", errBad, nil, nil, BadInput, "error: bad input\n"},
		{"custom print", errBad, nil, printed, BadInput, "custom: bad input\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			got := Execute(context.Background(), root(tc.runErr), tc.args, &out, &errb, Options{
				BadInput: func(err error) bool { return errors.Is(err, errBad) },
				Print:    tc.print,
			})
			if got != tc.want {
				t.Errorf("exit = %d, want %d", got, tc.want)
			}
			if tc.wantStderr != "" && errb.String() != tc.wantStderr {
				t.Errorf("stderr = %q, want %q", errb.String(), tc.wantStderr)
			}
			if tc.name == "flag error" && errb.Len() == 0 {
				t.Error("flag error printed nothing")
			}
		})
	}
}

// An error that is only the context's cancellation (an interrupted run) is
// not printed; the same error with a live context is.
func TestExecuteCancelledIsSilent(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	wrapped := fmt.Errorf("evaluate: %w", context.Canceled)
	var errb bytes.Buffer
	if got := Execute(ctx, root(wrapped), nil, io.Discard, &errb, Options{}); got != Failure || errb.Len() != 0 {
		t.Errorf("cancelled: exit %d, stderr %q; want 1 and nothing", got, errb.String())
	}
	errb.Reset()
	if got := Execute(context.Background(), root(wrapped), nil, io.Discard, &errb, Options{}); got != Failure || errb.String() != "error: evaluate: context canceled\n" {
		t.Errorf("live context: exit %d, stderr %q", got, errb.String())
	}
}

// Result passes a run function's error through, turns a non-zero code into
// a silent Code and a zero code into success; through Execute the code
// comes out as the exit code.
func TestResult(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		code     int
		err      error
		want     error
		wantExit int
	}{
		{OK, nil, nil, OK},
		{Failure, nil, Code(Failure), Failure},
		{BadInput, nil, Code(BadInput), BadInput},
		{Failure, boom, boom, Failure},
		{OK, boom, boom, Failure},
	} {
		got := Result(tc.code, tc.err)
		if got != tc.want {
			t.Errorf("Result(%d, %v) = %v, want %v", tc.code, tc.err, got, tc.want)
		}
		if exit := Execute(context.Background(), root(got), nil, io.Discard, io.Discard, Options{}); exit != tc.wantExit {
			t.Errorf("Result(%d, %v): exit %d, want %d", tc.code, tc.err, exit, tc.wantExit)
		}
	}
}
