"""Each committee's stored counts (``CommitteeTally``), kept by database triggers.

Counting a district's 1.4 million memberships on every street page is too slow, so the counts
are stored, and the database keeps them: row triggers on the compound, building, household and
membership tables, on SQLite and PostgreSQL alike, so that services, the admin, ``bulk_create``,
``COPY`` and raw SQL all move them. A joining, verified, rejected or departing resident, a new or
deleted household or compound adds or takes one; moving a household, a building or a compound to
another committee (rare) recounts the committees on both sides. ``recount`` rebuilds the table
from the rows: the migration fills it with it, bulk loads may call it after loading with the
triggers off, and the tests compare the triggers' counts with it.

Increments are upserts (a committee without a row gets one); decrements only update, so that
emptying the tables (a test's flush, DELETE FROM in any order) never writes a row.
"""

# ruff: noqa: S608 - the SQL is built from this module's constants and row references, never from input.

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection as default_connection
from django.db import transaction

TALLY = "members_committeetally"
COLUMNS = ("household_count", "resident_count", "pending_count", "compound_count")

_VERIFIED, _PENDING = "'verified'", "'pending'"


def _committee_of_building(building: str, *, counts: str = "") -> str:
    return (f"SELECT t_cp.committee_id{counts} FROM members_building t_b "
            f"JOIN members_compound t_cp ON t_cp.id = t_b.compound_id WHERE t_b.id = {building}")


def _committee_of_household(household: str, *, counts: str = "") -> str:
    return (f"SELECT t_cp.committee_id{counts} FROM members_household t_h "
            f"JOIN members_building t_b ON t_b.id = t_h.building_id "
            f"JOIN members_compound t_cp ON t_cp.id = t_b.compound_id WHERE t_h.id = {household}")


def _add(source: str) -> str:
    """Upsert: add the (committee_id, households, residents, pending, compounds) rows of ``source``."""
    sets = ", ".join(f"{c} = {TALLY}.{c} + excluded.{c}" for c in COLUMNS)
    return (f"INSERT INTO {TALLY} (committee_id, {', '.join(COLUMNS)}) {source} "
            f"ON CONFLICT (committee_id) DO UPDATE SET {sets}")


def _take(committee: str, households: str = "0", residents: str = "0", pending: str = "0",
          compounds: str = "0") -> str:
    """Take these amounts from ``committee``'s row (none there: nothing to take)."""
    return (f"UPDATE {TALLY} SET household_count = household_count - {households}, "
            f"resident_count = resident_count - {residents}, pending_count = pending_count - {pending}, "
            f"compound_count = compound_count - {compounds} WHERE committee_id = ({committee})")


def _is(row: str, status: str) -> str:
    return f"(CASE WHEN {row}.status = {status} THEN 1 ELSE 0 END)"


def recount_sql(committees: str | None) -> str:
    """One statement that recounts the committees whose ids ``committees`` selects (None: all)."""
    def within(column: str) -> str:
        return f"{column} IN ({committees})" if committees is not None else "1 = 1"

    sets = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS)
    return f"""
INSERT INTO {TALLY} (committee_id, {', '.join(COLUMNS)})
SELECT c.id, COALESCE(h.n, 0), COALESCE(m.verified, 0), COALESCE(m.pending, 0), COALESCE(p.n, 0)
  FROM members_committee c
  LEFT JOIN (SELECT r_cp.committee_id, COUNT(*) AS n FROM members_compound r_cp
              WHERE {within("r_cp.committee_id")} GROUP BY r_cp.committee_id) p ON p.committee_id = c.id
  LEFT JOIN (SELECT r_cp.committee_id, COUNT(*) AS n FROM members_household r_h
               JOIN members_building r_b ON r_b.id = r_h.building_id
               JOIN members_compound r_cp ON r_cp.id = r_b.compound_id
              WHERE {within("r_cp.committee_id")} GROUP BY r_cp.committee_id) h ON h.committee_id = c.id
  LEFT JOIN (SELECT r_cp.committee_id, SUM({_is("r_m", _VERIFIED)}) AS verified,
                    SUM({_is("r_m", _PENDING)}) AS pending
               FROM members_membership r_m
               JOIN members_household r_h ON r_h.id = r_m.household_id
               JOIN members_building r_b ON r_b.id = r_h.building_id
               JOIN members_compound r_cp ON r_cp.id = r_b.compound_id
              WHERE r_m.status IN ({_VERIFIED}, {_PENDING}) AND {within("r_cp.committee_id")}
              GROUP BY r_cp.committee_id) m ON m.committee_id = c.id
 WHERE {within("c.id")}
ON CONFLICT (committee_id) DO UPDATE SET {sets}"""


# A membership that is (now) verified or pending, added to its household's committee.
_JOINED = _add(_committee_of_household(
    "NEW.household_id", counts=f", 0, {_is('NEW', _VERIFIED)}, {_is('NEW', _PENDING)}, 0")
    + f" AND NEW.status IN ({_VERIFIED}, {_PENDING})")
_LEFT = _take(_committee_of_household("OLD.household_id"), residents=_is("OLD", _VERIFIED),
              pending=_is("OLD", _PENDING))

# (name, table, event, columns whose change matters (UPDATE), statements). NEW and OLD are the row,
# in a SQLite trigger body and in a PL/pgSQL function alike.
TRIGGERS = (
    ("tally_compound_insert", "members_compound", "INSERT", (), [
        _add("SELECT id, 0, 0, 0, 1 FROM members_committee WHERE id = NEW.committee_id"),
    ]),
    ("tally_compound_delete", "members_compound", "DELETE", (), [
        _take("OLD.committee_id", compounds="1"),
    ]),
    ("tally_compound_move", "members_compound", "UPDATE", ("committee_id",), [
        recount_sql("OLD.committee_id, NEW.committee_id"),
    ]),
    ("tally_building_move", "members_building", "UPDATE", ("compound_id",), [
        recount_sql("SELECT t_cp.committee_id FROM members_compound t_cp "
                    "WHERE t_cp.id IN (OLD.compound_id, NEW.compound_id)"),
    ]),
    ("tally_household_insert", "members_household", "INSERT", (), [
        _add(_committee_of_building("NEW.building_id", counts=", 1, 0, 0, 0")),
    ]),
    ("tally_household_delete", "members_household", "DELETE", (), [
        _take(_committee_of_building("OLD.building_id"), households="1"),
    ]),
    ("tally_household_move", "members_household", "UPDATE", ("building_id",), [
        recount_sql("SELECT t_cp.committee_id FROM members_building t_b "
                    "JOIN members_compound t_cp ON t_cp.id = t_b.compound_id "
                    "WHERE t_b.id IN (OLD.building_id, NEW.building_id)"),
    ]),
    ("tally_membership_insert", "members_membership", "INSERT", (), [
        _JOINED,
    ]),
    ("tally_membership_delete", "members_membership", "DELETE", (), [
        _LEFT,
    ]),
    ("tally_membership_change", "members_membership", "UPDATE", ("status", "household_id"), [
        _LEFT,
        _JOINED,
    ]),
)


def _changed(columns: Iterable[str], *, distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in columns)


def install(connection=default_connection) -> None:
    """Create the triggers (idempotent)."""
    with connection.cursor() as cursor:
        for name, table, event, columns, statements in TRIGGERS:
            when = f"{event} OF {', '.join(columns)}" if columns else event
            if connection.vendor == "postgresql":
                body = "; ".join(statements)
                # No parameters: cursor.execute would read the "%" of a LIKE as one; there are none.
                cursor.execute(f"CREATE OR REPLACE FUNCTION sanhui_{name}() RETURNS trigger "
                               f"LANGUAGE plpgsql AS $$ BEGIN {body}; RETURN NULL; END $$")
                condition = f" WHEN ({_changed(columns, distinct='IS DISTINCT FROM')})" if columns else ""
                cursor.execute(f"CREATE OR REPLACE TRIGGER {name} AFTER {when} ON {table} FOR EACH ROW"
                               f"{condition} EXECUTE FUNCTION sanhui_{name}()")
            elif connection.vendor == "sqlite":
                condition = f" WHEN {_changed(columns, distinct='IS NOT')}" if columns else ""
                body = "".join(f"{statement};" for statement in statements)
                cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {when} ON {table} "
                               f"FOR EACH ROW{condition} BEGIN {body} END")


def remove(connection=default_connection) -> None:
    """Drop the triggers (a bulk load that recounts afterwards; tests)."""
    with connection.cursor() as cursor:
        for name, table, *_ in TRIGGERS:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS sanhui_{name}()")
            elif connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def installed(connection=default_connection) -> set[str]:
    """The names of the tally triggers present in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()} & {name for name, *_ in TRIGGERS}


def recount(committee_ids: Iterable[int] | None = None, *, connection=default_connection) -> None:
    """Recompute the stored counts of these committees (None: every committee) from the rows."""
    if committee_ids is None:
        sql, params = recount_sql(None), []
    else:
        params = [int(pk) for pk in committee_ids]
        if not params:
            return
        sql = recount_sql(", ".join(["%s"] * len(params)))
        params = params * 4  # the placeholders appear in each of the four filters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@contextmanager
def suspended(committee_ids: Iterable[int] | None = None, *, connection=default_connection) -> Iterator[None]:
    """Load in bulk without the triggers, then recount these committees (None: all), in one transaction.

    For a bulk load (``COPY`` of a district) into a database nothing else writes to: the row
    triggers would cost more than the load itself, one recount costs a fraction of it. The triggers
    are dropped inside the transaction, so they come back if the load fails.
    """
    with transaction.atomic(using=connection.alias):
        remove(connection)
        yield
        install(connection)
        recount(committee_ids, connection=connection)
