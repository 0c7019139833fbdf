#!/usr/bin/env bash
# rss-curve.sh N [OUT]: the memory curve of a long run. Runs
# `policystrata run --domain support_saas --suite generated --count N
# --compact --no-minimize` and samples its resident set size (VmRSS and
# VmHWM from /proc/PID/status) every ${RSS_EVERY:-15} seconds beside the
# tasks done (from the run's plain progress lines, one every 10 s when
# stderr is not a terminal). Prints one line per sample, then the run's
# wall time and peak RSS (/usr/bin/time). OUT (default a temporary
# directory) receives the run.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:?usage: scripts/rss-curve.sh N [OUT]}
every=${RSS_EVERY:-15}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=${2:-$tmp/run}
go build -o "$tmp/policystrata" ./cmd/policystrata
/usr/bin/time -f '%e %M' -o "$tmp/time" "$tmp/policystrata" run --domain support_saas --suite generated \
  --count "$n" --compact --no-minimize --out "$out" >/dev/null 2>"$tmp/progress" &
shell=$!
pid=""
for _ in $(seq 50); do
  pid=$(pgrep -P "$shell" -f policystrata || true)
  [ -n "$pid" ] && break
  sleep 0.1
done
printf '%8s %12s %10s %10s\n' elapsed_s tasks_done rss_MB hwm_MB
start=$(date +%s)
while kill -0 "$shell" 2>/dev/null; do
  sleep "$every"
  [ -r "/proc/$pid/status" ] || break
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  [ -n "$rss" ] || break
  done_=$( (grep -o 'run: [0-9]*' "$tmp/progress" || true) | tail -1 | awk '{print $2}')
  printf '%8d %12s %10.0f %10.0f\n' "$(($(date +%s) - start))" "${done_:-0}" "$((rss / 1024))" "$((hwm / 1024))"
done
wait "$shell"
read -r wall peak <"$tmp/time"
echo "wall ${wall} s, peak RSS $((peak / 1024)) MB (/usr/bin/time)"
