#!/usr/bin/env bash
# Lighthouse (mobile) scores of the public pages the portal issue names: the home page,
# the directory and a unit's page, on the release build with demo data on SQLite.
#   ./scripts/lighthouse.sh            # after `cargo leptos build --release --split`
# Installs npm lighthouse@12.2.3 once into ~/.cache/fangxin-lighthouse. Prints one row
# per page: performance, accessibility, best practices, SEO.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
build_tools
tools="$HOME/.cache/fangxin-lighthouse"
if [ ! -x "$tools/node_modules/.bin/lighthouse" ]; then
  mkdir -p "$tools"
  (cd "$tools" && npm install --no-audit --no-fund --loglevel=error lighthouse@12.2.3)
fi
data=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$data"' EXIT
port=${PORT:-3190}
FANGXIN_DATA_DIR="$data" "$FANGXIN_TOOLS_BIN" seed-demo >/dev/null
FANGXIN_DATA_DIR="$data" FANGXIN_LOG=error "$FANGXIN_BIN" serve --listen "127.0.0.1:$port" \
  --site-root "$FANGXIN_SITE_ROOT" >"$data/server.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 1; done
base="http://127.0.0.1:$port"
unit=$(curl -s "$base/units" | grep -o 'href="/units/[0-9]*"' | head -n1 | cut -d'"' -f2)
printf '%-22s %6s %6s %6s %6s\n' page perf a11y bp seo
for path in / /units "$unit"; do
  out="$data/lh.json"
  CHROME_PATH=/usr/bin/chromium "$tools/node_modules/.bin/lighthouse" "$base$path" \
    --quiet --output=json --output-path="$out" --form-factor=mobile \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" >/dev/null 2>&1 || true
  python3 - "$path" "$out" <<'PY'
import json, sys
path, out = sys.argv[1], sys.argv[2]
try:
    c = json.load(open(out))["categories"]
    s = [round(c[k]["score"] * 100) for k in ("performance", "accessibility", "best-practices", "seo")]
    print(f"{path:<22} {s[0]:>6} {s[1]:>6} {s[2]:>6} {s[3]:>6}")
    r = json.load(open(out))
    for k in ("performance", "accessibility", "best-practices", "seo"):
        for a in r["categories"][k]["auditRefs"]:
            au = r["audits"][a["id"]]
            if a["weight"] > 0 and au.get("score") is not None and au["score"] < 1:
                print(f"    {k}: {a['id']} {au['score']}")
except Exception as e:
    print(f"{path:<22} lighthouse failed: {e}")
PY
done
