#!/usr/bin/env bash
# What CI checks, runnable by hand before a commit: formatting, lints, tests, the headless build.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings"
cargo clippy --all-targets -- -D warnings
echo "== cargo test"
cargo test
echo "== cargo build --no-default-features (headless CLI, no GUI)"
cargo build --no-default-features
echo "check.sh: all good"
