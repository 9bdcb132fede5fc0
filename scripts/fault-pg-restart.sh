#!/usr/bin/env bash
# Fault run (not in CI: it restarts this machine's PostgreSQL, which CI also uses).
# A server on PostgreSQL takes mixed traffic (`fangxin-tools bench-load`: public reads,
# autosaves, dashboard views, complaints); a third of the way in, PostgreSQL is
# stopped for PG_DOWN_SECONDS (default 5) and started again. Passes when the server,
# never restarted, answers again once PostgreSQL is back, and every autosave it
# acknowledged is in the database.
#
#   ./scripts/fault-pg-restart.sh
#   SECONDS_TOTAL=120 RATE=30 PG_DOWN_SECONDS=10 ./scripts/fault-pg-restart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
PG_ADMIN="${FANGXIN_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
SECONDS_TOTAL="${SECONDS_TOTAL:-90}"
RATE="${RATE:-30}"
PORT="${PORT:-3108}"
read -r version cluster < <(pg_lsclusters -h | awk '$3 == 5432 { print $1, $2; exit }')
PG_DOWN_SECONDS="${PG_DOWN_SECONDS:-5}"
STOP="${PG_STOP:-pg_ctlcluster $version $cluster stop --mode fast}"
START="${PG_START:-pg_ctlcluster $version $cluster start}"
if [ ! -x "$FANGXIN_BIN" ]; then
  step "building the release binary"
  # The LEPTOS_OUTPUT_NAME cargo-leptos uses: one shared build (see build_tools).
  LEPTOS_OUTPUT_NAME=fangxin cargo build --release -p server
fi
build_tools
work="$(mktemp -d)"
db="fx_fault_$$"
url="${PG_ADMIN%/*}/$db"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
export FANGXIN_LOG=error
psql "$PG_ADMIN" -qc "CREATE DATABASE $db" >/dev/null
"$FANGXIN_BIN" --data-dir "$work" --database-url "$url" migrate >/dev/null
"$FANGXIN_BIN" --data-dir "$work" --database-url "$url" serve --listen "127.0.0.1:$PORT" \
  --site-root "$FANGXIN_SITE_ROOT" > "$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 150); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

step "mixed load for $SECONDS_TOTAL s at $RATE requests/s; PostgreSQL stops for $PG_DOWN_SECONDS s a third of the way in"
"$FANGXIN_TOOLS_BIN" --data-dir "$work" --database-url "$url" bench-load --url "http://127.0.0.1:$PORT" \
  --pid "$server_pid" --rate "$RATE" --seconds "$SECONDS_TOTAL" > "$work/load.log" 2>&1 &
load_pid=$!
# The load first prepares its data (recognised units, drafts): wait for its first line.
for _ in $(seq 1 600); do grep -q "fangxin-tools bench-load" "$work/load.log" 2>/dev/null && break; sleep 0.2; done
sleep $(( SECONDS_TOTAL / 3 ))
t0=$(date +%s.%N)
$STOP
sleep "$PG_DOWN_SECONDS"
$START
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "PostgreSQL was down for %.1f s (stop, wait, start)\n", b - a }'
status=0
wait "$load_pid" || status=$?
cat "$work/load.log"
if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "FAIL: the server died with PostgreSQL" >&2
  exit 1
fi
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null || { echo "FAIL: /healthz does not answer after the restart" >&2; exit 1; }
if [ "$status" != 0 ]; then
  echo "FAIL: acknowledged writes were lost (bench-load exited $status)" >&2
  exit 1
fi
last=$(awk '$1 == "RESULT" && $2 == "load_last_error_s" { print $3 }' "$work/load.log")
restart_at=$(( SECONDS_TOTAL / 3 ))
if [ -n "$last" ] && awk -v l="$last" -v r="$restart_at" 'BEGIN { exit !(l > r + 30) }'; then
  echo "FAIL: errors went on until $last s, more than 30 s after the restart at about $restart_at s" >&2
  exit 1
fi
echo "PASS: the server kept running, answered again after PostgreSQL came back (last error at ${last:-none} s, restart at about $restart_at s), no acknowledged write lost"
