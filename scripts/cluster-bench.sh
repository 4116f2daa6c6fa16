#!/usr/bin/env bash
# What the synchronous standby costs the cast: bench/run.py's floor and cast, against the cluster's
# primary (scripts/cluster.sh), first with the synchronous standby, then with the same standby made
# asynchronous (synchronous_standby_names = '', reloaded). The floor is one INSERT committed, so it
# pays the standby's round trip too: compare the casts per second of the two runs, and each ratio.
#
#   make bench-cluster                       (BENCH_CLUSTER_ARGS='--quick' by default: ~2 min a run)
#
# Writes bench/results/<date>-cluster-sync.md and -cluster-async.md (the two reports) and prints a
# summary; starts the cluster and always stops it. Not part of `make test-cluster` or .ci/run.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ARGS="${BENCH_CLUSTER_ARGS:---quick}"
PY="$ROOT/.venv/bin/python"
OUT="$ROOT/bench/results"
say() { printf '[bench-cluster %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

trap 'bash scripts/cluster.sh stop' EXIT
CLUSTER_SYNC=1 bash scripts/cluster.sh start
pw="$(sed -n "s/^DATABASE_URL='postgres:\/\/sanhui:\([^@]*\)@.*/\1/p" .cluster/env)"
admin="postgres://sanhui:${pw}@127.0.0.4:5441/sanhui"   # the primary alone: bench/run.py's own database
mkdir -p "$OUT"

set_sync() {  # set_sync 'FIRST 1 (pg2)' | ''
    runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -h "$ROOT/.cluster/pg/run" -p 5441 -U postgres \
        -d postgres -XAtq -c "ALTER SYSTEM SET synchronous_standby_names = '$1'" -c "SELECT pg_reload_conf()" >/dev/null
    sleep 2
    say "synchronous_standby_names = '$1': $(runuser -u postgres -- /usr/lib/postgresql/15/bin/psql \
        -h "$ROOT/.cluster/pg/run" -p 5441 -U postgres -d postgres -XAtqc \
        "SELECT state || ' ' || sync_state FROM pg_stat_replication")"
}

for mode in sync async; do
    if [ "$mode" = async ]; then set_sync ''; else set_sync 'FIRST 1 (pg2)'; fi
    say "$mode: make bench $ARGS --db postgresql --no-scale against the cluster's primary"
    # shellcheck disable=SC2086
    BENCH_PG_ADMIN_URL="$admin" "$PY" -m bench.run $ARGS --db postgresql --no-scale >"$OUT/.cluster-$mode.log" 2>&1 \
        || { cat "$OUT/.cluster-$mode.log"; exit 1; }
    report="$(ls -t "$OUT"/*-partial.md | head -n1)"
    mv "$report" "$OUT/$(date -u +%F)-cluster-$mode.md"
    rm -f "$OUT/.cluster-$mode.log"
done

# City-size data at 1/10 of a district (bench/run.py's default scale: 28 committees × 5,000
# residents) on the primary, with the standby streaming it: the page timings, and what a committee
# takes on disk (database, WAL, and the standby's copy), for docs/DEPLOY.md's city figures.
set_sync 'FIRST 1 (pg2)'
say "city-size data (28 committees) on the cluster: bench/run.py --no-load"
BENCH_PG_ADMIN_URL="$admin" "$PY" -m bench.run --no-load >"$OUT/.cluster-scale.log" 2>&1 \
    || { cat "$OUT/.cluster-scale.log"; exit 1; }
report="$(ls -t "$OUT"/*-partial.md | head -n1)"
mv "$report" "$OUT/$(date -u +%F)-cluster-scale.md"
rm -f "$OUT/.cluster-scale.log"
sizes="$(runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -h "$ROOT/.cluster/pg/run" -p 5441 -U postgres \
    -d sanhui_bench_city -XAtq -c "CHECKPOINT" -c "SELECT 'database bytes ' || pg_database_size('sanhui_bench_city')
    || ', committees ' || (SELECT count(*) FROM members_committee) || ', residents ' || (SELECT count(*) FROM members_user)
    || ', votes ' || (SELECT count(*) FROM deliberation_participation)
    || ', ledger events ' || (SELECT count(*) FROM deliberation_ledgerentry)")"
disk="primary data dir $(du -sb .cluster/pg/pg1 | cut -f1) bytes (WAL $(du -sb .cluster/pg/pg1/pg_wal | cut -f1)), standby $(du -sb .cluster/pg/pg2 | cut -f1) bytes"
printf '\n## Sizes on the cluster (scripts/cluster-bench.sh)\n\n- %s\n- %s\n' "$sizes" "$disk" \
    >>"$OUT/$(date -u +%F)-cluster-scale.md"
say "$sizes; $disk"

echo
for mode in sync async; do
    echo "== $mode standby: $(date -u +%F)-cluster-$mode.md"
    grep -E '^\| (floor|vote cast|\*\*cast / floor\*\*) \|' "$OUT/$(date -u +%F)-cluster-$mode.md" | head -3
done
