# shellcheck shell=bash
#
# The API served over a scratch database loaded with the demo data, for the stages that test
# the running server from outside (scripts/fuzz, scripts/contract). Source common.sh and pg.sh
# first, then this file.
#
#   zw_demo_server_start WORKDIR  build the debug binary, create a scratch database (on the
#                                 cluster of ZHENGWU_TEST_DATABASE_URL when it is set, else on
#                                 a throw-away cluster under WORKDIR), migrate, load the demo
#                                 data and serve on a free port
#   zw_demo_server_stop           stop the server, drop the scratch database, stop the cluster
#                                 this file started; prints the server log's tail when $1 != 0
#
# After zw_demo_server_start:
#   ZW_API         the server's base URL, e.g. http://127.0.0.1:40123
#   ZW_BIN         the zhengwu binary
#   ZW_SERVER_LOG  the server's log

ZW_API=""
ZW_BIN=""
ZW_SERVER_LOG=""
_zw_server_pid=""
_zw_own_cluster=""
_zw_admin_url=""
_zw_scratch_db=""

zw_demo_server_start() {
    local workdir=$1
    local root
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
    command -v curl >/dev/null 2>&1 || zw_die "curl is needed; install it (Debian: apt-get install curl)"

    zw_log "building (cargo build --bin zhengwu) ..."
    (cd "$root" && cargo build --quiet --bin zhengwu) || zw_die "cargo build failed"
    ZW_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/zhengwu"
    [[ -x "$ZW_BIN" ]] || zw_die "the build did not produce $ZW_BIN"

    # A cluster of a calling script (scripts/test exports these) is not ours to stop.
    unset PG_DATADIR PG_PORT PG_STARTED
    pg_ensure_binaries
    if [[ -n "${ZHENGWU_TEST_DATABASE_URL:-}" ]]; then
        _zw_admin_url=$ZHENGWU_TEST_DATABASE_URL
        zw_log "using the PostgreSQL of ZHENGWU_TEST_DATABASE_URL"
    else
        if [[ "$(id -u)" -eq 0 ]]; then
            chown "$(pg_cluster_user):" "$workdir"
        fi
        PG_FAST=1 pg_start_cluster "$workdir/pg" "$(pg_free_port)"
        _zw_own_cluster=$PG_DATADIR
        _zw_admin_url="postgres://zhengwu@127.0.0.1:$PG_PORT/postgres"
    fi
    _zw_scratch_db="zhengwu_demo_$$_$RANDOM"
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$_zw_admin_url" \
        -c "CREATE DATABASE \"$_zw_scratch_db\"" >/dev/null ||
        zw_die "could not create the scratch database $_zw_scratch_db"
    # The same server, another database: replace the path of the URL.
    local base_url=${_zw_admin_url%%\?*} query=""
    [[ "$_zw_admin_url" == *\?* ]] && query="?${_zw_admin_url#*\?}"
    export DATABASE_URL="${base_url%/*}/$_zw_scratch_db$query"

    local port
    port=$(pg_free_port)
    export ZHENGWU_BIND="127.0.0.1:$port"
    export ZHENGWU_JWT_SECRET="zhengwu-test-server-only-secret-0123456789abcdef"
    export ZHENGWU_STORAGE_DIR="$workdir/storage"
    export ZHENGWU_ALERT_JOB_INTERVAL=0
    export ZHENGWU_LOGIN_RATE=100000
    export ZHENGWU_LOOKUP_RATE=100000
    export ZHENGWU_ACCESS_TOKEN_TTL=7200
    export RUST_LOG="${RUST_LOG:-warn}"
    unset ZHENGWU_READ_DATABASE_URL ZHENGWU_CORS_ORIGINS

    zw_log "loading the demo data into $_zw_scratch_db ..."
    "$ZW_BIN" migrate >"$workdir/setup.log" 2>&1 || {
        cat "$workdir/setup.log" >&2
        zw_die "zhengwu migrate failed"
    }
    "$ZW_BIN" demo >>"$workdir/setup.log" 2>&1 || {
        cat "$workdir/setup.log" >&2
        zw_die "zhengwu demo failed"
    }

    ZW_SERVER_LOG="$workdir/server.log"
    "$ZW_BIN" serve >"$ZW_SERVER_LOG" 2>&1 &
    _zw_server_pid=$!
    ZW_API="http://127.0.0.1:$port"
    local deadline=$((SECONDS + 60))
    until curl -fsS -o /dev/null "$ZW_API/readyz" 2>/dev/null; do
        kill -0 "$_zw_server_pid" 2>/dev/null || zw_die "zhengwu serve exited during start-up"
        ((SECONDS < deadline)) || zw_die "zhengwu serve did not answer on $ZW_API within 60s"
        sleep 0.2
    done
    zw_log "serving on $ZW_API"
}

# zw_demo_server_alive: whether the server still runs.
zw_demo_server_alive() {
    [[ -n "$_zw_server_pid" ]] && kill -0 "$_zw_server_pid" 2>/dev/null
}

zw_demo_server_stop() {
    local rc=${1:-0}
    if zw_demo_server_alive; then
        kill "$_zw_server_pid" 2>/dev/null || true
        wait "$_zw_server_pid" 2>/dev/null || true
    fi
    _zw_server_pid=""
    if ((rc != 0)) && [[ -n "$ZW_SERVER_LOG" && -s "$ZW_SERVER_LOG" ]]; then
        zw_log "last lines of the server log ($ZW_SERVER_LOG):"
        tail -n 80 "$ZW_SERVER_LOG" >&2 || true
    fi
    if [[ -n "$_zw_scratch_db" && -z "$_zw_own_cluster" ]]; then
        "$PG_BIN/psql" -X -q -d "$_zw_admin_url" \
            -c "DROP DATABASE IF EXISTS \"$_zw_scratch_db\" WITH (FORCE)" >/dev/null 2>&1 ||
            zw_log "warning: could not drop the scratch database $_zw_scratch_db"
    fi
    _zw_scratch_db=""
    if [[ -n "$_zw_own_cluster" ]]; then
        pg_stop_cluster "$_zw_own_cluster" || zw_log "warning: could not stop the PostgreSQL in $_zw_own_cluster"
        case "$_zw_own_cluster" in
            /var/tmp/zhengwu-pg-*/*) rm -rf -- "$(dirname "$_zw_own_cluster")" ;;
        esac
    fi
    _zw_own_cluster=""
}

# zw_demo_token USERNAME: print an access token of a demo account (password zhengwu-demo-2026).
zw_demo_token() {
    local body
    body=$(printf '{"grant_type":"password","username":"%s","password":"zhengwu-demo-2026"}' "$1")
    curl -fsS -X POST "$ZW_API/api/v1/auth/token" -H 'Content-Type: application/json' -d "$body" |
        sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}
