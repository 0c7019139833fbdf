#!/usr/bin/env bash
# Regenerates EVAL_CARD.md's "Generated and held-out suites" tables: runs the
# generated and held-out suites of every built-in domain (minimization off:
# it does not change accounting) and prints each run's per-operator
# accounting as Markdown (policystrata summarize --format markdown).
# Usage: scripts/accounting-tables.sh [OUTDIR]   (default runs/accounting)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/accounting}"
make -s build
for d in support_saas finance_saas analytics_clickhouse; do
  for s in generated heldout_v1; do
    bin/policystrata run --domain "$d" --suite "$s" --out "$out/$d-$s" --force --no-minimize >&2
    echo
    echo "#### $d / \`$s\`"
    echo
    bin/policystrata summarize "$out/$d-$s" --format markdown
  done
done
