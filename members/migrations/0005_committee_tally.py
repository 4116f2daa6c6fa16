"""Each committee's stored counts, the triggers that keep them, and their first count.

The trigger SQL is frozen in ``sql/`` as this migration first ran it: a migration does not import the
application's code, which moves and changes."""

from pathlib import Path

import django.db.models.deletion
from django.db import migrations, models


SQL = Path(__file__).parent / "sql"


def _run(connection, what: str) -> None:
    """Run the frozen statements of ``what`` (install, recount, remove) for this database."""
    text = (SQL / f"0005_committee_tally.{what}.{connection.vendor}.sql").read_text(encoding="utf-8")
    with connection.cursor() as cursor:
        for statement in text.split("\n--;;\n"):
            statement = "\n".join(line for line in statement.splitlines() if not line.startswith("-- Frozen"))
            if statement.strip():
                cursor.execute(statement)


def install_and_fill(apps, schema_editor):
    # The triggers first: their locks hold writers off until the count below has committed.
    _run(schema_editor.connection, "install")
    _run(schema_editor.connection, "recount")


def remove(apps, schema_editor):
    _run(schema_editor.connection, "remove")


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0004_notifications'),
    ]

    operations = [
        migrations.CreateModel(
            name='CommitteeTally',
            fields=[
                ('committee', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='tally', serialize=False, to='members.committee', verbose_name="residents' committee")),
                ('household_count', models.PositiveIntegerField(default=0, verbose_name='households')),
                ('resident_count', models.PositiveIntegerField(default=0, verbose_name='residents')),
                ('pending_count', models.PositiveIntegerField(default=0, verbose_name='pending requests')),
                ('compound_count', models.PositiveIntegerField(default=0, verbose_name='compounds')),
            ],
            options={
                'verbose_name': 'committee tally',
                'verbose_name_plural': 'committee tallies',
            },
        ),
        migrations.RunPython(install_and_fill, remove),
    ]
