# shellcheck shell=bash
#
# Small helpers shared by scripts/run and scripts/test. Source this file.

zw_log() { printf '[zhengwu] %s\n' "$*" >&2; }

zw_die() {
    zw_log "error: $*"
    exit 1
}

# zw_ensure_cargo: make `cargo` available (rustup installs it into
# ~/.cargo/bin, which non-login shells often do not have on PATH).
zw_ensure_cargo() {
    local cargo_home="${CARGO_HOME:-${HOME:-}/.cargo}"
    if ! command -v cargo >/dev/null 2>&1; then
        if [[ -f "$cargo_home/env" ]]; then
            # shellcheck disable=SC1091
            . "$cargo_home/env"
        elif [[ -x "$cargo_home/bin/cargo" ]]; then
            PATH="$cargo_home/bin:$PATH"
            export PATH
        fi
    fi
    if ! command -v cargo >/dev/null 2>&1; then
        zw_log "cargo (the Rust toolchain) was not found."
        zw_log "Install Rust $ZW_RUST_MIN or newer with rustup (https://rustup.rs), open a new shell, and run this command again."
        exit 1
    fi
    # The workspace's rust-version; Debian's packaged rustc (1.63) is far older.
    local version
    version=$(rustc --version 2>/dev/null | awk '{print $2}')
    if [[ -z "$version" ]] || ! zw_version_at_least "$version" "$ZW_RUST_MIN"; then
        zw_log "Rust ${version:-(rustc not found)} is too old: zhengwu needs Rust $ZW_RUST_MIN or newer."
        zw_log "Install the stable toolchain with rustup (https://rustup.rs), or update it: rustup update stable"
        exit 1
    fi
}

# The oldest Rust the workspace builds with (`rust-version` in Cargo.toml).
ZW_RUST_MIN=1.88

# zw_version_at_least A B: whether version A (e.g. 1.95.0) is B (e.g. 1.88) or newer.
zw_version_at_least() {
    local a b i
    IFS=. read -r -a a <<<"${1%%-*}"
    IFS=. read -r -a b <<<"$2"
    for i in 0 1 2; do
        if ((${a[i]:-0} != ${b[i]:-0})); then
            ((${a[i]:-0} > ${b[i]:-0}))
            return
        fi
    done
    return 0
}

# zw_duration SECONDS: print e.g. "3m07s".
zw_duration() {
    local s=$1
    if ((s >= 60)); then
        printf '%dm%02ds' $((s / 60)) $((s % 60))
    else
        printf '%ds' "$s"
    fi
}
