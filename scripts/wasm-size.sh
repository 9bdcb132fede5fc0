#!/usr/bin/env bash
# Prints the size of what a browser downloads, raw, gzip -9 and brotli -q 11, after a
# release build (`cargo leptos build --release --split`). The first rows are what every
# hydrated page loads; the split___* rows load only when their page is first shown.
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
pkg=target/site/pkg
command -v brotli >/dev/null || { echo "needs brotli (apt-get install brotli)" >&2; exit 1; }
row() { printf '%-46s %9s %9s %9s\n' "$1" "$(stat -c%s "$2")" "$(gzip -9c "$2" | wc -c)" "$(brotli -q 11 -c "$2" | wc -c)"; }
printf '%-46s %9s %9s %9s\n' file raw gzip brotli
# fangxin.*.js imports __wasm_split.*.js statically: every hydrated page loads it too.
for f in "$pkg"/fangxin.*.wasm "$pkg"/fangxin.*.js "$pkg"/__wasm_split.*.js "$pkg"/fangxin.*.css; do row "$(basename "$f" | sed 's/\.[A-Za-z0-9_-]\{22\}\./.*./')" "$f"; done
# Per lazy page: its own module plus every shared chunk it needs (from the split
# manifest), which is what the first visit to that page downloads on top of the above.
manifest=$(ls "$pkg"/__wasm_split_manifest.*.json 2>/dev/null | head -n1 || true)
[ -n "$manifest" ] || exit 0
python3 - "$pkg" "$manifest" <<'PY'
import json, os, subprocess, sys, gzip
pkg, manifest = sys.argv[1], sys.argv[2]
def sizes(name):
    data = open(os.path.join(pkg, name + ".wasm"), "rb").read()
    br = subprocess.run(["brotli", "-q", "11", "-c"], input=data, capture_output=True).stdout
    return len(data), len(gzip.compress(data, 9)), len(br)
for route, parts in sorted(json.load(open(manifest)).items()):
    total = [sum(x) for x in zip(*(sizes(p) for p in parts))]
    name = "page " + route.strip("_").split("_route_view")[0] + " (+ chunks)"
    print(f"{name:<46} {total[0]:>9} {total[1]:>9} {total[2]:>9}")
PY
