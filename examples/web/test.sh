#!/usr/bin/env bash
# Browser test of the "Find your chapter" page (scripts/check stage browser):
# builds the page, serves dist/ on 127.0.0.1 (this script starts the server
# and stops it on exit), and drives Debian's Chromium with playwright-core
# through test/page.test.mjs. Screenshots land in examples/web/test-output/.
#
#   bash examples/web/test.sh        (CHROMIUM=/path/to/chrome to override)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# The package's builds (the page imports chapterhouse/finder; its build step
# and this test use the Node build): made here when missing.
for f in node/chapterhouse_bg.wasm finder/chapterhouse_bg.wasm; do
    [ -f "$ROOT/bindings-wasm/pkg/$f" ] || { "$ROOT/scripts/build-wasm"; break; }
done
[ -x "$HERE/node_modules/.bin/vite" ] || die "examples/web/node_modules is missing: run scripts/setup"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] || die "no Chromium at $CHROMIUM: run scripts/setup, or set CHROMIUM"

cd "$HERE"
npm run --silent build
OUT="$HERE/test-output"
rm -rf "$OUT"
mkdir -p "$OUT"

node scripts/serve.mjs dist >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
URL=""
for _ in $(seq 100); do
    URL="$(head -n1 "$OUT/server.log" 2>/dev/null || true)"
    case "$URL" in http://*) break ;; esac
    kill -0 "$SERVER" 2>/dev/null || die "the server stopped: $(cat "$OUT/server.log")"
    sleep 0.1
done
case "$URL" in http://*) ;; *) die "the server printed no URL" ;; esac
echo "==> serving examples/web/dist at $URL"

PAGE_URL="$URL" CHROMIUM="$CHROMIUM" TEST_OUTPUT="$OUT" node --test test/
echo "==> screenshots: $(cd "$OUT" && ls ./*.png | tr '\n' ' ')"
