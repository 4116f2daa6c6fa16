#!/usr/bin/env bash
# The upgrade drill: a database that an earlier release filled, migrated by this checkout, still
# verifies. What an operator does on upgrade day, on the bench's city data:
#   1. the earlier release's code (a git worktree of UPGRADE_FROM) migrates a new PostgreSQL
#      database and fills it with the bench's city data (bench/citydata): UPGRADE_COMMITTEES
#      committees of 5,000 residents each, with their ballots, votes, ledgers and evaluations
#      (280 committees is the district: 1.4 million residents);
#   2. the database is copied (CREATE DATABASE ... TEMPLATE), as the backup taken before upgrading;
#   3. this checkout migrates the copy, runs verify_audit over every ballot, and compares the rows
#      of every table of votes with the copy's: nothing lost, nothing added.
# Usage: scripts/upgrade-drill.sh   (make upgrade-drill; UPGRADE_FROM=<commit> UPGRADE_COMMITTEES=N)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
FROM="${UPGRADE_FROM:?set UPGRADE_FROM to the commit of the earlier release}"
COMMITTEES="${UPGRADE_COMMITTEES:-28}"
PY="$ROOT/.venv/bin/python"
ADMIN_URL="postgres://sanhui:sanhui@127.0.0.1:5432/sanhui"
BEFORE=sanhui_upgrade_before
AFTER=sanhui_upgrade_after
OLD="$ROOT/.upgrade-drill/release"

say() { printf '[upgrade-drill %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
psql_admin() { PGPASSWORD=sanhui psql -h 127.0.0.1 -U sanhui -d sanhui -v ON_ERROR_STOP=1 -Atqc "$1"; }
env_for() {  # the settings the bench uses, pointed at one database
    env -u DJANGO_DEBUG -u DATABASE_REPLICA_URL -u REDIS_URL -u PYTEST_VERSION \
        DJANGO_SETTINGS_MODULE=config.settings DJANGO_SECRET_KEY=upgrade-drill-not-a-secret \
        DJANGO_ALLOWED_HOSTS=localhost SMS_BACKEND=none LOG_LEVEL=WARNING \
        DATABASE_URL="${ADMIN_URL%/*}/$1" "${@:2}"
}
# The rows of the tables a vote writes, and of the ledger: the same before and after migrating.
COUNT_SQL="SELECT string_agg(t || '=' || n, ' ' ORDER BY t) FROM (
  SELECT 'ledger' AS t, count(*) AS n FROM deliberation_ledgerentry UNION ALL
  SELECT 'ballots', count(*) FROM deliberation_ballot UNION ALL
  SELECT 'voices', count(*) FROM deliberation_voice UNION ALL
  SELECT 'participations', count(*) FROM deliberation_participation UNION ALL
  SELECT 'named', count(*) FROM deliberation_namedchoice UNION ALL
  SELECT 'secret', count(*) FROM deliberation_secretcontent UNION ALL
  SELECT 'sealed', count(*) FROM deliberation_sealedsheet) AS counts"

bash scripts/pg-ensure.sh >/dev/null

say "the earlier release: $FROM"
rm -rf "$OLD"
git worktree prune
git worktree add --detach --force "$OLD" "$FROM" >/dev/null
trap 'git worktree remove --force "$OLD" >/dev/null 2>&1 || true' EXIT

psql_admin "DROP DATABASE IF EXISTS $AFTER WITH (FORCE)"
psql_admin "DROP DATABASE IF EXISTS $BEFORE WITH (FORCE)"
psql_admin "CREATE DATABASE $BEFORE"
say "the earlier release migrates $BEFORE and fills it: $COMMITTEES committees of 5,000 residents"
(cd "$OLD" && env_for "$BEFORE" PYTHONPATH="$OLD" "$PY" manage.py migrate --verbosity 0)
started=$SECONDS
(cd "$OLD" && env_for "$BEFORE" PYTHONPATH="$OLD" "$PY" -c "
import django
django.setup()
from bench import citydata
size = citydata.generate(citydata.City(committees=$COMMITTEES, residents_per_committee=5000))
print(', '.join(f'{k} {v:,}' for k, v in size.items()))
")
say "filled in $((SECONDS - started)) s"

say "the copy taken before upgrading: $AFTER"
psql_admin "CREATE DATABASE $AFTER TEMPLATE $BEFORE"
before_counts=$(PGPASSWORD=sanhui psql -h 127.0.0.1 -U sanhui -d "$BEFORE" -Atqc "$COUNT_SQL")

say "this checkout migrates the copy"
started=$SECONDS
env_for "$AFTER" "$PY" manage.py migrate --verbosity 1
say "migrated in $((SECONDS - started)) s"
after_counts=$(PGPASSWORD=sanhui psql -h 127.0.0.1 -U sanhui -d "$AFTER" -Atqc "$COUNT_SQL")
say "rows before: $before_counts"
say "rows after:  $after_counts"
if [ "$before_counts" != "$after_counts" ]; then
    say "FAILED: the rows differ after migrating"
    exit 1
fi

say "verify_audit over every ballot"
started=$SECONDS
env_for "$AFTER" "$PY" manage.py verify_audit
say "verified in $((SECONDS - started)) s"
psql_admin "DROP DATABASE IF EXISTS $BEFORE WITH (FORCE)"
say "passed: $after_counts"
