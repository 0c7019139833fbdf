#!/bin/sh
# Regenerate every evidence table and figure (paper/generated/) and the
# evidence block of EVAL_CARD.md from fresh runs of every suite of the three
# built-in domains: seeded, generated, the frozen held-out suite (frozen,
# run under its manifest, then checked with verify-run), clean controls and
# adversarial controls. One progress line per step on stderr.
#
# Sizes: EVIDENCE_COUNT tasks per generated and held-out suite (default 100;
# the reference's defaults are 500), EVIDENCE_ADVERSARIAL adversarial
# controls per domain (default 200; reference 1000), the clean controls at
# their default 80. Same inputs, same bytes.
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/policystrata}
RUNS=${RUNS:-runs/evidence}
OUT=${OUT:-paper/generated}
COUNT=${EVIDENCE_COUNT:-100}
ADV=${EVIDENCE_ADVERSARIAL:-200}
WORKERS=${WORKERS:-2}

step() { echo "[evidence $(date -u +%H:%M:%S)] $*" >&2; }
run() { # run NAME DOMAIN SUITE [flags...]
	name=$1 domain=$2 suite=$3
	shift 3
	step "run $name"
	"$BIN" run --domain "$domain" --suite "$suite" --workers "$WORKERS" --out "$RUNS/$name" "$@" >/dev/null
	ARGS="$ARGS $name=$RUNS/$name"
}

step "build"
go build -o "$BIN" ./cmd/policystrata
rm -rf "$RUNS"
mkdir -p "$RUNS"
ARGS=""
for d in support_saas finance_saas analytics_clickhouse; do
	run "${d}_seeded" "$d" seeded
	run "${d}_generated" "$d" generated --count "$COUNT"
	step "freeze ${d}_heldout_v1"
	"$BIN" freeze-benchmark --domain "$d" --suite heldout_v1 --count "$COUNT" --out "$RUNS/${d}_heldout_v1.manifest.json" >/dev/null
	run "${d}_heldout_v1" "$d" heldout_v1 --count "$COUNT" --freeze-manifest "$RUNS/${d}_heldout_v1.manifest.json"
	step "verify-run ${d}_heldout_v1 (sample 5)"
	"$BIN" verify-run "$RUNS/${d}_heldout_v1" --sample 5 >/dev/null
	run "${d}_clean_controls" "$d" clean_controls
	run "${d}_adversarial" "$d" adversarial_clean_controls --count "$ADV"
done
step "evidence tables and figures -> $OUT"
# shellcheck disable=SC2086
"$BIN" evidence $ARGS --out "$OUT" >/dev/null
step "inputs -> $OUT/inputs.sha256"
(cd "$RUNS" && for f in */summary.json; do sha256sum "$f"; done) >"$OUT/inputs.sha256"
step "EVAL_CARD.md evidence block"
tmp=$(mktemp)
awk -v gen="$OUT/evidence.md" '
	/^<!-- evidence:begin -->$/ { print; while ((getline line < gen) > 0) print line; skip = 1; next }
	/^<!-- evidence:end -->$/ { skip = 0 }
	!skip { print }
' EVAL_CARD.md >"$tmp"
mv "$tmp" EVAL_CARD.md
step "done"
