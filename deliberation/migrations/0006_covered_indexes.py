"""Drop the foreign-key indexes that a unique constraint's index already serves.

Each vote writes these tables; one index fewer each is less to write and keep. On SQLite, altering
a field rebuilds the table, which drops its triggers: the append-only triggers are put back last.
"""

import django.db.models.deletion
from django.db import migrations, models

from deliberation.migrations import _append_only


def reinstall_triggers(apps, schema_editor):
    _append_only.install(schema_editor.connection, _append_only.UNTIL_0009)


class Migration(migrations.Migration):

    dependencies = [
        ('deliberation', '0005_cast_function'),
    ]

    operations = [
        migrations.AlterField(
            model_name='participation',
            name='voice',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='participations', to='deliberation.voice'),
        ),
        migrations.AlterField(
            model_name='secretchoice',
            name='content',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='choices', to='deliberation.secretcontent'),
        ),
        migrations.AlterField(
            model_name='secretcontent',
            name='ballot',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='secret_contents', to='deliberation.ballot'),
        ),
        migrations.RunPython(reinstall_triggers, migrations.RunPython.noop),
    ]
