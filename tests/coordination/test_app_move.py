"""Coordination meetings moved from the hearings app to their own: a database of the previous release
keeps every row, its content types are relabelled, and no table is rebuilt (its triggers stay).

The test takes the test database back to the previous release's migrations (which unapplies only
the two state-only migrations of the move), writes rows through that release's models, then migrates
forward and reads them through ``coordination.models``.
"""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import databases
from tests.factories import make_committee, make_user

pytestmark = [pytest.mark.django_db(transaction=True), databases.MIGRATION_REPLAY]

PREVIOUS_RELEASE = [
    ("coordination", None),  # neither app existed yet: the decision core was in deliberation
    ("decisions", None),
    ("hearings", "0004_safeguards_and_guests"),
    ("deliberation", "0012_throttle_counts"),
    ("members", "0008_sms_outbox_contact_channel"),
    ("evaluations", "0002_comments_sealed"),
]


def _migrate(targets):
    """Migrate to ``targets`` and return the project state there (built afresh from the graph: the state
    ``migrate`` returns after unapplying migrations of several apps can include later ones)."""
    MigrationExecutor(connection).migrate(targets)
    loader = MigrationExecutor(connection).loader
    nodes = [target for target in targets if target[1]] + loader.graph.leaf_nodes("contenttypes")
    return loader.project_state(nodes)


def _latest() -> list:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _tables_and_triggers() -> tuple[set, set]:
    with connection.cursor() as cursor:
        tables = {t for t in connection.introspection.table_names(cursor) if t.startswith("hearings_")}
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal")
        return tables, set(cursor.fetchall())


def test_a_database_of_the_previous_release_keeps_its_coordination_rows_and_content_types():
    tables_before, triggers_before = _tables_and_triggers()
    committee = make_committee()
    resident = make_user()
    try:
        old = _migrate(PREVIOUS_RELEASE).apps
        # Going back relabelled the content types as the previous release had them.
        assert set(ContentType.objects.filter(model__contains="coordination").values_list("app_label", flat=True)) \
            == {"hearings"}
        OldMeeting = old.get_model("hearings", "CoordinationMeeting")
        OldParticipant = old.get_model("hearings", "CoordinationParticipant")
        OldContentType = old.get_model("contenttypes", "ContentType")
        meeting = OldMeeting.objects.create(committee_id=committee.pk, subject="楼顶漏水", status="requested",
                                            request_text="请物业修屋顶", requested_by_id=resident.pk)
        participant = OldParticipant.objects.create(meeting=meeting, kind="resident", is_party=True,
                                                    user_id=resident.pk)
        old_type, _ = OldContentType.objects.get_or_create(app_label="hearings", model="coordinationmeeting")
        permission = Permission.objects.create(content_type_id=old_type.pk, codename="audit_coordinationmeeting",
                                               name="Can audit coordination meetings")
        entry = LogEntry.objects.create(user_id=resident.pk, content_type_id=old_type.pk, object_id=str(meeting.pk),
                                        object_repr="楼顶漏水", action_flag=CHANGE)
    finally:
        _migrate(_latest())
    ContentType.objects.clear_cache()

    from coordination.models import CoordinationMeeting, CoordinationParticipant

    moved = CoordinationMeeting.objects.get(pk=meeting.pk)
    assert (moved.subject, moved.request_text, moved.status, moved.requested_by_id) == (
        "楼顶漏水", "请物业修屋顶", "requested", resident.pk)
    assert list(moved.participants.values_list("pk", "user_id", "is_party")) == [(participant.pk, resident.pk, True)]
    assert CoordinationParticipant.objects.get(pk=participant.pk).meeting == moved

    content_type = ContentType.objects.get_for_model(CoordinationMeeting)
    assert (content_type.pk, content_type.app_label) == (old_type.pk, "coordination")
    assert not ContentType.objects.filter(app_label="hearings", model__startswith="coordination").exists()
    assert not ContentType.objects.filter(app_label="hearings", model__startswith="historicalcoordination").exists()
    assert Permission.objects.get(pk=permission.pk).content_type == content_type
    assert LogEntry.objects.get(pk=entry.pk).get_edited_object() == moved

    assert _tables_and_triggers() == (tables_before, triggers_before)

