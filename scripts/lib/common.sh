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
        zw_log "Install Rust with rustup (https://rustup.rs), open a new shell, and run this command again."
        exit 1
    fi
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
