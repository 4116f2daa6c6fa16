"""Index who entered an assisted vote, and a paper sheet's batch, only where they are set.

Online votes, nearly all of them, leave both empty: they no longer write an index entry for each.
On SQLite, altering a field rebuilds the table, which drops its triggers: the append-only triggers
are put back last.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from deliberation.migrations import _append_only


def reinstall_triggers(apps, schema_editor):
    _append_only.install(schema_editor.connection, _append_only.UNTIL_0009)


class Migration(migrations.Migration):

    dependencies = [
        ('deliberation', '0006_covered_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='participation',
            name='batch',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='deliberation.paperbatch'),
        ),
        migrations.AlterField(
            model_name='participation',
            name='entered_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='participation',
            index=models.Index(condition=models.Q(('entered_by__isnull', False)), fields=['entered_by'], name='participation_entered_by'),
        ),
        migrations.AddIndex(
            model_name='participation',
            index=models.Index(condition=models.Q(('batch__isnull', False)), fields=['batch'], name='participation_batch'),
        ),
        migrations.RunPython(reinstall_triggers, migrations.RunPython.noop),
    ]
