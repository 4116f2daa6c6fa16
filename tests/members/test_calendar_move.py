"""The working-day calendar moved from evaluations to the directory: a database of the previous release
keeps its calendar rows and their history, and the content types follow the model.

The test takes the test database back to the previous release (which unapplies only the two
state-only migrations of the move), writes a row through that release's model, migrates forward and
reads it through ``members.models.Holiday``.
"""

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import databases

pytestmark = [pytest.mark.django_db(transaction=True), databases.MIGRATION_REPLAY]

PREVIOUS_RELEASE = [
    ("members", "0009_wechat_outbox"),
    ("evaluations", "0003_ballot_in_decisions"),
]


def _migrate(targets):
    MigrationExecutor(connection).migrate(targets)
    loader = MigrationExecutor(connection).loader
    nodes = [target for target in targets if target[1]] + loader.graph.leaf_nodes("contenttypes")
    return loader.project_state(nodes)


def _latest() -> list:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_a_database_of_the_previous_release_keeps_its_calendar_rows_and_content_types():
    try:
        old = _migrate(PREVIOUS_RELEASE).apps
        OldHoliday = old.get_model("evaluations", "Holiday")
        OldContentType = old.get_model("contenttypes", "ContentType")
        OldHoliday.objects.create(day=date(2027, 2, 17), kind="holiday", name="春节")
        OldHoliday.objects.create(day=date(2027, 2, 20), kind="workday", name="调休")
        OldContentType.objects.get_or_create(app_label="evaluations", model="holiday")
    finally:
        _migrate(_latest())
    ContentType.objects.clear_cache()

    from members.calendar import add_working_days
    from members.models import Holiday

    assert list(Holiday.objects.values_list("day", "kind", "name")) == [
        (date(2027, 2, 17), "holiday", "春节"), (date(2027, 2, 20), "workday", "调休")]
    # Tuesday 16 Feb + 3 working days: Wed 17 is off, Thu 18, Fri 19, and the make-up Saturday 20.
    assert add_working_days(date(2027, 2, 16), 3) == date(2027, 2, 20)
    assert ContentType.objects.filter(app_label="members", model="holiday").exists()
    assert not ContentType.objects.filter(app_label="evaluations", model="holiday").exists()
