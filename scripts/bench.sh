#!/usr/bin/env bash
# The benchmark table (not a test): one command runs every benchmark and prints, at the
# end, one table of ratios against a baseline and the goal each is held to.
#
#   1. the directory page of 50 units, server-rendered from the database, against the
#      same server sending a static file of the same bytes (`fangxin-tools bench-http`):
#      throughput, p99, p99 at half the page's maximum rate, the server's memory;
#   2. dashboard query p95 at each size (default 1 M and 10 M complaints) on SQLite and
#      PostgreSQL, against the naive GROUP BY (scripts/bench-dashboard.sh);
#   3. a live update's latency across two server instances (same script);
#   4. import rows/s against `sqlite3 .import` of the same CSV (scripts/bench-import.sh);
#   5. the initial WASM and JS, brotli (scripts/wasm-size.sh);
#   6. 10 minutes of mixed traffic (`fangxin-tools bench-load`: public reads, autosaves,
#      dashboard views, complaints) at LOAD_RATE requests/s: errors, p99, memory, and
#      every acknowledged autosave checked in the database afterwards.
#
#   ./scripts/bench.sh                                   # everything (10 M takes a while)
#   SIZES=1000000 ./scripts/bench.sh                     # 1 M complaints only
#   BENCH_DIR=/tmp/bench REUSE=1 ./scripts/bench.sh      # keep generated data, reuse it
#   ONLY="http wasm" ./scripts/bench.sh                  # some parts: http load dashboard import wasm
#   LOAD_SECONDS=60 LOAD_RATE=40 ./scripts/bench.sh      # a shorter mixed load
#
# Run it on a quiet machine: every number shares the cores with everything else.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
ONLY="${ONLY:-http load dashboard import wasm}"
LOAD_SECONDS="${LOAD_SECONDS:-600}"
LOAD_RATE="${LOAD_RATE:-40}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-10}"
CONNECTIONS="${CONNECTIONS:-16}"
if [ ! -x "$FANGXIN_BIN" ] || [ ! -d "$FANGXIN_SITE_ROOT/pkg" ]; then
  step "building the release binary and site"
  cargo leptos build --release --split
fi
build_tools
work="$(mktemp -d)"
results="$work/results"
touch "$results"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export FANGXIN_LOG=error

# Runs a part, shows its output, keeps its RESULT lines.
part() { # name, command…
  local name=$1; shift
  step "$name"
  "$@" 2>&1 | tee "$work/part.log"
  grep '^RESULT ' "$work/part.log" >> "$results" || true
}

if [[ " $ONLY " == *" http "* ]] || [[ " $ONLY " == *" load "* ]]; then
  data="$work/http-data"
  site="$work/http-site"
  mkdir -p "$site"
  cp -r "$FANGXIN_SITE_ROOT/." "$site/"
  port=3107
  "$FANGXIN_TOOLS_BIN" --data-dir "$data" seed-demo >/dev/null
  "$FANGXIN_BIN" --data-dir "$data" serve --listen "127.0.0.1:$port" --site-root "$site" \
    > "$work/serve.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  if [[ " $ONLY " == *" http "* ]]; then
    part "directory page (SSR) against a static file, on one server (SQLite)" \
      "$FANGXIN_TOOLS_BIN" --data-dir "$data" bench-http --url "http://127.0.0.1:$port" \
      --site-root "$site" --pid "$server_pid" --seconds "$SECONDS_PER_RUN" --connections "$CONNECTIONS"
  fi
  if [[ " $ONLY " == *" load "* ]]; then
    part "mixed traffic for $LOAD_SECONDS s at $LOAD_RATE requests/s (SQLite)" \
      "$FANGXIN_TOOLS_BIN" --data-dir "$data" bench-load --url "http://127.0.0.1:$port" \
      --pid "$server_pid" --rate "$LOAD_RATE" --seconds "$LOAD_SECONDS"
  fi
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
fi
if [[ " $ONLY " == *" dashboard "* ]]; then
  part "dashboard queries and live updates" bash scripts/bench-dashboard.sh
fi
if [[ " $ONLY " == *" import "* ]]; then
  part "12315 import" bash scripts/bench-import.sh
fi
if [[ " $ONLY " == *" wasm "* ]]; then
  step "what a browser downloads"
  bash scripts/wasm-size.sh | tee "$work/wasm.log"
  awk '$1 ~ /^fangxin\..*\.wasm$/ { w = $4 } $1 ~ /^fangxin\..*\.js$/ { j = $4 }
       END { if (w) printf "RESULT wasm_br_bytes %d\nRESULT js_br_bytes %d\n", w, j }' "$work/wasm.log" >> "$results"
fi

step "the table"
python3 - "$results" <<'PY'
import sys
r = {}
for line in open(sys.argv[1]):
    _, k, v = line.split()
    r[k] = float(v)
rows = []
def row(what, value, baseline, ratio, goal, met):
    rows.append((what, value, baseline, ratio, goal, "yes" if met else ("NO" if met is False else "")))
def has(*ks): return all(k in r for k in ks)
if has("ssr_rps", "static_rps"):
    q = r["ssr_rps"] / r["static_rps"]
    row("directory page (50 units, SSR) req/s", f'{r["ssr_rps"]:.0f}', f'static file {r["static_rps"]:.0f}',
        f"{q:.2f}", ">= 0.50", q >= 0.5)
    row("  p99 at max rate, ms", f'{r["ssr_p99_ms"]:.1f}', f'static file {r["static_p99_ms"]:.1f}',
        f'{r["ssr_p99_ms"] / max(r["static_p99_ms"], 0.01):.2f}', "", None)
    if has("ssr_uncached_rps"):
        row("  rendered anew every request, req/s", f'{r["ssr_uncached_rps"]:.0f}',
            f'static file {r["static_rps"]:.0f}', f'{r["ssr_uncached_rps"] / r["static_rps"]:.2f}', "", None)
    row("  p99 at half its max rate, ms", f'{r["half_rate_p99_ms"]:.1f}', f'{r["half_rate_rps"]:.0f} req/s',
        "", "<= 20 ms", r["half_rate_p99_ms"] <= 20)
    row("  failed requests", f'{r["http_errors"]:.0f}', "", "", "0", r["http_errors"] == 0)
if has("load_requests"):
    row(f"mixed load {int(r['load_requests'])} requests, p99 ms", f'{r["load_p99_ms"]:.1f}', "", "", "", None)
    row("  failed requests", f'{r["load_errors"]:.0f}', "", "", "0", r["load_errors"] == 0)
    row("  acknowledged autosaves lost", f'{r["load_lost_writes"]:.0f}', "", "", "0", r["load_lost_writes"] == 0)
    if "load_rss_peak_mb" in r:
        row("  server memory, MB", f'{r["load_rss_peak_mb"]:.0f} peak', "", "", "", None)
if has("public_code_br_bytes"):
    kb = r["public_code_br_bytes"] / 1000
    row("public page (/ and /units) JS+WASM for a visitor, brotli, KB", f"{kb:.0f}", "150 KB budget",
        f"{kb / 150:.2f}", "<= 150", kb <= 150)
if has("rss_peak_mb"):
    row("server memory under that load, MB", f'{r["rss_peak_mb"]:.0f} peak', f'{r["rss_idle_mb"]:.0f} idle',
        f'{r["rss_peak_mb"] / r["rss_idle_mb"]:.2f}', "", None)
for k in sorted(r):
    if k.startswith("dashboard_") and k.endswith("_rollup_p95_ms"):
        _, backend, size, *_ = k.split("_")
        base = f"dashboard_{backend}_{size}_"
        naive = r.get(base + "naive_p95_ms")
        label = f"dashboard p95, {int(size) / 1e6:g} M complaints, {backend}, ms"
        row(label, f'{r[k]:.1f}', f"naive {naive:.0f}" if naive else "", f"{naive / r[k]:.0f}x faster" if naive else "",
            "", None)
        row("  whole dashboard (server function), ms", f'{r[base + "whole_p95_ms"]:.1f}', "", "", "", None)
for backend in ("sqlite", "postgres"):
    if f"{backend}_live_p95_ms" in r:
        row(f"live update across two instances, {backend}, ms", f'p95 {r[backend + "_live_p95_ms"]:.0f}',
            f'p50 {r[backend + "_live_p50_ms"]:.0f}', "", "", None)
if has("import_sqlite3_rps"):
    base = r["import_sqlite3_rps"]
    for backend in ("sqlite", "postgres"):
        k = f"import_{backend}_rps"
        if k in r:
            q = r[k] / base
            row(f"import 12315 rows/s, {backend} (validated)", f"{r[k]:.0f}", f"sqlite3 .import {base:.0f}",
                f"{q:.2f}", ">= 0.50" if backend == "sqlite" else "", (q >= 0.5) if backend == "sqlite" else None)
            row(f"  peak memory, MB", f'{r[f"import_{backend}_peak_mb"]:.0f}', f'sqlite3 {r["import_sqlite3_peak_mb"]:.0f}', "", "bounded", None)
    if "import_sqlite_schema_rps" in r:
        k = r["import_sqlite_schema_rps"]
        row("  SQLite alone, same rows into the same schema", f"{k:.0f}", f"sqlite3 .import {base:.0f}",
            f"{k / base:.2f}", "", None)
if has("wasm_br_bytes"):
    total = (r["wasm_br_bytes"] + r["js_br_bytes"]) / 1000
    row("signed-in app's initial WASM+JS, brotli, KB", f"{total:.0f}", "150 KB budget", f"{total / 150:.2f}", "", None)
w = [max(len(str(x[i])) for x in rows + [("measure", "value", "baseline", "ratio", "goal", "met")]) for i in range(6)]
for x in [("measure", "value", "baseline", "ratio", "goal", "met")] + rows:
    print("  ".join(str(c).ljust(w[i]) for i, c in enumerate(x)))
PY
