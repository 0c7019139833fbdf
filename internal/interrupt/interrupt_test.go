package interrupt

import (
	"context"
	"syscall"
	"testing"
	"time"
)

func TestSignalCancelsAndSetsExitCode(t *testing.T) {
	cases := []struct {
		sig  syscall.Signal
		want int
		name string
	}{
		{syscall.SIGINT, 130, "SIGINT"},
		{syscall.SIGTERM, 143, "SIGTERM"},
	}
	for _, tc := range cases {
		t.Run(tc.sig.String(), func(t *testing.T) {
			ctx, h := Notify(context.Background())
			defer h.Stop()
			if err := syscall.Kill(syscall.Getpid(), tc.sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Second):
				t.Fatal("context not cancelled by the signal")
			}
			if got := h.ExitCode(1); got != tc.want || h.SignalName() != tc.name {
				t.Fatalf("ExitCode = %d, SignalName = %q; want %d, %q", got, h.SignalName(), tc.want, tc.name)
			}
		})
	}
}

func TestNoSignalKeepsExitCode(t *testing.T) {
	ctx, h := Notify(context.Background())
	h.Stop()
	if ctx.Err() == nil {
		t.Error("Stop did not release the context")
	}
	if h.Signal() != nil || h.ExitCode(2) != 2 || h.SignalName() != "" {
		t.Errorf("signal %v, exit %d; want none and 2", h.Signal(), h.ExitCode(2))
	}
}
