#!/usr/bin/env bash
# Runs every `go test -fuzz` target in the module for the given time each
# (default 60s; `make fuzz FUZZTIME=5m` for longer) and prints, per target,
# the executions, their average rate and the new interesting inputs found,
# from the fuzzer's last progress line. A target that fails stops nothing: every
# target runs, failures are listed at the end, and the exit status is 1.
#
# Targets are found with grep (func FuzzXxx in *_test.go), not `go test
# -list`, which would build every package's tests first.
set -uo pipefail
t="${1:-60s}"
# An optional second argument keeps the targets whose file:function matches
# this extended regular expression (`scripts/fuzz.sh 30s raigo`).
filter="${2:-.}"
# A new interesting input is minimized for at most this long, so that a slow
# input cannot take a short budget.
minimize="${FUZZ_MINIMIZE_TIME:-5s}"
cd "$(dirname "$0")/.."
summary=()
failed=()
while IFS=: read -r file func; do
  pkg="./$(dirname "$file")"
  echo "== $pkg $func (fuzztime $t)"
  log="$(mktemp)"
  go test -run '^$' -fuzz "^${func}\$" -fuzztime "$t" -fuzzminimizetime "$minimize" "$pkg" 2>&1 | tee "$log" | grep -v '^fuzz: elapsed: .*, execs: ' || true
  status="${PIPESTATUS[0]}"
  # The last progress line: "fuzz: elapsed: 21s, execs: 43105 (0/sec), new
  # interesting: 74 (total: 282)"; its rate is the last interval's, so the
  # average is computed from the totals.
  last="$(grep -o 'elapsed: [0-9]*s, execs: [0-9]* ([0-9]*/sec), new interesting: [0-9]*' "$log" | tail -n 1 |
    sed -E 's|elapsed: ([0-9]+)s, execs: ([0-9]+) \([0-9]+/sec\), new interesting: ([0-9]+)|\1 \2 \3|' |
    awk '{ printf "%10d execs in %3ds (%6d/sec average), %3d new interesting", $2, $1, ($1 > 0 ? $2 / $1 : 0), $3 }')"
  if [ -z "$last" ]; then
    if grep -q 'gathering baseline coverage' "$log"; then
      last="no executions: the budget ended while replaying the corpus (give it more time)"
    else
      last="no executions reported"
    fi
  fi
  if [ "$status" -ne 0 ]; then
    failed+=("$pkg $func")
    last="FAIL; $last"
  fi
  summary+=("$(printf '%-28s %-24s %s' "$pkg" "$func" "$last")")
  rm -f "$log"
done < <(grep -rHo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' . | sed 's|^\./||; s|:func |:|' | grep -E "$filter" | sort)
echo
echo "== executions per target ($t each)"
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "== failed: ${failed[*]}"
  exit 1
fi
