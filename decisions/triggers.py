"""Database triggers that make the vote and ledger tables append-only (SQLite and PostgreSQL).

On SQLite, a migration that alters a table rebuilds it, and the rebuilt table has no triggers. So
the triggers are installed again at the end of every ``migrate`` (``DecisionsConfig.ready`` connects
``install`` to ``post_migrate``), whatever the migrations did; ``installed`` lets a test check it.
The migrations that first installed them carry their own frozen copy of this SQL.
"""

APPEND_ONLY_TABLES = (
    "deliberation_ledgerentry",
    "deliberation_participation",
    "deliberation_namedchoice",
    "deliberation_secretcontent",
    "deliberation_secretchoice",
    "deliberation_sealedsheet",
    "deliberation_voice",
    "deliberation_voiceholder",
)


def install(connection) -> None:
    """Create the triggers on the tables that exist so far (idempotent: each migration that adds a table
    to the list runs it again)."""
    existing = set(connection.introspection.table_names())
    tables = [table for table in APPEND_ONLY_TABLES if table in existing]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION sanhui_append_only() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'sanhui: % is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql")
            for table in tables:
                cursor.execute(f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE "
                               f"ON {table} FOR EACH ROW EXECUTE FUNCTION sanhui_append_only()")
        elif connection.vendor == "sqlite":
            for table in tables:
                for action in ("UPDATE", "DELETE"):
                    cursor.execute(
                        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{action.lower()} BEFORE {action} ON {table} "
                        f"BEGIN SELECT RAISE(ABORT, 'sanhui: {table} is append-only'); END")


def remove(connection) -> None:
    """Drop the triggers (tests that flush the database; never in production)."""
    with connection.cursor() as cursor:
        for table in APPEND_ONLY_TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            elif connection.vendor == "sqlite":
                for action in ("update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")


def installed(connection) -> set[str]:
    """The append-only tables that have their triggers in this database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            names = {row[0] for row in cursor.fetchall()}
            return {table for table in APPEND_ONLY_TABLES if f"{table}_append_only" in names}
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {row[0] for row in cursor.fetchall()}
        return {table for table in APPEND_ONLY_TABLES
                if {f"{table}_no_update", f"{table}_no_delete"} <= names}
