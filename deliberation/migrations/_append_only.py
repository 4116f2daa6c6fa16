"""The append-only triggers as the migrations of 0002–0009 installed them, frozen here.

A migration must do tomorrow what it did the day it was written, so it does not import the
application's code (which moves and changes); it carries its SQL. The loader skips modules whose
name starts with "_": this is not a migration. Each migration names the tables it protects.
"""

UNTIL_0009 = ("deliberation_ledgerentry", "deliberation_participation", "deliberation_namedchoice",
              "deliberation_secretcontent", "deliberation_secretchoice", "deliberation_voice",
              "deliberation_voiceholder")
FROM_0009 = (*UNTIL_0009, "deliberation_sealedsheet")


def install(connection, tables) -> None:
    existing = set(connection.introspection.table_names())
    tables = [table for table in tables if table in existing]
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


def remove(connection, tables) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            elif connection.vendor == "sqlite":
                for action in ("update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
