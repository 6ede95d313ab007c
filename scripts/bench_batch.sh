#!/usr/bin/env bash
# Whole-city batch benchmark: N synthetic towns (towncircle demo-town --seed 1..N) analysed by
# `towncircle batch` in a release build, with wall time and peak resident memory from
# /usr/bin/time -v. Figures go to README.md, "`towncircle batch`".
#
#   scripts/bench_batch.sh [N=118] [JOBS=cores] [WORKDIR=a new temporary folder]
#
# Builds the headless CLI (cargo build --release --no-default-features) unless TOWNCIRCLE_BIN
# names a binary. Set CARGO_TARGET_DIR as usual. Then runs the batch twice: a full run, and a
# --resume run over the unchanged city (which must rerun nothing).
set -euo pipefail

N="${1:-118}"
JOBS="${2:-$(nproc)}"
WORK="${3:-$(mktemp -d -t tc-batch-bench.XXXXXX)}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

if [[ -z "${TOWNCIRCLE_BIN:-}" ]]; then
    (cd "$ROOT" && cargo build --release --no-default-features --quiet)
    TOWNCIRCLE_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/towncircle"
fi
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

CITY="$WORK/city"
OUT="$WORK/out"
mkdir -p "$CITY"
echo "generating $N towns into $CITY"
gen_start=$(date +%s.%N)
for i in $(seq 1 "$N"); do
    name=$(printf 'town%03d' "$i")
    [[ -d "$CITY/$name" ]] || "$TOWNCIRCLE_BIN" demo-town "$CITY/$name" --seed "$i" >/dev/null
done
gen_end=$(date +%s.%N)
printf 'generated in %.1f s, %s on disk\n' "$(echo "$gen_end - $gen_start" | bc)" "$(du -sh "$CITY" | cut -f1)"

run() {
    local label="$1"; shift
    /usr/bin/time -v "$TOWNCIRCLE_BIN" batch "$CITY" --out "$OUT" --jobs "$JOBS" "$@" \
        > "$WORK/$label.log" 2> "$WORK/$label.time" || true
    local wall rss
    wall=$(grep 'Elapsed (wall clock)' "$WORK/$label.time" | awk '{print $NF}')
    rss=$(grep 'Maximum resident set size' "$WORK/$label.time" | awk '{print $NF}')
    printf '%-8s towns %s  jobs %s  wall %s  peak RSS %d MB  | %s\n' "$label" "$N" "$JOBS" "$wall" \
        "$((rss / 1024))" "$(grep -E '^[0-9]+ town\(s\):' "$WORK/$label.log")"
}

rm -rf "$OUT"
run full
run resume --resume
printf 'outputs: %s in %s\n' "$(du -sh "$OUT" | cut -f1)" "$OUT"
echo "logs and timings in $WORK"
