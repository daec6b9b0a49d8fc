# shellcheck shell=bash
#
# Helpers for a private, throw-away-friendly PostgreSQL cluster used by
# scripts/run (development) and scripts/test (tests). Source this file.
#
#   pg_ensure_binaries            find (or, as root, install) the server tools; exports PG_BIN
#   pg_start_cluster DATADIR PORT create if needed and start a cluster on 127.0.0.1:PORT
#   pg_stop_cluster DATADIR       fast shutdown (no-op when it is not running)
#   pg_free_port                  print a free TCP port on 127.0.0.1
#   pg_cluster_user               print the OS user the cluster runs as
#   pg_ensure_database PORT NAME  create database NAME if it does not exist
#
# The cluster is for development and tests only: the superuser role is
# `zhengwu` and every local and 127.0.0.1 connection is trusted (no password).
#
# After pg_start_cluster these variables are set:
#   PG_DATADIR   the data directory actually used (see "root" below)
#   PG_PORT      the port it listens on
#   PG_LOGFILE   the server log
#   PG_OS_USER   the operating-system user the server runs as
#   PG_STARTED   1 if this call started the server, 0 if it was already running
#   PG_SSL_ROOT_CERT  with PG_SSL=1: the CA certificate that signed the server's
#                certificate (for sslrootcert=…)
#
# Options (variables read by pg_start_cluster):
#   PG_FAST=1    trade durability for speed (fsync off etc.); for test clusters
#   PG_SSL=1     also accept TLS, with a certificate for localhost and 127.0.0.1 signed by
#                a throw-away CA made with openssl in DATADIR/tls (plain connections stay)
#   PG_SETTINGS  extra postgresql.conf lines (newline-separated), e.g. memory for benchmarks
#   PG_PORT_HINT advice printed when the requested port is taken
#
# Running as root: PostgreSQL refuses to run as root, so the cluster runs as
# the `postgres` user (or a system user `zhengwu-pg`, created if needed). If
# that user cannot reach DATADIR (for instance a checkout under /root), the
# cluster goes to /var/tmp/zhengwu-pg-<hash of DATADIR>/ instead; the same
# DATADIR always maps to the same place, so data is kept between runs.

PG_SUPERUSER=zhengwu
PG_TOOLS=(initdb pg_ctl postgres psql createdb pg_isready)
PG_START_TIMEOUT=30

_pg_log() { printf '[zhengwu] %s\n' "$*" >&2; }
_pg_die() {
    _pg_log "error: $*"
    exit 1
}

_pg_is_root() { [[ "$(id -u)" -eq 0 ]]; }

# _pg_has_tools DIR: true if DIR holds every tool in PG_TOOLS.
_pg_has_tools() {
    local dir=$1 tool
    [[ -n "$dir" && -d "$dir" ]] || return 1
    for tool in "${PG_TOOLS[@]}"; do
        [[ -x "$dir/$tool" ]] || return 1
    done
}

# _pg_find_bin: print the first directory holding all the tools: the
# directories of the tools found on PATH (symlinks resolved), then the newest
# /usr/lib/postgresql/*/bin.
_pg_find_bin() {
    local tool path dir
    local -a candidates=()
    if [[ -n "${PG_BIN:-}" ]]; then
        candidates+=("$PG_BIN")
    fi
    for tool in initdb pg_ctl postgres; do
        if path=$(command -v "$tool" 2>/dev/null) && [[ "$path" == /* ]]; then
            candidates+=("$(dirname "$(readlink -f "$path")")" "$(dirname "$path")")
        fi
    done
    if command -v pg_config >/dev/null 2>&1 && dir=$(pg_config --bindir 2>/dev/null); then
        candidates+=("$dir")
    fi
    while IFS= read -r dir; do
        candidates+=("$dir")
    done < <(compgen -G '/usr/lib/postgresql/*/bin' | sort -t/ -k5,5 -V -r)
    for dir in "${candidates[@]}"; do
        if _pg_has_tools "$dir"; then
            printf '%s\n' "$dir"
            return 0
        fi
    done
    return 1
}

pg_ensure_binaries() {
    local dir
    if dir=$(_pg_find_bin); then
        export PG_BIN="$dir"
        return 0
    fi
    if _pg_is_root; then
        if ! command -v apt-get >/dev/null 2>&1; then
            _pg_log "PostgreSQL server programs (${PG_TOOLS[*]}) were not found and apt-get is not available."
            _pg_log "Install the PostgreSQL server (version 13 or newer) with your package manager and re-run."
            exit 1
        fi
        _pg_log "PostgreSQL server programs not found; installing the Debian packages postgresql and postgresql-contrib ..."
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql postgresql-contrib
        dir=$(_pg_find_bin) || _pg_die "PostgreSQL was installed but ${PG_TOOLS[*]} still cannot be found"
        export PG_BIN="$dir"
        return 0
    fi
    _pg_log "PostgreSQL server programs (${PG_TOOLS[*]}) were not found."
    _pg_log "Install the Debian/Ubuntu packages postgresql and postgresql-contrib:"
    _pg_log "    sudo apt-get install postgresql postgresql-contrib"
    _pg_log "then run this command again (a running system PostgreSQL service is not needed)."
    exit 1
}

# _pg_cluster_user [--no-create]: the OS user that runs the cluster.
_pg_cluster_user() {
    if ! _pg_is_root; then
        id -un
        return 0
    fi
    if id -u postgres >/dev/null 2>&1; then
        echo postgres
        return 0
    fi
    if ! id -u zhengwu-pg >/dev/null 2>&1; then
        [[ "${1:-}" == --no-create ]] && return 1
        _pg_log "creating system user zhengwu-pg to run PostgreSQL (it refuses to run as root)"
        local useradd
        useradd=$(command -v useradd || echo /usr/sbin/useradd)
        "$useradd" --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin zhengwu-pg >&2 ||
            _pg_die "could not create the system user zhengwu-pg"
    fi
    echo zhengwu-pg
}

# pg_cluster_user: the OS user the cluster runs as (as root: postgres, or
# zhengwu-pg, created when missing; otherwise the current user).
pg_cluster_user() { _pg_cluster_user; }

# _pg_as USER COMMAND...: run COMMAND as USER (through runuser when root).
_pg_as() {
    local user=$1
    shift
    if _pg_is_root; then
        command -v runuser >/dev/null 2>&1 || _pg_die "runuser (util-linux) is needed to run PostgreSQL as $user"
        (cd / && runuser -u "$user" -- "$@")
    else
        "$@"
    fi
}

_pg_abspath() { realpath -m -- "$1"; }

_pg_hash() {
    if command -v sha256sum >/dev/null 2>&1; then
        printf '%s' "$1" | sha256sum | cut -c1-12
    else
        printf '%s' "$1" | cksum | cut -d' ' -f1
    fi
}

# _pg_resolve_datadir USER DATADIR: print the data directory to use. As root,
# a DATADIR whose parent USER cannot traverse maps to /var/tmp/zhengwu-pg-<hash>/.
_pg_resolve_datadir() {
    local user=$1 abs parent
    abs=$(_pg_abspath "$2")
    if ! _pg_is_root; then
        printf '%s\n' "$abs"
        return 0
    fi
    parent=$(dirname "$abs")
    if [[ -d "$parent" ]] && _pg_as "$user" test -x "$parent" 2>/dev/null; then
        printf '%s\n' "$abs"
    else
        printf '/var/tmp/zhengwu-pg-%s/%s\n' "$(_pg_hash "$abs")" "$(basename "$abs")"
    fi
}

# _pg_port_in_use PORT: true if something listens on 127.0.0.1:PORT.
_pg_port_in_use() {
    local port=$1
    if command -v ss >/dev/null 2>&1; then
        [[ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]]
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
    fi
}

pg_free_port() {
    local port i
    for ((i = 0; i < 200; i++)); do
        port=$((20000 + RANDOM % 10000))
        if ! _pg_port_in_use "$port"; then
            printf '%s\n' "$port"
            return 0
        fi
    done
    if command -v python3 >/dev/null 2>&1 &&
        port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null) &&
        [[ "$port" =~ ^[0-9]+$ ]]; then
        printf '%s\n' "$port"
        return 0
    fi
    _pg_log "error: could not find a free TCP port on 127.0.0.1"
    return 1
}

_pg_is_running() {
    local user=$1 datadir=$2
    [[ -f "$datadir/PG_VERSION" ]] || return 1
    _pg_as "$user" "$PG_BIN/pg_ctl" status -D "$datadir" >/dev/null 2>&1
}

_pg_major() { "$1/postgres" --version | sed -E 's/^[^0-9]*([0-9]+).*/\1/'; }

_pg_quote() { printf "'%s'" "${1//\'/\'\'}"; }

_pg_show_log() {
    local log=$1
    if [[ -r "$log" ]]; then
        _pg_log "last lines of $log:"
        tail -n 40 "$log" >&2 || true
    fi
}

# _pg_make_tls USER DATADIR: a CA and a server certificate for localhost and 127.0.0.1
# in DATADIR/tls (kept once made), owned by USER.
_pg_make_tls() {
    local user=$1 dir="$2/tls"
    command -v openssl >/dev/null 2>&1 || _pg_die "PG_SSL=1 needs openssl to make a certificate"
    if [[ ! -f "$dir/server.crt" ]]; then
        _pg_as "$user" mkdir -p "$dir"
        _pg_as "$user" sh -c '
            set -e
            cd "$1"
            openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=zhengwu test CA" \
                -keyout ca.key -out ca.crt 2>/dev/null
            openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
                -keyout server.key -out server.csr 2>/dev/null
            printf "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n" >ext.cnf
            openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
                -days 3650 -extfile ext.cnf -out server.crt 2>/dev/null
            chmod 0600 server.key ca.key
            chmod 0644 ca.crt
            rm -f server.csr ext.cnf' sh "$dir" ||
            _pg_die "could not make the TLS certificate in $dir"
    fi
    PG_SSL_ROOT_CERT="$dir/ca.crt"
    export PG_SSL_ROOT_CERT
}

pg_start_cluster() {
    [[ $# -eq 2 ]] || _pg_die "usage: pg_start_cluster DATADIR PORT"
    local requested=$2 user abs datadir base log sockdir conf out major want running_port
    if ! [[ "$requested" =~ ^[0-9]+$ ]] || ((10#$requested < 1 || 10#$requested > 65535)); then
        _pg_die "invalid PostgreSQL port: $requested"
    fi
    [[ -n "${PG_BIN:-}" ]] || pg_ensure_binaries

    user=$(_pg_cluster_user) || exit 1
    abs=$(_pg_abspath "$1")
    if _pg_is_root; then
        mkdir -p -- "$(dirname "$abs")"
    fi
    datadir=$(_pg_resolve_datadir "$user" "$abs")
    base=$(dirname "$datadir")
    log="$base/postgres.log"
    if [[ "$datadir" != "$abs" ]]; then
        _pg_log "user $user cannot reach $(dirname "$abs") (a parent directory is closed to it);"
        _pg_log "placing the PostgreSQL cluster in $datadir instead"
        if [[ -e "$base" && "$(stat -c %u "$base")" != 0 && "$(stat -c %U "$base")" != "$user" ]]; then
            _pg_die "$base exists and belongs to $(stat -c %U "$base"); remove it and retry"
        fi
        mkdir -p -- "$base"
        chmod 0755 "$base"
    fi

    if ! _pg_is_root && [[ -e "$datadir" && ! -O "$datadir" ]]; then
        _pg_die "$datadir belongs to $(stat -c %U "$datadir"), not to $user; remove it (or run as that user) and retry"
    fi

    # An existing cluster must be started with binaries of its own major version.
    if [[ -f "$datadir/PG_VERSION" ]]; then
        want=$(cat "$datadir/PG_VERSION")
        major=$(_pg_major "$PG_BIN")
        if [[ "$want" != "$major" ]]; then
            if _pg_has_tools "/usr/lib/postgresql/$want/bin"; then
                _pg_log "$datadir was created by PostgreSQL $want; using /usr/lib/postgresql/$want/bin"
                export PG_BIN="/usr/lib/postgresql/$want/bin"
            else
                _pg_die "$datadir was created by PostgreSQL $want but the installed server is $major; remove $datadir or install PostgreSQL $want"
            fi
        fi
    fi

    if _pg_is_root; then
        mkdir -p -- "$datadir"
        if [[ "$(stat -c %U "$datadir")" != "$user" ]]; then
            chown -R "$user:" "$datadir"
        fi
        touch "$log"
        chown "$user:" "$log"
    else
        mkdir -p -- "$datadir"
        touch "$log"
    fi
    chmod 0700 "$datadir"

    PG_DATADIR=$datadir
    PG_LOGFILE=$log
    PG_OS_USER=$user
    export PG_DATADIR PG_LOGFILE PG_OS_USER

    if _pg_is_running "$user" "$datadir"; then
        running_port=$(sed -n 4p "$datadir/postmaster.pid" 2>/dev/null || true)
        [[ "$running_port" =~ ^[0-9]+$ ]] || running_port=$requested
        if [[ "$running_port" != "$requested" ]]; then
            _pg_log "warning: the cluster in $datadir is already running on port $running_port (not $requested); using it"
        fi
        PG_PORT=$running_port
        PG_STARTED=0
        export PG_PORT PG_STARTED
        if [[ "${PG_SSL:-0}" == 1 && -f "$datadir/tls/ca.crt" ]]; then
            export PG_SSL_ROOT_CERT="$datadir/tls/ca.crt"
        fi
        _pg_wait_ready "$PG_PORT" "$user" "$datadir" "$log"
        _pg_log "reusing the PostgreSQL cluster already running on 127.0.0.1:$PG_PORT (data: $datadir)"
        return 0
    fi

    if _pg_port_in_use "$requested"; then
        _pg_die "port $requested on 127.0.0.1 is already in use by another program; ${PG_PORT_HINT:-choose another port}"
    fi

    if [[ ! -f "$datadir/PG_VERSION" ]]; then
        if [[ -n "$(ls -A -- "$datadir")" ]]; then
            _pg_die "$datadir is not empty and is not a PostgreSQL data directory; remove it and retry"
        fi
        local locale=C locales
        locales=$(locale -a 2>/dev/null || true)
        if grep -qiE '^c\.utf-?8$' <<<"$locales"; then
            locale=C.UTF-8
        fi
        _pg_log "creating a PostgreSQL $(_pg_major "$PG_BIN") cluster in $datadir (superuser $PG_SUPERUSER, trust auth, UTF8, locale $locale)"
        local -a initdb_args=(-D "$datadir" -U "$PG_SUPERUSER" --auth=trust --encoding=UTF8 --locale="$locale")
        if [[ "${PG_FAST:-0}" == 1 ]]; then
            initdb_args+=(--no-sync)
        fi
        if ! out=$(_pg_as "$user" "$PG_BIN/initdb" "${initdb_args[@]}" 2>&1); then
            printf '%s\n' "$out" >&2
            _pg_die "initdb failed for $datadir"
        fi
    fi

    if [[ "${PG_SSL:-0}" == 1 ]]; then
        _pg_make_tls "$user" "$datadir"
    fi

    # Settings live in zhengwu.conf, rewritten on every start and included from
    # postgresql.conf, so that paths need no shell quoting on the command line.
    sockdir=$datadir
    if ((${#sockdir} + 20 > 100)); then
        sockdir="" # too long for a unix socket path: TCP only
    fi
    conf="$datadir/zhengwu.conf"
    {
        echo "# Written by scripts/lib/pg.sh at every start; edits are overwritten."
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $requested"
        echo "unix_socket_directories = $(_pg_quote "$sockdir")"
        if [[ "${PG_FAST:-0}" == 1 ]]; then
            echo "# PG_FAST=1: test cluster, durability traded for speed"
            echo "fsync = off"
            echo "synchronous_commit = off"
            echo "full_page_writes = off"
            echo "max_connections = 200"
        fi
        if [[ "${PG_SSL:-0}" == 1 ]]; then
            echo "# PG_SSL=1: TLS besides plain connections"
            echo "ssl = on"
            echo "ssl_cert_file = 'tls/server.crt'"
            echo "ssl_key_file = 'tls/server.key'"
        fi
        if [[ -n "${PG_SETTINGS:-}" ]]; then
            echo "# PG_SETTINGS"
            printf '%s\n' "$PG_SETTINGS"
        fi
    } >"$conf"
    if _pg_is_root; then
        chown "$user:" "$conf"
    fi
    if ! grep -qxF "include_if_exists = 'zhengwu.conf'" "$datadir/postgresql.conf"; then
        printf '\n%s\n' "include_if_exists = 'zhengwu.conf'" >>"$datadir/postgresql.conf"
    fi

    if ! _pg_as "$user" "$PG_BIN/pg_ctl" start -D "$datadir" -l "$log" -W -s; then
        _pg_show_log "$log"
        _pg_die "pg_ctl could not start PostgreSQL in $datadir"
    fi
    PG_PORT=$requested
    PG_STARTED=1
    export PG_PORT PG_STARTED
    _pg_wait_ready "$PG_PORT" "$user" "$datadir" "$log"
    _pg_log "PostgreSQL $(_pg_major "$PG_BIN") is running on 127.0.0.1:$PG_PORT (data: $datadir, log: $log)"
}

# _pg_wait_ready PORT USER DATADIR LOG: wait (bounded) until the server accepts connections.
_pg_wait_ready() {
    local port=$1 user=$2 datadir=$3 log=$4 start=$SECONDS
    until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$PG_SUPERUSER" -d postgres; do
        if ((SECONDS - start >= PG_START_TIMEOUT)); then
            _pg_show_log "$log"
            _pg_die "PostgreSQL did not accept connections on 127.0.0.1:$port within ${PG_START_TIMEOUT}s"
        fi
        if ((SECONDS - start >= 3)) && ! _pg_is_running "$user" "$datadir"; then
            _pg_show_log "$log"
            _pg_die "PostgreSQL in $datadir exited during start-up"
        fi
        sleep 0.3
    done
}

pg_stop_cluster() {
    [[ $# -eq 1 ]] || _pg_die "usage: pg_stop_cluster DATADIR"
    local user datadir
    [[ -n "${PG_BIN:-}" ]] || PG_BIN=$(_pg_find_bin) || return 0
    user=$(_pg_cluster_user --no-create) || return 0
    datadir=$(_pg_resolve_datadir "$user" "$1")
    _pg_is_running "$user" "$datadir" || return 0
    if _pg_as "$user" "$PG_BIN/pg_ctl" stop -D "$datadir" -m fast -w -t 60 -s; then
        _pg_log "stopped PostgreSQL ($datadir)"
    else
        _pg_log "warning: fast shutdown failed; stopping PostgreSQL in $datadir immediately"
        _pg_as "$user" "$PG_BIN/pg_ctl" stop -D "$datadir" -m immediate -w -t 30 -s || return 1
    fi
}

# pg_ensure_database PORT NAME: create database NAME (owner zhengwu) if missing.
pg_ensure_database() {
    [[ $# -eq 2 ]] || _pg_die "usage: pg_ensure_database PORT NAME"
    local port=$1 name=$2 exists
    exists=$("$PG_BIN/psql" -X -q -t -A -h 127.0.0.1 -p "$port" -U "$PG_SUPERUSER" -d postgres \
        -v ON_ERROR_STOP=1 -v name="$name" <<<"SELECT 1 FROM pg_database WHERE datname = :'name';") ||
        _pg_die "could not query PostgreSQL on 127.0.0.1:$port"
    if [[ "$exists" != 1 ]]; then
        "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U "$PG_SUPERUSER" -E UTF8 -- "$name" ||
            _pg_die "could not create database $name"
        _pg_log "created database $name"
    fi
}
