//go:build !unix

package outdir

// alive cannot tell on this platform, so every owner counts as alive and
// no staging directory is ever removed as stale.
func alive(int) bool { return true }
