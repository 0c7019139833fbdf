// Package freeze builds and verifies benchmark manifests: a canonical JSON
// record of everything that decides a suite's results (the domain's files,
// the operator catalog, the task stream, the code of the layers, oracle,
// detector, catalog and generators, and the build's version and VCS
// revision), identified by "psf-" and the first 20 hex digits of the
// SHA-256 of its hashed fields. A run made with --freeze-manifest first
// verifies that nothing hashed has changed.
package freeze
