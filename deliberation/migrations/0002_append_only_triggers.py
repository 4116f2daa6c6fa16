"""Refuse UPDATE and DELETE on the ledger, the register and the ballot contents."""

from django.db import migrations

from deliberation.migrations import _append_only


def install(apps, schema_editor):
    _append_only.install(schema_editor.connection, _append_only.UNTIL_0009)


def remove(apps, schema_editor):
    _append_only.remove(schema_editor.connection, _append_only.UNTIL_0009)


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
