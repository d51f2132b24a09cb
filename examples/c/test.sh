#!/usr/bin/env bash
# Builds the C CRM example against the committed header and the static
# library with -std=c11 -Wall -Wextra -Werror under ASan/UBSan, runs it, and
# asserts its output (the same as the PHP example's). Usage:
# examples/c/test.sh [LIBDIR]  (default: cargo's target/debug). scripts/test-c calls it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
libdir="${1:-$(cd "$root" && cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"${CC:-cc}" -std=c11 -Wall -Wextra -Werror -g -fsanitize=address,undefined -fno-sanitize-recover=all \
    -I"$root/include" "$here/crm.c" "$libdir/libchapterhouse.a" -lpthread -ldl -lm -o "$tmp/crm"
"$tmp/crm" "$root/examples/data" >"$tmp/out"
bash "$root/examples/php/expect-output.sh" "$tmp/out"
echo "==> examples/c: crm output as expected (ASan+UBSan)"
