# Shared helpers for scripts/setup, scripts/check and friends. Sourced, not run.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export ROOT

# Tools installed by `cargo install` land here; make sure later steps find them.
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in *":$CARGO_BIN:"*) ;; *) PATH="$CARGO_BIN:$PATH" ;; esac
export PATH

# Where cargo puts its output, as cargo itself resolves it (CARGO_TARGET_DIR,
# a config file or a wrapper may move it; the default is <repo>/target).
# Sets and exports TARGET_DIR; call from inside the repository.
resolve_target_dir() {
    TARGET_DIR="$(cargo metadata --format-version 1 --no-deps |
        "${PYTHON:-python3}" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
    [ -n "$TARGET_DIR" ] || die "cargo metadata gave no target directory"
    export TARGET_DIR
}

# Pinned tool versions. wasm-bindgen-cli is not pinned here: it must equal the
# `wasm-bindgen` crate version in Cargo.lock (see wasm_bindgen_version).
CBINDGEN_VERSION="0.29.4"
# For scripts/fuzz (only installed once the repo has a fuzz/ crate).
CARGO_FUZZ_VERSION="0.13.2"
VENV="$ROOT/.venv"
# Directories whose committed package-lock.json `npm ci` installs.
NPM_DIRS=(bindings-wasm examples/web)

log() { printf '==> %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# The version of the wasm-bindgen crate that Cargo.lock resolved.
wasm_bindgen_version() {
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

# True when rustup has the wasm32 standard library installed (a user's laptop).
# rustup can hang on these machines, so never without a timeout. (Output is
# captured before grep: `cmd | grep -q` fails under pipefail on SIGPIPE.)
have_rustup_wasm_target() {
    command -v rustup >/dev/null 2>&1 &&
        grep -qx 'wasm32-unknown-unknown' <<<"$(timeout 20 rustup target list --installed 2>/dev/null)"
}

# True when Debian's rustc-web recipe (notes/wasm-toolchain.md) is installed.
have_debian_wasm_recipe() {
    [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] && [ -x /usr/bin/rust-lld ] &&
        [ -d /usr/lib/rustlib/src/rust/library ]
}

is_debian_root() {
    [ "$(id -u)" = 0 ] && [ -r /etc/debian_version ] && command -v apt-get >/dev/null 2>&1
}

# A digest of files' contents (sha256sum on Linux, shasum on macOS).
sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        cat "$@" | sha256sum | cut -d' ' -f1
    else
        cat "$@" | shasum -a 256 | cut -d' ' -f1
    fi
}
