#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster:
#
#   scripts/with-postgres.sh CMD [ARGS...]
#
# The cluster listens on 127.0.0.1 only, uses trust auth for the "postgres"
# superuser, has durability switched off (it is thrown away anyway), and is
# stopped and deleted when CMD exits or the script is interrupted. CMD sees
# DATABASE_URL plus the libpq PG* variables; the script exits with CMD's status.
#
# GIGUNION_PG_PORT picks the first port to try (default 55432); busy ports are
# skipped, up to 20 above it.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

# Prefer PostgreSQL 15 (the version the project targets); else the newest installed.
pg_bin=/usr/lib/postgresql/15/bin
if [ ! -x "$pg_bin/pg_ctl" ]; then
    # sort -V: a plain glob would rank 9 above 16.
    pg_bin=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
if [ ! -x "$pg_bin/pg_ctl" ]; then
    echo "postgresql: no server binaries under /usr/lib/postgresql/*/bin (run scripts/install-system-packages.sh)" >&2
    exit 1
fi

is_root=false
[ "$(id -u)" -eq 0 ] && is_root=true

# initdb and postgres refuse to run as root, so as root the server runs as the
# "postgres" system user (from a directory it can read, to avoid cwd warnings).
as_pg() {
    if "$is_root"; then
        (cd "$tmp" && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

tmp=""
data=""
child=""

# shellcheck disable=SC2317  # only called from traps
cleanup() {
    local rc=$?
    # A second Ctrl-C must not abort the cleanup half-way.
    trap '' INT TERM
    # Check the pid file rather than a flag: a signal can land between
    # "pg_ctl start" returning and the script noting that it did.
    if [ -n "$data" ] && [ -f "$data/postmaster.pid" ]; then
        as_pg "$pg_bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    if [ -n "$tmp" ]; then
        rm -rf "$tmp"
    fi
    exit "$rc"
}

# shellcheck disable=SC2317  # only called from traps
on_signal() {
    local sig=$1 code=$2
    if [ -n "$child" ]; then
        # Ctrl-C already reached CMD via the terminal's process group; only
        # forward TERM (e.g. a CI timeout killing just this script).
        if [ "$sig" = TERM ]; then
            kill -TERM "$child" 2>/dev/null || true
        fi
        # Let CMD finish its own teardown (e.g. dropping the test database)
        # before the server goes away.
        wait "$child" 2>/dev/null || true
    fi
    exit "$code"
}

trap cleanup EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gigunion-pg.XXXXXX")
if "$is_root"; then
    chown postgres: "$tmp"
    # A private TMPDIR (e.g. under /root) is not reachable for "postgres";
    # fall back to the world-writable /tmp.
    if ! runuser -u postgres -- test -w "$tmp"; then
        rm -rf "$tmp"
        tmp=$(mktemp -d /tmp/gigunion-pg.XXXXXX)
        chown postgres: "$tmp"
    fi
fi
data=$tmp/data
log=$tmp/server.log

if ! as_pg "$pg_bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$tmp/initdb.log" 2>&1; then
    echo "postgresql: initdb failed:" >&2
    cat "$tmp/initdb.log" >&2
    exit 1
fi

# Does something already accept connections on 127.0.0.1:PORT (a listener on
# 0.0.0.0 counts too)? Pure bash, so no python/ss dependency.
port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

first_port=${GIGUNION_PG_PORT:-55432}
port=""
for ((candidate = first_port; candidate <= first_port + 20; candidate++)); do
    port_busy "$candidate" && continue
    # Start can still lose a race with another process grabbing the port
    # between the check and the bind; then just try the next one.
    if as_pg "$pg_bin/pg_ctl" -D "$data" -l "$log" -w -o \
        "-c listen_addresses=127.0.0.1 -p $candidate -k $tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=120" \
        start >"$tmp/pg_ctl.log" 2>&1; then
        port=$candidate
        break
    fi
    if ! grep -q "Address already in use" "$log" 2>/dev/null; then
        echo "postgresql: server failed to start:" >&2
        cat "$tmp/pg_ctl.log" "$log" >&2 2>/dev/null || true
        exit 1
    fi
    : >"$log"
done
if [ -z "$port" ]; then
    echo "postgresql: no free port in $first_port..$((first_port + 20))" >&2
    exit 1
fi

if ! "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres gigunion >"$tmp/createdb.log" 2>&1; then
    echo "postgresql: createdb failed:" >&2
    cat "$tmp/createdb.log" >&2
    exit 1
fi

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/gigunion"
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=gigunion
# Stray settings from the caller's environment would point libpq elsewhere.
unset PGHOSTADDR PGSERVICE PGPASSWORD

# Stderr, so CMD's stdout stays clean for callers that capture it.
echo "postgresql: throwaway cluster on 127.0.0.1:$port" >&2

# CMD runs in the background so INT/TERM traps fire immediately instead of
# after CMD exits. "<&0" keeps stdin (bash would otherwise give a background
# job /dev/null) and "trap -" undoes bash ignoring INT/QUIT in background jobs,
# so CMD behaves as if it ran in the foreground (e.g. Ctrl-C in pytest).
( trap - INT QUIT; exec "$@" ) <&0 &
child=$!
rc=0
wait "$child" || rc=$?
child=""
exit "$rc"
