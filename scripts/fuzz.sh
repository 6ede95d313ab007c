#!/usr/bin/env bash
# A long mutation campaign over every reader (tests/fuzz_readers.rs): CASES damaged files per
# input (default 5000) from SEED (default: the date). A failure prints the input, the case and the
# damage; rerun one with the same SEED, and TOWNCIRCLE_FUZZ_VERBOSE=1 to see each case as it runs.
set -euo pipefail
cd "$(dirname "$0")/.."
cases="${1:-5000}"
seed="${2:-$(date +%Y%m%d)}"
echo "fuzz_readers: $cases cases per input, seed $seed"
TOWNCIRCLE_FUZZ_CASES="$cases" TOWNCIRCLE_FUZZ_SEED="$seed" \
  cargo test --release --test fuzz_readers -- --nocapture
