"""The vote throttle's shared counter: one row per person and window, counted by an upsert.

A new table only; nothing existing changes.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("deliberation", "0010_anchors"),
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
    ]
