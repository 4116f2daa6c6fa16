#!/usr/bin/env bash
# Backup and restore drill for PostgreSQL: dump the live database, restore the dump into a fresh
# database, run `verify_audit` on the restored copy, then drop it. Exit 0 only if all of that worked.
#
#   DATABASE_URL=postgres://sanhui:…@db-host:5432/sanhui DJANGO_SECRET_KEY=… scripts/restore-drill.sh
#
# Run it with the site's own environment (secret ballots from before the sealed box are checked by
# voice tags keyed by DJANGO_SECRET_KEY). The role in DATABASE_URL needs CREATEDB (or set
# DRILL_ADMIN_URL to a role that has it).
#   BACKUP_DIR   where the dump is kept (default: ./backups); the dump is the backup, keep it
#   DRILL_DB     name of the scratch database (default: <database>_restore_drill); dropped at the end
#   KEEP_DRILL=1 keep the restored database for inspection
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to back up}"
: "${DJANGO_SECRET_KEY:?set DJANGO_SECRET_KEY to the site key, verify_audit needs it}"
case "$DATABASE_URL" in postgres://*|postgresql://*) ;; *) echo "restore-drill: PostgreSQL only (see docs/OPERATIONS.md for SQLite)" >&2; exit 2;; esac

PY="${PYTHON:-.venv/bin/python}"
source_db="${DATABASE_URL##*/}"; source_db="${source_db%%\?*}"
base="${DATABASE_URL%/*}"
drill_db="${DRILL_DB:-${source_db}_restore_drill}"
drill_url="${base}/${drill_db}"
admin_url="${DRILL_ADMIN_URL:-$DATABASE_URL}"
backup_dir="${BACKUP_DIR:-backups}"
mkdir -p "$backup_dir"
dump="${backup_dir}/${source_db}-$(date -u +%Y%m%dT%H%M%SZ).dump"

say() { printf 'restore-drill: %s\n' "$*"; }
cleanup() {
    if [ "${KEEP_DRILL:-0}" != "1" ]; then
        psql -X -q -d "$admin_url" -c "DROP DATABASE IF EXISTS \"${drill_db}\" WITH (FORCE)" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

started=$SECONDS
say "dumping ${source_db} to ${dump}"
pg_dump -Fc --no-owner -d "$DATABASE_URL" -f "$dump"
say "dump: $(du -h "$dump" | cut -f1)"

say "restoring into a fresh database ${drill_db}"
psql -X -q -v ON_ERROR_STOP=1 -d "$admin_url" -c "DROP DATABASE IF EXISTS \"${drill_db}\" WITH (FORCE)" \
    -c "CREATE DATABASE \"${drill_db}\"" >/dev/null
pg_restore --no-owner --exit-on-error -d "$drill_url" "$dump"

count() { psql -X -Atq -d "$1" -c "SELECT count(*) FROM deliberation_ledgerentry"; }
live_events="$(count "$DATABASE_URL")"
restored_events="$(count "$drill_url")"
say "ledger entries: live ${live_events}, restored ${restored_events}"

say "verify_audit on the restored copy"
DATABASE_URL="$drill_url" DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-localhost}" \
    "$PY" manage.py verify_audit
say "ok: the backup restores and verifies ($((SECONDS - started)) s); keep ${dump}"
