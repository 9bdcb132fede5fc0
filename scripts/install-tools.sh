#!/usr/bin/env bash
# Installs everything the build and the tests need, idempotently.
# Each step checks first, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

# 1. The WASM target.
if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# Installs a crate from its registry source with one dependency pinned back,
# because the published lock file wants a newer rustc than this machine has.
install_pinned() {
  local krate=$1 version=$2 bin=$3 pin_pkg=$4 pin_ver=$5
  if command -v "$bin" >/dev/null 2>&1 && "$bin" --version 2>/dev/null | grep -q "$version"; then
    return 0
  fi
  log "installing $krate $version (pinning $pin_pkg to $pin_ver)"
  local src
  src=$(ls -d "$HOME"/.cargo/registry/src/*/"$krate-$version" 2>/dev/null | head -n1 || true)
  if [ -z "$src" ]; then
    # Fetch the source: a throwaway manifest that depends on the crate makes cargo download it.
    local fetch
    fetch=$(mktemp -d)
    mkdir -p "$fetch/src" && touch "$fetch/src/lib.rs"
    printf '[package]\nname="fetch-src"\nversion="0.0.0"\nedition="2021"\n[dependencies]\n%s = "=%s"\n' "$krate" "$version" >"$fetch/Cargo.toml"
    (cd "$fetch" && cargo fetch >/dev/null 2>&1 || cargo generate-lockfile >/dev/null 2>&1 || true)
    (cd "$fetch" && cargo fetch >/dev/null 2>&1 || true)
    rm -rf "$fetch"
    src=$(ls -d "$HOME"/.cargo/registry/src/*/"$krate-$version" 2>/dev/null | head -n1 || true)
  fi
  if [ -z "$src" ]; then
    echo "could not fetch the source of $krate $version from crates.io" >&2
    exit 1
  fi
  local work
  work=$(mktemp -d)
  cp -r "$src" "$work/$krate"
  (cd "$work/$krate" && cargo update -p "$pin_pkg" --precise "$pin_ver" && cargo install --path . --locked)
  rm -rf "$work"
}

# 2. cargo-leptos and wasm-bindgen-cli.
install_pinned cargo-leptos 0.3.11 cargo-leptos cargo-util-schemas 0.14.1
install_pinned wasm-bindgen-cli 0.2.130 wasm-bindgen webpki-roots 1.0.10

# 3. Chromium for the browser tests (Debian's; Playwright's own download cannot work here),
#    CJK fonts for its screenshots, brotli for scripts/wasm-size.sh.
if ! command -v chromium >/dev/null 2>&1 || ! command -v brotli >/dev/null 2>&1; then
  log "installing chromium, fonts-noto-cjk and brotli"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk brotli >/dev/null
fi

# 4. npm tools: Playwright, axe, and wasm-opt from binaryen (Debian's is too old).
if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -d end2end/node_modules/@playwright/test ] \
   || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  log "installing npm tools in end2end/"
  (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
fi
# 5. An S3-compatible server for the object-store tests (moto, in its own virtualenv).
S3_VENV="${FANGXIN_TOOLS:-$HOME/.cache/fangxin-tools}/s3-venv"
if [ ! -x "$S3_VENV/bin/moto_server" ]; then
  log "installing an S3-compatible test server (moto) in $S3_VENV"
  python3 -m venv "$S3_VENV"
  "$S3_VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==5.2.5"
fi
log "tools ready"
