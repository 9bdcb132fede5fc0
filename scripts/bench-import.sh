#!/usr/bin/env bash
# Import benchmark (not a test): generates a 12315 export of ROWS rows (default 1 M),
# then imports it with full validation on SQLite and on PostgreSQL, and prints rows per
# second and peak memory next to `sqlite3 .import` of the same CSV (no validation).
#
#   ./scripts/bench-import.sh            # 1 000 000 rows
#   ROWS=100000 ./scripts/bench-import.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
ROWS="${ROWS:-1000000}"
PG_ADMIN="${FANGXIN_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
if [ ! -x "$FANGXIN_BIN" ]; then
  step "building the release binary"
  # The LEPTOS_OUTPUT_NAME cargo-leptos uses: one shared build (see build_tools).
  LEPTOS_OUTPUT_NAME=fangxin cargo build --release -p server
fi
build_tools
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
csv="$work/12315.csv"

step "generating $ROWS rows"
"$FANGXIN_TOOLS_BIN" sample-12315 --rows "$ROWS" --out "$csv" --seed 2026
echo "file: $(du -h "$csv" | cut -f1)"

measure() { # key, label, command…  → prints seconds and peak RSS (MB), and RESULT lines
  local key="$1" label="$2"; shift 2
  local t0 t1 rss
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/rss" "$@" > "$work/out" 2>&1 || { cat "$work/out"; return 1; }
  t1=$(date +%s.%N)
  rss=$(tail -1 "$work/rss")
  awk -v l="$label" -v n="$ROWS" -v a="$t0" -v b="$t1" -v m="$rss" \
    'BEGIN { s = b - a; printf "%-34s %8.2f s %12.0f rows/s %8.1f MB peak\n", l, s, n / s, m / 1024 }'
  awk -v k="$key" -v n="$ROWS" -v a="$t0" -v b="$t1" -v m="$rss" \
    'BEGIN { printf "RESULT import_%s_rps %.0f\nRESULT import_%s_peak_mb %.1f\n", k, n / (b - a), k, m / 1024 }'
  grep -h "imported" "$work/out" || true
}

echo
echo "== results ($ROWS rows) =="
measure sqlite3 "sqlite3 .import (no validation)" sqlite3 "$work/baseline.db" ".mode csv" ".import $csv raw"
# The fangxin runs include start-up (migrations, reference data); the line under each
# gives the import alone, as the command measures it.
measure sqlite "fangxin import, SQLite" env FANGXIN_DATA_DIR="$work/sqlite" "$FANGXIN_BIN" import-complaints "$csv"
# SQLite's own cost of the same rows in Fangxin's complaints table (its indexes, no
# parsing, no validation, no Rust): the rows fangxin just stored, copied by one
# INSERT … SELECT into an empty database of the same schema (and page size), with the
# plain indexes dropped first and built again at the end, and triggers off, as the
# import does for a big file (`store::complaints::BULK_ROWS`). No importer on this
# schema can beat it.
FANGXIN_DATA_DIR="$work/floor" "$FANGXIN_BIN" migrate >/dev/null
plain="FROM sqlite_master WHERE type = 'index' AND tbl_name = 'complaints' AND sql IS NOT NULL AND upper(sql) NOT LIKE 'CREATE UNIQUE%' AND upper(sql) NOT LIKE '% WHERE %'"
drop=$(sqlite3 "$work/floor/fangxin.db" "SELECT 'DROP INDEX ' || name || ';' $plain")
build=$(sqlite3 "$work/floor/fangxin.db" "SELECT sql || ';' $plain")
measure sqlite_schema "sqlite3 INSERT…SELECT, same schema" sqlite3 "$work/floor/fangxin.db" \
  "PRAGMA cache_size = -65536" ".dbconfig enable_trigger off" "ATTACH '$work/sqlite/fangxin.db' AS s" \
  "BEGIN" "$drop" "INSERT INTO main.complaints SELECT * FROM s.complaints" "$build" "COMMIT"
db="fx_bench_$$"
base="${PG_ADMIN%/*}"
if psql "$PG_ADMIN" -qc "CREATE DATABASE $db" 2>/dev/null; then
  measure postgres "fangxin import, PostgreSQL" env DATABASE_URL="$base/$db" FANGXIN_DATA_DIR="$work/pg" "$FANGXIN_BIN" import-complaints "$csv"
  psql "$PG_ADMIN" -qc "DROP DATABASE $db" >/dev/null 2>&1 || true
else
  echo "PostgreSQL at $PG_ADMIN not reachable: skipped"
fi
