"""Each committee's stored counts, the triggers that keep them, and their first count."""

import django.db.models.deletion
from django.db import migrations, models


def install_and_fill(apps, schema_editor):
    from members import tallies

    # The triggers first: their locks hold writers off until the count below has committed.
    tallies.install(schema_editor.connection)
    tallies.recount(connection=schema_editor.connection)


def remove(apps, schema_editor):
    from members import tallies

    tallies.remove(schema_editor.connection)


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
