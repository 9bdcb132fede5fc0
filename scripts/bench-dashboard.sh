#!/usr/bin/env bash
# Dashboard benchmark (not a test). For each size (default 1 M and 10 M complaints, 50 k
# businesses) on SQLite and on PostgreSQL: generates the data with `fangxin-tools generate`,
# then prints p50/p95 of every dashboard query next to the naive GROUP BY over the raw
# rows (`fangxin-tools bench-dashboard`). Then runs two server instances on one database and
# prints how long a change written elsewhere takes to reach a dashboard's change stream
# on the second instance (`fangxin-tools bench-live`).
#
#   ./scripts/bench-dashboard.sh                  # 1 M and 10 M, both databases
#   SIZES="100000" BACKENDS=sqlite ./scripts/bench-dashboard.sh
#   BENCH_DIR=/tmp/bench REUSE=1 ./scripts/bench-dashboard.sh   # keep the data, reuse it
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
SIZES="${SIZES:-1000000 10000000}"
BACKENDS="${BACKENDS:-sqlite postgres}"
ORGS="${ORGS:-50000}"
PG_ADMIN="${FANGXIN_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
PG_BASE="${PG_ADMIN%/*}"
if [ ! -x "$FANGXIN_BIN" ]; then
  step "building the release binary"
  # The LEPTOS_OUTPUT_NAME cargo-leptos uses: one shared build (see build_tools).
  LEPTOS_OUTPUT_NAME=fangxin cargo build --release -p server
fi
build_tools
work="${BENCH_DIR:-$(mktemp -d)}"
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  if [ -z "${BENCH_DIR:-}" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
# (error: the naive queries would each log a slow-statement warning)
export FANGXIN_LOG=error

fx() { # backend, size, fangxin-tools args…
  local backend=$1 size=$2; shift 2
  if [ "$backend" = sqlite ]; then
    "$FANGXIN_TOOLS_BIN" --data-dir "$work/sqlite-$size" "$@"
  else
    "$FANGXIN_TOOLS_BIN" --data-dir "$work/pg-$size" --database-url "$PG_BASE/fx_bench_$size" "$@"
  fi
}

# A server instance in the background; `exec` makes $! its own pid, so it can be stopped.
serve() { # backend, size, port
  local backend=$1 size=$2 port=$3
  if [ "$backend" = sqlite ]; then
    exec "$FANGXIN_BIN" --data-dir "$work/sqlite-$size" serve --listen "127.0.0.1:$port"
  else
    exec "$FANGXIN_BIN" --data-dir "$work/pg-$size" --database-url "$PG_BASE/fx_bench_$size" \
      serve --listen "127.0.0.1:$port"
  fi
}

# Whether data of this size is already there (REUSE=1 then keeps it).
generated() { # backend, size
  if [ "$1" = sqlite ]; then
    [ -f "$work/sqlite-$2/fangxin.db" ]
  else
    [ "$(psql "$PG_ADMIN" -Atqc "select 1 from pg_database where datname = 'fx_bench_$2'")" = 1 ]
  fi
}

for size in $SIZES; do
  for backend in $BACKENDS; do
    step "$backend, $size complaints, $ORGS businesses"
    if [ -n "${REUSE:-}" ] && generated "$backend" "$size"; then
      echo "reusing the data generated before (REUSE=1)"
    else
      if [ "$backend" = postgres ]; then
        psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS fx_bench_$size" >/dev/null
        psql "$PG_ADMIN" -qc "CREATE DATABASE fx_bench_$size" >/dev/null
      else
        rm -rf "$work/sqlite-$size"
      fi
      t0=$(date +%s)
      fx "$backend" "$size" generate --complaints "$size" --organisations "$ORGS" --seed 7 | tail -1
      echo "generated in $(( $(date +%s) - t0 )) s"
    fi
    if [ "$backend" = postgres ]; then psql "$PG_BASE/fx_bench_$size" -qc "VACUUM ANALYZE" >/dev/null; fi
    fx "$backend" "$size" bench-dashboard --runs 50 --naive-runs 5 | sed "s/^RESULT /RESULT dashboard_${backend}_${size}_/"
  done
done

# Live updates across two server instances on one database: instance A serves, instance
# B serves; this process writes (as a third party would) and times the event on B.
size="${SIZES%% *}"
for backend in $BACKENDS; do
  step "live update across two server instances ($backend)"
  for port in 3101 3102; do
    serve "$backend" "$size" "$port" > "$work/serve-$backend-$port.log" 2>&1 &
    pids+=($!)
  done
  for port in 3101 3102; do
    for _ in $(seq 1 100); do
      curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
      sleep 0.2
    done
  done
  fx "$backend" "$size" bench-live --url http://127.0.0.1:3102 --runs 30 | sed "s/^RESULT /RESULT ${backend}_/"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
done
if [[ " $BACKENDS " == *" postgres "* ]] && [ -z "${REUSE:-}" ]; then
  for size in $SIZES; do psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS fx_bench_$size" >/dev/null || true; done
fi
