"""Each ballot's turnout as stored counts (``TurnoutCount``), kept by a database trigger on the register.

A ballot page shows how many voices have taken part, and their floor area. Counting the register
at every view grows with the electorate (a street-wide ballot has tens of thousands of voices), so
the count is stored and the database keeps it: a row trigger on ``deliberation_participation``, on
SQLite and PostgreSQL alike, adds a voice's first version (``version = 1``) to its ballot's count,
whatever wrote it. The register is append-only, so the count only ever grows, and it is exact.

The count of a ballot is split over ``SHARDS`` rows by voice id: concurrent votes on one ballot
add to different rows, so they rarely wait for each other's row lock until commit; a reader sums
at most ``SHARDS`` rows. ``recount`` rebuilds the rows from the register; the tests and
``verify_audit`` compare the two.

On SQLite a migration that rebuilds the register's table drops its triggers: ``install`` runs again
after every ``migrate`` (``DecisionsConfig.ready``). The migration that first installed the trigger
keeps its own frozen copy of this SQL.
"""

# ruff: noqa: S608 - the SQL is built from this module's constants, never from input.

from django.db import connection as default_connection
from django.db import transaction

SHARDS = 16
TABLE = "decisions_turnoutcount"
REGISTER = "deliberation_participation"
TRIGGER = "turnout_count"

# Add one voice (NEW, a first version) to its ballot's count: an upsert into the voice's shard.
_ADD = (f"INSERT INTO {TABLE} (ballot_id, shard, voices, area) "
        f"SELECT NEW.ballot_id, NEW.voice_id % {SHARDS}, 1, COALESCE(v.floor_area, 0) "
        f"FROM deliberation_voice v WHERE v.id = NEW.voice_id "
        f"ON CONFLICT (ballot_id, shard) DO UPDATE SET voices = {TABLE}.voices + 1, "
        f"area = {TABLE}.area + excluded.area")


def _recount_sql(where: str) -> str:
    return (f"INSERT INTO {TABLE} (ballot_id, shard, voices, area) "
            f"SELECT p.ballot_id, p.voice_id % {SHARDS}, COUNT(*), COALESCE(SUM(v.floor_area), 0) "
            f"FROM {REGISTER} p JOIN deliberation_voice v ON v.id = p.voice_id "
            f"WHERE p.version = 1 AND {where} GROUP BY p.ballot_id, p.voice_id % {SHARDS}")


def install(connection=default_connection) -> None:
    """Create the trigger (idempotent), once the count's table exists (a migrate may stop short of it)."""
    if TABLE not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE OR REPLACE FUNCTION sanhui_{TRIGGER}() RETURNS trigger "
                           f"LANGUAGE plpgsql AS $$ BEGIN {_ADD}; RETURN NULL; END $$")
            cursor.execute(f"CREATE OR REPLACE TRIGGER {TRIGGER} AFTER INSERT ON {REGISTER} FOR EACH ROW "
                           f"WHEN (NEW.version = 1) EXECUTE FUNCTION sanhui_{TRIGGER}()")
        elif connection.vendor == "sqlite":
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {TRIGGER} AFTER INSERT ON {REGISTER} FOR EACH ROW "
                           f"WHEN NEW.version = 1 BEGIN {_ADD}; END")


def remove(connection=default_connection) -> None:
    """Drop the trigger (a test that writes behind its back)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {REGISTER}")
            cursor.execute(f"DROP FUNCTION IF EXISTS sanhui_{TRIGGER}()")
        elif connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")


def installed(connection=default_connection) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname = %s AND NOT tgisinternal", [TRIGGER])
        else:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s", [TRIGGER])
        return cursor.fetchone() is not None


def recount(ballot_ids=None, *, connection=default_connection) -> None:
    """Rebuild the counts of these ballots (None: every ballot) from the register."""
    ids = None if ballot_ids is None else [int(pk) for pk in ballot_ids]
    if ids == []:
        return
    # Ids are written into the statement (integers, by int() above): bound parameters would make
    # the modulo sign of the shard a placeholder character.
    within = "1 = 1" if ids is None else f"ballot_id IN ({', '.join(map(str, ids))})"
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE {within}")
        cursor.execute(_recount_sql(within.replace("ballot_id", "p.ballot_id")))
