"""PostgreSQL: the one-statement sealed cast becomes ``sanhui_cast_sealed_v1``, its text kept in
``sql/sanhui_cast_sealed_v1.sql``.

The function is the one deliberation's migration 0009 installed as ``sanhui_cast_sealed``, under a
name that carries its version: the application calls the version it was written for, so a later
change is a new file and a new migration, and this file is never edited. The unversioned function,
which nothing calls any more, is dropped; going back restores it from the same text (v1 is its body).
Nothing on SQLite.
"""

from pathlib import Path

from django.db import migrations

TEXT = (Path(__file__).resolve().parent / "sql" / "sanhui_cast_sealed_v1.sql").read_text(encoding="utf-8")
NAME, PREVIOUS = "sanhui_cast_sealed_v1", "sanhui_cast_sealed"


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(TEXT)  # no parameters: its "%" are PL/pgSQL's
            cursor.execute(f"DROP FUNCTION IF EXISTS {PREVIOUS}")


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(TEXT.replace(f"FUNCTION {NAME}(", f"FUNCTION {PREVIOUS}("))
            cursor.execute(f"DROP FUNCTION IF EXISTS {NAME}")


class Migration(migrations.Migration):

    dependencies = [
        ("decisions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, remove),
    ]
