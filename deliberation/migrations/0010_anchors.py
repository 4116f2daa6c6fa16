"""Time-stamp anchors: an RFC 3161 token over each lifecycle event, kept outside the ledger's triggers.

A new table only. Events appended before a time-stamp authority was configured have no token (and
none can be had afterwards within the tolerance of the event's time): once ``TSA_URL`` is set,
verify_audit reports them as missing.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("deliberation", "0009_sealed_box"),
    ]

    operations = [
        migrations.CreateModel(
            name="Anchor",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("event", models.CharField(max_length=20)),
                ("chain", models.CharField(max_length=40)),
                ("seq", models.PositiveIntegerField()),
                ("entry_hash", models.CharField(max_length=64)),
                ("token", models.BinaryField(null=True)),
                ("gen_time", models.DateTimeField(null=True)),
                ("requested_at", models.DateTimeField()),
                ("ballot", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="anchors",
                                             to="deliberation.ballot")),
            ],
            options={
                "verbose_name": "time-stamp anchor",
                "verbose_name_plural": "time-stamp anchors",
                "ordering": ["chain", "seq"],
                "constraints": [
                    models.UniqueConstraint(fields=("chain", "seq"), name="anchor_unique_seq"),
                    models.CheckConstraint(
                        condition=models.Q(models.Q(("gen_time__isnull", True), ("token__isnull", True)),
                                           models.Q(("gen_time__isnull", False), ("token__isnull", False)),
                                           _connector="OR"),
                        name="anchor_token_has_time"),
                ],
            },
        ),
    ]
