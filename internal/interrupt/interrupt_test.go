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
	}{
		{syscall.SIGINT, 130},
		{syscall.SIGTERM, 143},
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
			if got := h.ExitCode(1); got != tc.want {
				t.Fatalf("ExitCode = %d, want %d", got, tc.want)
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
	if h.Signal() != nil || h.ExitCode(2) != 2 {
		t.Errorf("signal %v, exit %d; want none and 2", h.Signal(), h.ExitCode(2))
	}
}
