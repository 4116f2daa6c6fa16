"""Refuse UPDATE and DELETE on the ledger, the register and the ballot contents."""

from django.db import migrations


def install(apps, schema_editor):
    from deliberation import triggers

    triggers.install(schema_editor.connection)


def remove(apps, schema_editor):
    from deliberation import triggers

    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
