"""The append-only, tally and turnout triggers are in place after every migrate, whatever a migration rebuilt."""

import pytest
from django.core.management import call_command
from django.db import connection

from decisions import triggers, turnout
from members import tallies

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_append_only_table_has_its_triggers_after_migrating():
    assert triggers.installed(connection) == set(triggers.APPEND_ONLY_TABLES)
    assert turnout.installed(connection)


def test_a_migrate_puts_back_triggers_that_a_table_rebuild_dropped():
    # What a rebuilt table looks like on SQLite: the same table, without its triggers.
    triggers.remove(connection)
    tallies.remove(connection)
    turnout.remove(connection)
    assert triggers.installed(connection) == set()
    assert tallies.installed(connection) == set()
    assert not turnout.installed(connection)

    call_command("migrate", verbosity=0)

    assert triggers.installed(connection) == set(triggers.APPEND_ONLY_TABLES)
    assert tallies.installed(connection) == {name for name, *_ in tallies.TRIGGERS}
    assert turnout.installed(connection)
