#!/usr/bin/env bash
# Runs the PHP CRM example (PHP FFI over the shared library) and asserts its
# output. Usage: examples/php/test.sh [LIBDIR]   (default: cargo's target/debug,
# built by `cargo build -p chapterhouse-c`). scripts/test-c calls it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
libdir="${1:-$(cd "$root" && cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug}"
command -v php >/dev/null || { echo "ERROR: php not found (apt-get install php-cli)" >&2; exit 1; }
php -r 'exit(extension_loaded("ffi") ? 0 : 1);' || { echo "ERROR: PHP has no FFI extension" >&2; exit 1; }
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
php "$here/crm.php" "$libdir/libchapterhouse.so" >"$out"
bash "$here/expect-output.sh" "$out"
echo "==> examples/php: crm.php output as expected"
