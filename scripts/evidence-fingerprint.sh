#!/bin/sh
# Print "sha256  path" for every tracked source file the evidence numbers
# depend on: the code that generates tasks and states, runs the layers,
# the oracle, the detector, the search and the minimizer, writes traces,
# analyses them and renders the tables; the domains; the commands and the
# script make evidence runs; the module's dependency versions. make
# evidence writes it to paper/generated/fingerprint.sha256, and
# paper/paper_test.go fails when it no longer matches (the committed
# numbers may be stale: run make evidence). Packages that do not feed the
# evidence (scan, raigo, domain import, test helpers) are left out.
set -eu
cd "$(dirname "$0")/.."
git ls-files -- pipeline suites analysis domains freeze \
	cmd/policystrata/main.go cmd/policystrata/cli/run.go cmd/policystrata/cli/runfreeze.go \
	cmd/policystrata/cli/freeze.go cmd/policystrata/cli/verifyrun.go cmd/policystrata/cli/evidence.go \
	scripts/reproduce-evidence.sh go.mod go.sum |
	grep -v -e '_test\.go$' -e '/testdata/' \
		-e '^pipeline/scan/' -e '^pipeline/raigo/' -e '^pipeline/raigorun/' \
		-e '^pipeline/importdomain/' -e '^pipeline/pgtest/' -e '^pipeline/evaltest/' |
	LC_ALL=C sort | xargs sha256sum
