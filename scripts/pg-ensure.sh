#!/usr/bin/env bash
# Make sure a local PostgreSQL 15 is installed, running and has the sanhui role and
# database (password "sanhui", reachable over 127.0.0.1). Safe to run repeatedly;
# prints what it did. Used by `make test-pg`.
set -euo pipefail

PG_VERSION=15
PG_CLUSTER=main
PG_PORT="${PG_PORT:-5432}"
DB_USER=sanhui
DB_PASS=sanhui
DB_NAME=sanhui
PG_BIN="/usr/lib/postgresql/${PG_VERSION}/bin"

say() { printf 'pg-ensure: %s\n' "$*"; }
die() { printf 'pg-ensure: ERROR: %s\n' "$*" >&2; exit 1; }

is_root=0
[ "$(id -u)" -eq 0 ] && is_root=1

can_connect() {
    PGPASSWORD="$DB_PASS" PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -d "$DB_NAME" \
        -Atqc 'select 1' >/dev/null 2>&1
}

if [ "$is_root" -eq 0 ]; then
    # Without root we cannot install, start or administer the cluster; all we can do is check.
    if command -v psql >/dev/null 2>&1 && can_connect; then
        say "not root; postgres://${DB_USER}:***@127.0.0.1:${PG_PORT}/${DB_NAME} is reachable, nothing to do"
        exit 0
    fi
    die "not root and postgres://${DB_USER}@127.0.0.1:${PG_PORT}/${DB_NAME} is not reachable;
  run this script as root once (sudo bash scripts/pg-ensure.sh), or create the role/database yourself:
    CREATE ROLE ${DB_USER} LOGIN CREATEDB PASSWORD '${DB_PASS}'; CREATE DATABASE ${DB_NAME} OWNER ${DB_USER};"
fi

# 1. Binaries.
if [ -x "${PG_BIN}/postgres" ] && command -v pg_createcluster >/dev/null 2>&1 && command -v psql >/dev/null 2>&1; then
    say "PostgreSQL ${PG_VERSION} binaries present"
else
    say "installing postgresql-${PG_VERSION} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "postgresql-${PG_VERSION}" </dev/null
fi

# 2. Cluster.
cluster_status() {
    pg_lsclusters -h 2>/dev/null | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1 == v && $2 == c { print $4 }'
}
if [ -z "$(cluster_status)" ]; then
    say "creating cluster ${PG_VERSION}/${PG_CLUSTER} (UTF8, C.UTF-8)"
    pg_createcluster --encoding UTF8 --locale C.UTF-8 --port "$PG_PORT" "$PG_VERSION" "$PG_CLUSTER"
else
    say "cluster ${PG_VERSION}/${PG_CLUSTER} exists"
fi

# 3. Running.
if [ "$(cluster_status)" = "online" ]; then
    say "cluster ${PG_VERSION}/${PG_CLUSTER} already running"
else
    say "starting cluster ${PG_VERSION}/${PG_CLUSTER}"
    pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" start
fi

for _ in $(seq 1 60); do
    if pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; then
        break
    fi
    sleep 0.5
done
pg_isready -h 127.0.0.1 -p "$PG_PORT" >/dev/null || die "server on 127.0.0.1:${PG_PORT} not ready after 30s"
say "server accepting connections on 127.0.0.1:${PG_PORT}"

# 4. Role and database.
as_postgres() {
    # cd / so psql does not complain about an unreadable working directory.
    (cd / && runuser -u postgres -- psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -X -q "$@")
}

if [ "$(as_postgres -Atc "SELECT 1 FROM pg_roles WHERE rolname = '${DB_USER}'")" = "1" ]; then
    as_postgres -c "ALTER ROLE ${DB_USER} WITH LOGIN CREATEDB PASSWORD '${DB_PASS}'"
    say "role ${DB_USER} exists (LOGIN CREATEDB and password re-asserted)"
else
    as_postgres -c "CREATE ROLE ${DB_USER} WITH LOGIN CREATEDB PASSWORD '${DB_PASS}'"
    say "created role ${DB_USER}"
fi

if [ "$(as_postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '${DB_NAME}'")" = "1" ]; then
    say "database ${DB_NAME} exists"
else
    as_postgres -c "CREATE DATABASE ${DB_NAME} OWNER ${DB_USER} ENCODING 'UTF8' TEMPLATE template0"
    say "created database ${DB_NAME} owned by ${DB_USER}"
fi

# 5. Password login over TCP. Debian's default pg_hba.conf allows scram-sha-256 from
# 127.0.0.1; if a customised one does not, put an explicit rule in front and reload.
if ! can_connect; then
    hba="$(as_postgres -Atc 'SHOW hba_file')"
    rule="host    ${DB_NAME},test_${DB_NAME},postgres    ${DB_USER}    127.0.0.1/32    scram-sha-256"
    if ! grep -qF "$rule" "$hba"; then
        say "adding password rule for ${DB_USER} from 127.0.0.1 to ${hba}"
        tmp="$(mktemp)"
        { printf '# added by sanhui scripts/pg-ensure.sh\n%s\n' "$rule"; cat "$hba"; } >"$tmp"
        cat "$tmp" >"$hba"
        rm -f "$tmp"
    fi
    as_postgres -c "SELECT pg_reload_conf()" >/dev/null
    sleep 1
fi
if PGPASSWORD="$DB_PASS" psql -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -d "$DB_NAME" -X -Atqc 'select 1' >/dev/null; then
    say "ok: postgres://${DB_USER}:${DB_PASS}@127.0.0.1:${PG_PORT}/${DB_NAME}"
else
    die "password login as ${DB_USER} over 127.0.0.1 failed (see pg_hba.conf and the server log)"
fi
