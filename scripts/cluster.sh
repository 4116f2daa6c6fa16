#!/usr/bin/env bash
# A real Sanhui cluster on this one machine, from the project's own files (docs/DEPLOY.md):
#
#   nginx   127.0.0.1:8091      deploy/nginx/sanhui.conf (TLS lines left out, see below)
#   app 1   127.0.0.2:8011      gunicorn as in deploy/systemd/sanhui.service, + the schedule every minute
#   app 2   127.0.0.3:8011      the same
#   pg1     127.0.0.4:5441      PostgreSQL 15 primary
#   pg2     127.0.0.5:5442      hot standby made with pg_basebackup, streaming, synchronous for commits
#   redis   127.0.0.6:6391      cache, rate limits, sessions (cached_db)
#
# Everything lives under .cluster/ (git-ignored); nothing outside it is changed, and the machine's own
# PostgreSQL (5432), nginx and Redis services are never touched. Every process started is recorded by
# its pid file under .cluster/, and `stop` ends exactly those, then removes .cluster/ (the logs are
# copied to test-artifacts/cluster/logs first).
#
#   scripts/cluster.sh start           (CLUSTER_SYNC=0: the standby is asynchronous, for the variant)
#   scripts/cluster.sh stop | status
#   scripts/cluster.sh kill-host N | restart-redis | stall-replication | kill-primary | promote
#
# The last line's actions are the drill's faults (tests/cluster/drill.py). Needs root (PostgreSQL
# runs as the postgres user via runuser) and the Debian packages nginx, redis-server, postgresql-15
# (`make cluster` installs the first two as `make test` installs chromium).
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
C="${CLUSTER_DIR:-$ROOT/.cluster}"
PG_BIN="/usr/lib/postgresql/15/bin"
SYNC="${CLUSTER_SYNC:-1}"
NGINX_ADDR="${CLUSTER_NGINX:-127.0.0.1:8091}"
HOSTS=("127.0.0.2:8011" "127.0.0.3:8011")
PG1_HOST=127.0.0.4 PG1_PORT=5441
PG2_HOST=127.0.0.5 PG2_PORT=5442
REDIS_HOST=127.0.0.6 REDIS_PORT=6391
DB_USER=sanhui DB_NAME=sanhui
# Passwords of a throwaway cluster on the loopback, made afresh by each `start` (kept in .cluster/).
PY="$ROOT/.venv/bin/python"

say() { printf '[cluster %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { printf '[cluster] ERROR: %s\n' "$*" >&2; exit 1; }
as_pg() { runuser -u postgres -- "$@"; }

# --- helpers -------------------------------------------------------------------------------

alive() { [ -f "$1" ] && kill -0 "$(head -n1 "$1")" 2>/dev/null; }

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...: poll until COMMAND succeeds
    local seconds="$1" what="$2"; shift 2
    local end=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$end" ] || die "$what did not come up within ${seconds}s (logs in $C/logs)"
        sleep 0.2
    done
}

app_env() {  # the environment every app host shares (/etc/sanhui/env in production)
    set -a
    # shellcheck disable=SC1091
    . "$C/env"
    set +a
}

pg_datadir() { echo "$C/pg/$1"; }

pg_running() { [ -f "$(pg_datadir "$1")/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$(pg_datadir "$1")" status >/dev/null 2>&1; }

# --- PostgreSQL ----------------------------------------------------------------------------

start_postgres() {
    local primary standby pw
    primary="$(pg_datadir pg1)" standby="$(pg_datadir pg2)"
    mkdir -p "$C/pg/run"
    touch "$C/logs/pg1.log" "$C/logs/pg2.log"   # written by the servers, which run as postgres
    chown postgres: "$C/pg" "$C/pg/run" "$C/logs/pg1.log" "$C/logs/pg2.log"
    chmod 700 "$C/pg"
    pw="$(cat "$C/secrets/db")"
    printf '%s\n' "$(cat "$C/secrets/superuser")" >"$C/pg/pwfile"
    chown postgres: "$C/pg/pwfile"
    say "pg1: initdb (primary, $PG1_HOST:$PG1_PORT)"
    as_pg "$PG_BIN/initdb" -D "$primary" -U postgres --pwfile="$C/pg/pwfile" --auth-local=peer \
        --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$C/logs/pg1-initdb.log"
    rm -f "$C/pg/pwfile"
    # Loopback addresses other than 127.0.0.1 are the "hosts" here: allow the whole 127/8.
    cat >>"$primary/pg_hba.conf" <<EOF
host    all             all             127.0.0.0/8             scram-sha-256
host    replication     replicator      127.0.0.0/8             scram-sha-256
EOF
    # Both servers get the same settings file; the standby overrides what differs (below).
    # synchronous_standby_names is set once the standby streams (a synchronous primary without its
    # standby would wait for ever, even to create the roles the standby copies).
    cat >>"$primary/postgresql.conf" <<EOF

# --- scripts/cluster.sh -------------------------------------------------------------------
listen_addresses = '$PG1_HOST'
port = $PG1_PORT
unix_socket_directories = '$C/pg/run'
cluster_name = 'pg1'
max_connections = 100
shared_buffers = 128MB
wal_level = replica
max_wal_senders = 5
max_replication_slots = 5
wal_log_hints = on
hot_standby = on
hot_standby_feedback = on
synchronous_commit = on
wal_sender_timeout = 5s
wal_receiver_status_interval = 1s
log_line_prefix = '%m [%p] %q%a '
log_min_duration_statement = -1
EOF
    as_pg "$PG_BIN/pg_ctl" -D "$primary" -l "$C/logs/pg1.log" -w -t 60 start >/dev/null
    as_pg "$PG_BIN/psql" -h "$C/pg/run" -p "$PG1_PORT" -U postgres -d postgres -X -q -v ON_ERROR_STOP=1 <<EOF
CREATE ROLE replicator LOGIN REPLICATION PASSWORD '$(cat "$C/secrets/replication")';
CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$pw';
CREATE DATABASE $DB_NAME OWNER $DB_USER;
EOF
    say "pg2: pg_basebackup from pg1 (hot standby, $PG2_HOST:$PG2_PORT, slot pg2)"
    # -R writes primary_conninfo and standby.signal; -C -S a replication slot, so the primary keeps
    # the WAL the standby has not received yet; -X stream copies the WAL written meanwhile.
    as_pg env PGPASSWORD="$(cat "$C/secrets/replication")" "$PG_BIN/pg_basebackup" \
        -h "$PG1_HOST" -p "$PG1_PORT" -U replicator -D "$standby" -R -X stream -C -S pg2 --checkpoint=fast \
        >"$C/logs/pg2-basebackup.log" 2>&1
    # The standby's own settings (later lines win). Its application_name is its cluster_name (pg2),
    # the name the primary's synchronous_standby_names waits for. Once promoted it runs alone, so it
    # waits for no standby of its own: a new one is built from it afterwards (docs/DEPLOY.md §3).
    cat >>"$standby/postgresql.conf" <<EOF
listen_addresses = '$PG2_HOST'
port = $PG2_PORT
cluster_name = 'pg2'
synchronous_standby_names = ''
EOF
    as_pg "$PG_BIN/pg_ctl" -D "$standby" -l "$C/logs/pg2.log" -w -t 60 start >/dev/null
    wait_for 30 "streaming replication" replication_state "streaming"
    # synchronous_commit = on with a named synchronous standby: a commit returns (and the voter gets
    # a receipt) only once the standby has flushed its WAL, so a promoted standby has every vote a
    # receipt was given for. CLUSTER_SYNC=0 leaves the standby asynchronous, for the drill's variant.
    if [ "$SYNC" = 1 ]; then
        as_pg "$PG_BIN/psql" -h "$C/pg/run" -p "$PG1_PORT" -U postgres -d postgres -XAtq \
            -c "ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (pg2)'" -c "SELECT pg_reload_conf()" >/dev/null
        wait_for 15 "the synchronous standby" replication_sync "sync"
    fi
    say "pg2: streaming, sync_state=$(replication_field sync_state)"
}

replication_field() {
    as_pg "$PG_BIN/psql" -h "$C/pg/run" -p "$PG1_PORT" -U postgres -d postgres -XAtqc \
        "SELECT $1 FROM pg_stat_replication WHERE application_name = 'pg2'" 2>/dev/null
}

replication_state() { [ "$(replication_field state)" = "$1" ]; }
replication_sync() { [ "$(replication_field sync_state)" = "$1" ]; }

stop_postgres() {
    local name
    local pids
    for name in pg2 pg1; do
        if pg_running "$name"; then
            say "$name: stop"
            pids="$(pg_pids "$name")"
            # A drill stopped half way may have left the walsender stopped (stall-replication):
            # let it run again, or it could not take part in the shutdown.
            # shellcheck disable=SC2086
            [ -z "$pids" ] || kill -CONT $pids 2>/dev/null || true
            as_pg "$PG_BIN/pg_ctl" -D "$(pg_datadir "$name")" -m fast -w -t 60 stop >/dev/null || {
                pids="$(pg_pids "$name")"
                # shellcheck disable=SC2086
                [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
            }
        fi
        # A server killed by the drill leaves orphaned backends only if its postmaster alone died;
        # the drill kills the whole process tree, so there is nothing else to end here.
    done
}

pg_pids() {  # the postmaster of $1 and its children (the whole server)
    local pid
    pid="$(head -n1 "$(pg_datadir "$1")/postmaster.pid" 2>/dev/null)" || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    echo "$pid" $(pgrep -P "$pid" || true)
}

# --- Redis ---------------------------------------------------------------------------------

start_redis() {
    mkdir -p "$C/redis"
    # No persistence: the cache, rate limits and session copies can be lost (sessions are written
    # through to the database, docs/DEPLOY.md §4).
    redis-server --bind "$REDIS_HOST" --port "$REDIS_PORT" --daemonize yes --pidfile "$C/redis/redis.pid" \
        --dir "$C/redis" --logfile "$C/logs/redis.log" --save "" --appendonly no --protected-mode no
    wait_for 15 "redis" redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping
}

stop_redis() {
    if alive "$C/redis/redis.pid"; then
        say "redis: stop"
        redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill "$(cat "$C/redis/redis.pid")"
        local end=$((SECONDS + 10))
        while alive "$C/redis/redis.pid" && [ "$SECONDS" -lt "$end" ]; do sleep 0.1; done
    fi
    rm -f "$C/redis/redis.pid"
}

# --- App hosts ------------------------------------------------------------------------------

gunicorn_command() {  # deploy/systemd/sanhui.service's ExecStart, for host $1 (address:port)
    local cmd
    cmd="$(sed -n "s/^ExecStart=\/bin\/sh -c '\(.*\)'$/\1/p" "$ROOT/deploy/systemd/sanhui.service")"
    [ -n "$cmd" ] || die "no ExecStart in deploy/systemd/sanhui.service"
    cmd="${cmd//\/srv\/sanhui/$ROOT}"
    echo "${cmd//0.0.0.0:8001/$1}"
}

start_host() {
    local n="$1" addr="${HOSTS[$(($1 - 1))]}" cmd
    mkdir -p "$C/host$n"
    cmd="$(gunicorn_command "$addr") --pid $C/host$n/gunicorn.pid --graceful-timeout 5"
    say "app $n: gunicorn on $addr ($(nproc) workers) and the schedule every minute"
    (
        cd "$ROOT"
        app_env
        # Its own session, so the host's processes can be signalled as one; stdout is the access log.
        setsid bash -c "$cmd" </dev/null >>"$C/logs/host$n.log" 2>&1 &
        # The timer of deploy/systemd/sanhui-schedule.timer: at second 0 of every minute.
        setsid bash "$ROOT/scripts/cluster.sh" schedule-loop "$n" </dev/null >>"$C/logs/host$n-schedule.log" 2>&1 &
        echo $! >"$C/host$n/schedule.pid"
    )
    wait_for 60 "app $n" test -s "$C/host$n/gunicorn.pid"
    wait_for 60 "app $n" curl -sf -o /dev/null -H "Host: 127.0.0.1" -H "X-Forwarded-Proto: https" "http://$addr/accounts/login/"
}

# One host's timer: run deploy/systemd/sanhui-schedule.service's command at second 0 of every
# minute, and log one line per run (the drill reads .cluster/logs/schedule.log).
schedule_loop() {
    local n="$1" cmd now rc out
    cmd="$(sed -n 's/^ExecStart=//p' "$ROOT/deploy/systemd/sanhui-schedule.service")"
    cmd="${cmd//\/srv\/sanhui/$ROOT}"
    cd "$ROOT"
    app_env
    while :; do
        now="$(date +%s)"
        sleep "$((60 - now % 60)).$(printf '%03d' $((RANDOM % 200)))"  # AccuracySec: a few ms apart
        minute="$(date -u +%Y-%m-%dT%H:%M)"
        started="$(date -u +%H:%M:%S.%N | cut -c1-12)"
        rc=0
        out="$($cmd 2>&1)" || rc=$?
        # One line per run: minute, host, exit status, and whether it acted or stepped aside.
        if [[ "$out" == *"another run is in progress; skipped"* ]]; then state=skipped; else state=ran; fi
        printf '%s host=%s rc=%s %s started=%s finished=%s %s\n' "$minute" "$n" "$rc" "$state" "$started" \
            "$(date -u +%H:%M:%S.%N | cut -c1-12)" \
            "$(echo "$out" | tr '\n' ' ' | cut -c1-300)" >>"$C/logs/schedule.log"
    done
}

stop_host() {
    local n="$1"
    if alive "$C/host$n/schedule.pid"; then
        kill -TERM -- "-$(cat "$C/host$n/schedule.pid")" 2>/dev/null || true  # the loop's session
    fi
    if alive "$C/host$n/gunicorn.pid"; then
        say "app $n: stop"
        local pid
        pid="$(cat "$C/host$n/gunicorn.pid")"
        kill -TERM "$pid"
        local end=$((SECONDS + 15))
        while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do sleep 0.2; done
        kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -f "$C/host$n/schedule.pid"
}

# --- nginx ---------------------------------------------------------------------------------

# The example configuration, changed only where this machine differs: the app hosts' addresses,
# the listening address, the static root, and no TLS (no certificate on a loopback drill; the proxy
# still sends X-Forwarded-Proto: https, as it does behind TLS, so the app runs as in production).
nginx_conf() {
    local upstream="" h
    for h in "${HOSTS[@]}"; do upstream+="    server $h max_fails=3 fail_timeout=10s;\n"; done
    mkdir -p "$C/nginx/tmp"
    {
        cat <<EOF
# Made by scripts/cluster.sh from deploy/nginx/sanhui.conf
daemon on;
worker_processes 2;
pid $C/nginx/nginx.pid;
error_log $C/logs/nginx-error.log warn;
events { worker_connections 4096; }
http {
    include /etc/nginx/mime.types;
    access_log $C/logs/nginx-access.log;
    client_body_temp_path $C/nginx/tmp/body;
    proxy_temp_path $C/nginx/tmp/proxy;
    fastcgi_temp_path $C/nginx/tmp/fastcgi;
    uwsgi_temp_path $C/nginx/tmp/uwsgi;
    scgi_temp_path $C/nginx/tmp/scgi;
EOF
        "$PY" - "$ROOT/deploy/nginx/sanhui.conf" "$NGINX_ADDR" "$ROOT" "$upstream" <<'EOF'
import re, sys
text, listen, root, upstream = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3], sys.argv[4]
text = re.sub(r"(upstream sanhui_app \{\n(?:\s*#.*\n)*)(?:\s*server .*\n)+", lambda m: m[1] + upstream.replace("\\n", "\n"), text)
text = re.sub(r"server \{\n\s*listen 80;.*?\n\}\n", "", text, flags=re.S)          # the HTTP->HTTPS redirect
text = text.replace("listen 443 ssl;", f"listen {listen};")
text = re.sub(r"\n\s*(http2 on|ssl_certificate|ssl_certificate_key)[^\n]*;", "", text)
text = text.replace("/srv/sanhui", root)
for needed in (f"listen {listen};", "proxy_set_header X-Forwarded-Proto https;", "error_page 502 504"):
    assert needed in text, needed
print(text)
EOF
        echo "}"
    } >"$C/nginx/nginx.conf"
}

start_nginx() {
    nginx_conf
    nginx -t -q -c "$C/nginx/nginx.conf" 2>>"$C/logs/nginx-error.log" \
        || die "nginx -t failed: $C/nginx/nginx.conf"
    nginx -c "$C/nginx/nginx.conf"
    wait_for 15 "nginx" curl -sf -o /dev/null "http://$NGINX_ADDR/accounts/login/"
}

stop_nginx() {
    if alive "$C/nginx/nginx.pid"; then
        say "nginx: stop"
        local pid
        pid="$(cat "$C/nginx/nginx.pid")"
        kill -QUIT "$pid"
        local end=$((SECONDS + 10))
        while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" || true
    fi
}

# --- start / stop ----------------------------------------------------------------------------

start() {
    [ "$(id -u)" = 0 ] || die "run as root (PostgreSQL runs as the postgres user via runuser)"
    for tool in nginx redis-server redis-cli curl "$PG_BIN/initdb" "$PY"; do
        command -v "$tool" >/dev/null || die "$tool is missing (make cluster installs nginx and redis-server)"
    done
    if [ -e "$C" ]; then
        say "an earlier cluster is in $C: stopping it first"
        stop
    fi
    mkdir -p "$C/logs" "$C/secrets"
    chmod 755 "$C"
    chmod 700 "$C/secrets"
    local name
    for name in superuser replication db secret_key; do
        "$PY" -c 'import secrets; print(secrets.token_urlsafe(36))' >"$C/secrets/$name"
    done
    # The environment of every app host (deploy/env.example). DATABASE_URL lists both servers:
    # libpq keeps the first that accepts writes (target_session_attrs=read-write), so after the
    # standby's promotion the hosts reconnect to it by themselves. The replica URL prefers a standby
    # and falls back to whichever server answers (prefer-standby), so the replica pages keep working
    # once the standby has become the primary. connect_timeout: a dead host is given up quickly.
    local pw
    pw="$(cat "$C/secrets/db")"
    # Values in single quotes: the URLs hold '&', and the file is read both by the shell here and,
    # in production, by systemd's EnvironmentFile (which removes the quotes too).
    cat >"$C/env" <<EOF
DJANGO_SECRET_KEY='$(cat "$C/secrets/secret_key")'
DJANGO_ALLOWED_HOSTS='127.0.0.1,localhost'
DJANGO_TRUSTED_PROXY_COUNT=1
DATABASE_URL='postgres://$DB_USER:$pw@$PG1_HOST:$PG1_PORT,$PG2_HOST:$PG2_PORT/$DB_NAME?target_session_attrs=read-write&connect_timeout=3'
DATABASE_REPLICA_URL='postgres://$DB_USER:$pw@$PG2_HOST:$PG2_PORT,$PG1_HOST:$PG1_PORT/$DB_NAME?target_session_attrs=prefer-standby&connect_timeout=3'
REDIS_URL='redis://$REDIS_HOST:$REDIS_PORT/1'
SMS_BACKEND=none
CONN_MAX_AGE=60
LOG_LEVEL=WARNING
PYTHONUNBUFFERED=1
EOF
    chmod 600 "$C/env"
    echo "$SYNC" >"$C/sync"
    # From here on, a failure (a failed command, or die) stops whatever was started.
    trap 'rc=$?; if [ "$rc" -ne 0 ]; then say "start failed: stopping what was started"; stop; fi' EXIT
    start_postgres
    start_redis
    say "release: migrate (once, from one host), collectstatic, the proxy's try-again page"
    (
        cd "$ROOT"
        app_env
        # A wrong DATABASE_URL would quietly fall back to the SQLite file: refuse to go on.
        "$PY" manage.py shell -v 0 -c "from django.db import connection as c; assert c.vendor == 'postgresql', c.vendor"
        "$PY" manage.py migrate --noinput >"$C/logs/migrate.log"
        "$PY" manage.py collectstatic --noinput -v 0
        "$PY" manage.py render_try_again >/dev/null
    )
    start_host 1
    start_host 2
    start_nginx
    trap - EXIT
    say "up: http://$NGINX_ADDR/  (synchronous standby: $([ "$SYNC" = 1 ] && echo yes || echo NO))"
}

stop() {
    [ -d "$C" ] || { say "nothing to stop ($C does not exist)"; return 0; }
    stop_nginx
    stop_host 1
    stop_host 2
    stop_redis
    stop_postgres
    if [ -d "$C/logs" ]; then
        mkdir -p "$ROOT/test-artifacts/cluster"
        rm -rf "$ROOT/test-artifacts/cluster/logs"
        cp -r "$C/logs" "$ROOT/test-artifacts/cluster/logs"
    fi
    rm -rf "$C"
    say "stopped; logs in test-artifacts/cluster/logs"
}

status() {
    [ -d "$C" ] || { echo "no cluster"; return 0; }
    local n
    for n in 1 2; do
        echo "app $n: gunicorn $(alive "$C/host$n/gunicorn.pid" && echo up || echo down), schedule $(alive "$C/host$n/schedule.pid" && echo up || echo down)"
    done
    echo "nginx: $(alive "$C/nginx/nginx.pid" && echo up || echo down)"
    echo "redis: $(alive "$C/redis/redis.pid" && echo up || echo down)"
    for n in pg1 pg2; do echo "$n: $(pg_running "$n" && echo up || echo down)"; done
    pg_running pg1 && echo "replication: $(replication_field "state || ' ' || sync_state")"
    return 0
}

# --- the drill's faults -----------------------------------------------------------------------

walsender_pid() {  # the primary's process that streams WAL to the standby
    local pid
    pid="$(head -n1 "$(pg_datadir pg1)/postmaster.pid")"
    pgrep -P "$pid" -f 'walsender' | head -n1
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    schedule-loop) schedule_loop "$2" ;;
    kill-host)  # SIGKILL every worker of host N; its gunicorn master starts new ones
        pkill -KILL -P "$(cat "$C/host$2/gunicorn.pid")" && say "app $2: workers killed" ;;
    restart-redis)
        stop_redis
        start_redis
        say "redis: restarted (empty)" ;;
    stall-replication)
        # The WAL stops leaving the primary (a congested or broken link): its walsender is stopped,
        # so what is committed from now on stays in the primary's pg_wal. (Stopping the standby's
        # walreceiver instead would not do: the WAL already sent waits in its socket's buffer, and
        # is read once it resumes, even after the primary died.) The primary's death ends it.
        kill -STOP "$(walsender_pid)" && say "pg1: replication stalled (walsender stopped)" ;;
    kill-primary)  # the primary's machine dies: every process of the server at once, no shutdown
        pids="$(pg_pids pg1)"
        [ -n "$pids" ] || die "pg1 is not running"
        # shellcheck disable=SC2086
        kill -KILL $pids && say "pg1: killed (SIGKILL to postmaster and backends: $(echo $pids | wc -w) processes)" ;;
    promote)
        as_pg "$PG_BIN/pg_ctl" -D "$(pg_datadir pg2)" -w -t 60 promote >/dev/null && say "pg2: promoted" ;;
    *) echo "usage: $0 start|stop|status|kill-host N|restart-redis|stall-replication|kill-primary|promote" >&2
       exit 2 ;;
esac
