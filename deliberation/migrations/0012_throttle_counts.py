"""The vote throttle's shared counter: one row per person and window, counted by an upsert.

A new table only; nothing existing changes. On PostgreSQL the table is UNLOGGED: a count written
outside the write-ahead log needs no flush to disk at commit, so the throttle adds no fsync to a
vote; after a crash the table comes back empty, which only forgets the current minute's counts.
"""

from django.db import migrations, models


def _unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE deliberation_throttlecount SET UNLOGGED")


def _logged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE deliberation_throttlecount SET LOGGED")


class Migration(migrations.Migration):

    dependencies = [
        ("deliberation", "0011_quorum_default"),
    ]

    operations = [
        migrations.CreateModel(
            name="ThrottleCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("subject", models.CharField(max_length=64)),
                ("window_start", models.BigIntegerField()),
                ("hits", models.PositiveIntegerField(default=0)),
            ],
            options={
                "indexes": [models.Index(fields=["window_start"], name="throttle_window_start")],
                "constraints": [models.UniqueConstraint(fields=("subject", "window_start"),
                                                        name="throttle_one_count_per_window")],
            },
        ),
        migrations.RunPython(_unlogged, _logged, elidable=False),
    ]
