#!/usr/bin/env bash
# Every check, in the order a failure is cheapest to find: format, lints, unit tests,
# the store on SQLite and on PostgreSQL, then the browser tests in Chromium on both.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
PG_ADMIN_URL="${FANGXIN_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
export FANGXIN_TEST_PG_URL="$PG_ADMIN_URL"

bash scripts/install-tools.sh

step "format"
cargo fmt --all -- --check

step "clippy (server side)"
cargo clippy -p domain -p store -p app -p server --all-targets -- -D warnings
step "clippy (browser side, wasm32)"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "unit tests and store tests on SQLite"
FANGXIN_TEST_DB=sqlite cargo test -p domain -p store -p app -p server

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

run_e2e() {
  local label=$1 url=$2
  step "browser tests in Chromium on $label"
  local data
  data=$(mktemp -d)
  (cd end2end && env -u DATABASE_URL FANGXIN_E2E_DATA_DIR="$data" FANGXIN_E2E_DATABASE_URL="$url" npx playwright test)
  rm -rf "$data"
}
run_e2e SQLite ""
if [ "$RUN_PG" = 1 ]; then
  db="fx_e2e_$$"
  psql "$PG_ADMIN_URL" -qc "create database $db" >/dev/null
  pg_url="${PG_ADMIN_URL%/*}/$db"
  run_e2e PostgreSQL "$pg_url"
  psql "$PG_ADMIN_URL" -qc "drop database if exists $db with (force)" >/dev/null
fi
step "all checks passed"
