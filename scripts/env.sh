# Sourced by the scripts: one build folder outside the clone (so CI and later runs reuse
# it) and the npm tools (wasm-opt, playwright) on PATH.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/fangxin-target}"
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export FANGXIN_BIN="$CARGO_TARGET_DIR/release/fangxin"
# cargo-leptos writes the site under the workspace's target/ folder.
export FANGXIN_SITE_ROOT="$PWD/target/site"
step() { printf '\n\033[1;32m==> %s\033[0m\n' "$*"; }
