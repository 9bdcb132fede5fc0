#!/usr/bin/env bash
# Prints the size of what a browser downloads, raw, gzip -9 and brotli -q 11, after a
# release build (`cargo leptos build --release`). The first rows are what every
# page loads; split___* rows (from a `--split` build) load only when their page is first shown.
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
pkg=target/site/pkg
command -v brotli >/dev/null || { echo "needs brotli (apt-get install brotli)" >&2; exit 1; }
row() { printf '%-46s %9s %9s %9s\n' "$1" "$(stat -c%s "$2")" "$(gzip -9c "$2" | wc -c)" "$(brotli -q 11 -c "$2" | wc -c)"; }
printf '%-46s %9s %9s %9s\n' file raw gzip brotli
for f in "$pkg"/fangxin.*.wasm "$pkg"/fangxin.*.js "$pkg"/fangxin.*.css; do row "$(basename "$f" | sed 's/\.[A-Za-z0-9_-]\{22\}\./.*./')" "$f"; done
for f in "$pkg"/split___*.wasm; do row "$(basename "$f" | sed 's/_route_view_[0-9]*\..*//')" "$f"; done
