//go:build unix

package outdir

import (
	"errors"
	"syscall"
)

// alive reports whether process pid exists (a process owned by another
// user counts as alive).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
