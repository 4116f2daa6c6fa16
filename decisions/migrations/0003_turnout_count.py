"""Each ballot's turnout as stored counts, the trigger on the register that keeps them, and their first count.

The trigger SQL is frozen in ``sql/`` as this migration first ran it: a migration does not import the
application's code, which moves and changes."""

from pathlib import Path

import django.db.models.deletion
from django.db import migrations, models

SQL = Path(__file__).parent / "sql"


def _run(connection, what: str) -> None:
    """Run the frozen statements of ``what`` (install, remove) for this database."""
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    text = (SQL / f"0003_turnout_count.{what}.{connection.vendor}.sql").read_text(encoding="utf-8")
    with connection.cursor() as cursor:
        for statement in text.split("\n--;;\n"):
            statement = "\n".join(line for line in statement.splitlines() if not line.startswith("-- Frozen"))
            if statement.strip():
                cursor.execute(statement)  # no parameters: the "%" in them is the modulo operator


def install_and_fill(apps, schema_editor):
    # The trigger first, then the count of what the register holds: in one transaction, so a vote
    # is counted by one or the other, never both or neither.
    _run(schema_editor.connection, "install")


def remove(apps, schema_editor):
    _run(schema_editor.connection, "remove")


class Migration(migrations.Migration):

    dependencies = [
        ('decisions', '0002_cast_function_v1'),
    ]

    operations = [
        migrations.CreateModel(
            name='TurnoutCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('shard', models.PositiveSmallIntegerField()),
                ('voices', models.PositiveIntegerField(default=0)),
                ('area', models.DecimalField(decimal_places=2, default=0, max_digits=14)),
                ('ballot', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='decisions.ballot')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('ballot', 'shard'), name='turnoutcount_one_per_shard')],
            },
        ),
        migrations.RunPython(install_and_fill, remove),
    ]
