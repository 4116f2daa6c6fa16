"""The demo has a coordination meeting in every state, and a second seed changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from coordination import selectors
from coordination import waiting as waiting_coordination
from coordination.models import CoordinationAction, CoordinationMeeting, CoordinationProgress
from members.models import Committee, Notification, User
from tests import databases

pytestmark = [pytest.mark.django_db, databases.DEMO]


def test_seed_demo_has_coordination_meetings_in_every_state_and_is_idempotent(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", force=True, quiet=True, stdout=StringIO())
    statuses = set(CoordinationMeeting.objects.values_list("status", flat=True))
    assert statuses == set(CoordinationMeeting.Status.values)
    counts = (CoordinationMeeting.objects.count(), CoordinationAction.objects.count(),
              CoordinationProgress.objects.count(), Notification.objects.count(),
              CoordinationMeeting.history.count())
    call_command("seed_demo", force=True, quiet=True, stdout=StringIO())
    assert counts == (CoordinationMeeting.objects.count(), CoordinationAction.objects.count(),
                      CoordinationProgress.objects.count(), Notification.objects.count(),
                      CoordinationMeeting.history.count())

    committee = Committee.objects.get(name="延长居民区")
    assert selectors.overdue_actions(committee).exists()
    resident = User.objects.get(username="resident")
    assert {i.kind for i in waiting_coordination.items_for(resident)} >= {"confirmation"}
    police_contact = User.objects.get(username="agency_contact")
    escalated = CoordinationMeeting.objects.get(status="escalated")
    assert selectors.can_see(police_contact, escalated)
    assert selectors.can_see(User.objects.get(username="street_officer"), escalated)
    assert not selectors.can_see(User.objects.get(username="organizer2"), escalated)
