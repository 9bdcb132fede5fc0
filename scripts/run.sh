#!/usr/bin/env bash
# Sets up everything, builds the release, loads the demo county and serves it on
# http://127.0.0.1:3000 (SQLite in ./data unless DATABASE_URL says otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

bash scripts/install-tools.sh
step "building the release (first build takes a few minutes)"
cargo leptos build --release --split
build_tools
step "loading the demo data"
"$FANGXIN_TOOLS_BIN" seed-demo
step "serving on http://${FANGXIN_LISTEN:-127.0.0.1:3000}  (Ctrl-C stops)"
exec "$FANGXIN_BIN" serve --site-root "$FANGXIN_SITE_ROOT"
