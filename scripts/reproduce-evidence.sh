#!/bin/sh
# Regenerate every evidence table and figure (paper/generated/) and the
# evidence block of EVAL_CARD.md from fresh runs of every suite of the three
# built-in domains: each suite file in domains/D/tasks/ (seeded, controls),
# the generated suite, the frozen held-out suite (frozen, run under its
# manifest, then checked with verify-run), clean controls and adversarial
# controls. One progress line per step on stderr.
#
# Sizes: EVIDENCE_COUNT tasks per generated and held-out suite (default 100;
# the reference's defaults are 500), EVIDENCE_ADVERSARIAL adversarial
# controls per domain (default 200; reference 1000), the clean controls at
# their default 80, suite files whole. Same inputs, same bytes.
#
# Measured cost (wall time, throughput, peak memory; EVIDENCE_SCALING sizes of
# support_saas generated, plus the EVIDENCE_COUNT run, for the scaling
# figures) goes to paper/measured/: it varies from machine to machine, so it
# is kept apart from paper/generated/, which is compared byte for byte and
# checked for staleness (paper/paper_test.go). paper/generated/ also gets
# inputs.sha256 (the runs' summaries), fingerprint.sha256 (every source file
# the numbers depend on) and outputs.sha256 (every generated file).
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/policystrata}
RUNS=${RUNS:-runs/evidence}
OUT=${OUT:-paper/generated}
MEASURED=${MEASURED:-paper/measured}
COUNT=${EVIDENCE_COUNT:-100}
ADV=${EVIDENCE_ADVERSARIAL:-200}
SCALING=${EVIDENCE_SCALING:-25 50 200}
WORKERS=${WORKERS:-2}

step() { echo "[evidence $(date -u +%H:%M:%S)] $*" >&2; }
timed() { # timed NAME CMD...: CMD with its peak RSS in $RUNS/NAME.maxrss-kb
	name=$1
	shift
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -o "$RUNS/$name.maxrss-kb" "$@"
	else
		"$@"
	fi
}
run() { # run NAME DOMAIN SUITE [flags...]
	name=$1 domain=$2 suite=$3
	shift 3
	step "run $name"
	timed "$name" "$BIN" run --domain "$domain" --suite "$suite" --workers "$WORKERS" --out "$RUNS/$name" "$@" >/dev/null
	ARGS="$ARGS $name=$RUNS/$name"
}

step "build"
go build -o "$BIN" ./cmd/policystrata
rm -rf "$RUNS"
mkdir -p "$RUNS"
ARGS=""
for d in support_saas finance_saas analytics_clickhouse; do
	for f in domains/"$d"/tasks/*.yaml; do
		s=$(basename "$f" .yaml)
		run "${d}_$s" "$d" "$s"
	done
	run "${d}_generated" "$d" generated --count "$COUNT"
	step "freeze ${d}_heldout_v1"
	"$BIN" freeze-benchmark --domain "$d" --suite heldout_v1 --count "$COUNT" --out "$RUNS/${d}_heldout_v1.manifest.json" >/dev/null
	run "${d}_heldout_v1" "$d" heldout_v1 --count "$COUNT" --freeze-manifest "$RUNS/${d}_heldout_v1.manifest.json"
	step "verify-run ${d}_heldout_v1 (sample 5)"
	"$BIN" verify-run "$RUNS/${d}_heldout_v1" --sample 5 >/dev/null
	run "${d}_clean_controls" "$d" clean_controls
	run "${d}_adversarial" "$d" adversarial_clean_controls --count "$ADV"
done
EVIDENCE_ARGS=$ARGS
SCALE="--scaling n$COUNT=$RUNS/support_saas_generated"
for n in $SCALING; do
	ARGS=""
	run "scaling_$n" support_saas generated --count "$n"
	SCALE="$SCALE --scaling n$n=$RUNS/scaling_$n"
done
step "evidence tables and figures -> $OUT"
# shellcheck disable=SC2086
"$BIN" evidence $EVIDENCE_ARGS --out "$OUT" >/dev/null
step "measured cost and scaling -> $MEASURED"
# shellcheck disable=SC2086
"$BIN" cost $EVIDENCE_ARGS $SCALE --out "$MEASURED" >/dev/null
step "inputs, fingerprint and outputs -> $OUT/*.sha256"
(cd "$RUNS" && for f in */summary.json; do case $f in scaling_*) ;; *) sha256sum "$f" ;; esac; done) >"$OUT/inputs.sha256"
scripts/evidence-fingerprint.sh >"$OUT/fingerprint.sha256"
list=$(mktemp)
(cd "$OUT" && find . -type f ! -name outputs.sha256 | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum) >"$list"
mv "$list" "$OUT/outputs.sha256"
step "EVAL_CARD.md evidence block"
tmp=$(mktemp)
awk -v gen="$OUT/evidence.md" '
	/^<!-- evidence:begin -->$/ { print; while ((getline line < gen) > 0) print line; skip = 1; next }
	/^<!-- evidence:end -->$/ { skip = 0 }
	!skip { print }
' EVAL_CARD.md >"$tmp"
mv "$tmp" EVAL_CARD.md
step "done"
