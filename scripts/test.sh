#!/usr/bin/env bash
# Every check, in the order a failure is cheapest to find: format, lints, unit tests,
# the store on SQLite and on PostgreSQL, then the browser tests in Chromium on both.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
PG_ADMIN_URL="${FANGXIN_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
export FANGXIN_TEST_PG_URL="$PG_ADMIN_URL"

bash scripts/install-tools.sh

# The shared build folder keeps every old test binary; past 30 GB start the debug builds afresh.
if [ "$(du -s -BG "$FANGXIN_CACHE" 2>/dev/null | cut -f1 | tr -d G)" -gt 30 ] 2>/dev/null; then
  step "the build folder is over 30 GB: removing its debug builds"
  rm -rf "$FANGXIN_CACHE/debug"
fi

# An S3-compatible server for the object-store tests and the PostgreSQL browser run
# (the configuration of several instances: PostgreSQL plus shared object storage).
S3_PORT="${FANGXIN_TEST_S3_PORT:-9123}"
"${FANGXIN_TOOLS:-$HOME/.cache/fangxin-tools}/s3-venv/bin/moto_server" -H 127.0.0.1 -p "$S3_PORT" >/dev/null 2>&1 &
S3_PID=$!
trap 'kill $S3_PID 2>/dev/null || true' EXIT
export FANGXIN_TEST_S3="http://127.0.0.1:$S3_PORT"
for _ in $(seq 1 50); do curl -s -o /dev/null "$FANGXIN_TEST_S3" && break; sleep 0.2; done

step "format"
cargo fmt --all -- --check

step "clippy (server side)"
cargo clippy -p domain -p store -p app -p server -p testkit -p tools --all-targets -- -D warnings
step "clippy (browser side, wasm32)"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "unit tests and store tests on SQLite"
FANGXIN_TEST_DB=sqlite cargo test -p domain -p store -p app -p server -p testkit

pg_reachable() { psql "$PG_ADMIN_URL" -Atqc 'select 1' >/dev/null 2>&1; }
RUN_PG=1
if ! pg_reachable; then
  if [ -n "${CI:-}" ] || [ -n "${FANGXIN_REQUIRE_PG:-}" ]; then
    echo "PostgreSQL at $PG_ADMIN_URL cannot be reached, and CI requires it." >&2
    exit 1
  fi
  RUN_PG=0
  printf '\n\033[1;33m!! NOTICE: PostgreSQL at %s is not reachable: the PostgreSQL suites are SKIPPED.\033[0m\n' "$PG_ADMIN_URL"
fi
# Databases left behind by an interrupted run.
if [ "$RUN_PG" = 1 ]; then
  for db in $(psql "$PG_ADMIN_URL" -Atqc "select datname from pg_database where datname like 'fx\_t\_%' or datname like 'fx\_e2e\_%'"); do
    psql "$PG_ADMIN_URL" -qc "drop database if exists $db with (force)" >/dev/null
  done
fi

if [ "$RUN_PG" = 1 ]; then
  step "store tests on PostgreSQL"
  FANGXIN_TEST_DB=postgres cargo test -p store -p server
fi

step "release build (server + WASM)"
cargo leptos build --release --split
# The browser tests load the demo county with it.
build_tools

# Every test on both databases; the tests that run at both widths do so on the first only
# (FANGXIN_E2E_DEVICES, end2end/playwright.config.ts): a layout does not depend on the
# database, and the run stays well inside CI's time.
run_e2e() {
  local label=$1 url=$2 s3=$3 devices=$4
  step "browser tests in Chromium on $label ($devices)"
  local data
  data=$(mktemp -d)
  (cd end2end && env -u DATABASE_URL FANGXIN_E2E_DATA_DIR="$data" FANGXIN_E2E_DATABASE_URL="$url" \
    FANGXIN_S3_ENDPOINT="$s3" FANGXIN_S3_BUCKET="fx-e2e-$$" FANGXIN_E2E_DEVICES="$devices" npx playwright test)
  rm -rf "$data"
}
run_e2e "SQLite, files in the data folder" "" "" both
if [ "$RUN_PG" = 1 ]; then
  db="fx_e2e_$$"
  psql "$PG_ADMIN_URL" -qc "create database $db" >/dev/null
  pg_url="${PG_ADMIN_URL%/*}/$db"
  run_e2e "PostgreSQL, files in S3-compatible storage" "$pg_url" "$FANGXIN_TEST_S3" one
  psql "$PG_ADMIN_URL" -qc "drop database if exists $db with (force)" >/dev/null
fi
step "all checks passed"
