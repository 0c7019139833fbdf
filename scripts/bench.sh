#!/usr/bin/env bash
# make bench: the Go benchmarks (statement floor per engine, the evaluate
# stage, raigo), then whole runs of support_saas generated suites with their
# wall time, peak RSS (/usr/bin/time), statements per task (run.json) and the
# floor: the cheapest statement of the engine times the statements a task
# needs; at 500 tasks also without minimization (what it adds). BENCH_SIZES overrides the sizes ("500 10000 100000").
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
SIZES=${BENCH_SIZES:-"500 10000 100000"}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== statement floor (pipeline/db, result memo off)"
$GO test -run '^$' -bench 'StatementFloor' -benchtime 2000x ./pipeline/db | tee "$out/floor.txt" | grep -E '^Benchmark'
echo "== evaluate stage: distinct generated tasks, every statement executed"
$GO test -run '^$' -bench 'EvaluateGenerated' -benchtime 1000x ./pipeline/evaluate | grep -E '^Benchmark'
echo "== minimization: one replay on a state a row or two larger than a witness's minimal state"
$GO test -run '^$' -bench 'Replay' -benchtime 200x ./pipeline/evaluate | grep -E '^Benchmark'
echo "== raigo (one core)"
$GO test -run '^$' -bench . -cpu 1 ./pipeline/raigo ./pipeline/raigorun | grep -E '^Benchmark'

$GO build -o bin/policystrata ./cmd/policystrata
floor_ns=$(awk '/StatementFloor\/sqlite\/cheapest/ {print $3}' "$out/floor.txt")
echo
echo "== whole runs (support_saas generated; /usr/bin/time -f '%e %M')"
printf '%-44s %8s %9s %9s %10s %12s\n' work wall_s peak_MB tasks/s stmts/task floor_ms/task
for n in $SIZES; do
  for mode in defaults nominimize compact; do
    flags=()
    label="generated $n (defaults)"
    if [ "$mode" = nominimize ]; then
      # the defaults without minimization: what minimization adds at 500
      [ "$n" -le 500 ] || continue
      flags=(--no-minimize)
      label="generated $n --no-minimize"
    elif [ "$mode" = compact ]; then
      flags=(--compact --no-minimize)
      label="generated $n --compact --no-minimize"
    elif [ "$n" -gt 10000 ]; then
      continue # minimization of 100,000 tasks is not a target
    fi
    # each run writes a directory of its own, removed at exit: on ext4,
    # creating files just after thousands were deleted costs ten times as
    # much (the inode allocator skips recently deleted inodes), which
    # would charge one run's witnesses to the next
    run="$out/run-$n-$mode"
    /usr/bin/time -f '%e %M' -o "$out/time" ./bin/policystrata run --domain support_saas --suite generated \
      --count "$n" "${flags[@]}" --quiet --out "$run" >/dev/null
    read -r wall rss <"$out/time"
    spt=$(grep -o '"statements_per_task": [0-9.e+-]*' "$run/run.json" | awk '{print $2}')
    awk -v l="$label" -v w="$wall" -v r="$rss" -v n="$n" -v s="$spt" -v f="$floor_ns" \
      'BEGIN { printf "%-44s %8.2f %9.0f %9.0f %10.2f %12.3f\n", l, w, r/1024, n/w, s, s*f/1e6 }'
  done
done

# last: it deletes thousands of witness files when it ends (see above)
echo
echo "== minimization: generated 500 without it, with it, and handed every answer (only the certificates replayed)"
$GO test -run '^$' -bench 'Minimization' -benchtime 3x ./pipeline/run | grep -E '^Benchmark'
