# Sourced by the scripts.
#
# Builds go to one folder outside the clone, so CI and later runs reuse them: `target`
# is a link to it. (cargo-leptos computes the server binary's path relative to the
# workspace, so CARGO_TARGET_DIR pointing outside the clone does not work with it.)
FANGXIN_CACHE="${FANGXIN_CACHE:-$HOME/.cache/fangxin-target}"
mkdir -p "$FANGXIN_CACHE"
if [ ! -e target ]; then ln -s "$FANGXIN_CACHE" target; fi
unset CARGO_TARGET_DIR
# Incremental caches only help edit–compile loops, and they grow without bound in a
# folder that every run shares.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
# scripts/bin first: its wasm-opt caches what the one in node_modules makes.
export PATH="$PWD/scripts/bin:$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export FANGXIN_BIN="$PWD/target/release/fangxin"
export FANGXIN_SITE_ROOT="$PWD/target/site"
# Data generation and benchmarks: a separate binary the product does not contain.
export FANGXIN_TOOLS_BIN="$PWD/target/release/fangxin-tools"
# Each step prints the time it starts, so a run's log shows where its minutes go.
step() { printf '\n\033[1;32m==> %s %s\033[0m\n' "$(date +%T)" "$*"; }
build_tools() { # the release fangxin-tools binary, brought up to date (cargo does nothing when it is)
  step "building fangxin-tools (demo data, generator, benchmarks)"
  # cargo-leptos builds the server with LEPTOS_OUTPUT_NAME set, and leptos_config reads it
  # at compile time: the same value here lets both share one build of leptos and app
  # (without it, each build recompiles them for the other, ~7 min).
  LEPTOS_OUTPUT_NAME=fangxin cargo build --release -p tools --bin fangxin-tools
}
