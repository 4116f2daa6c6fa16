"""Demo hearings: every state in 延长居民区, and a second run changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from decisions.models import Ballot
from hearings import demo as demo_hearing
from hearings import waiting as waiting_hearing
from hearings.models import Hearing, HearingMinutes, HearingObjection, HearingOpinion, HearingRegistration
from members.models import User
from tests import databases

pytestmark = [pytest.mark.django_db, databases.DEMO]


def test_seed_demo_has_hearings_in_every_state_and_is_idempotent():
    call_command("seed_demo", force=True, quiet=True, stdout=StringIO())
    hearings = Hearing.objects.filter(committee__name="延长居民区")
    assert set(hearings.values_list("status", flat=True)) == set(Hearing.Status.values)
    archived = hearings.get(status=Hearing.Status.ARCHIVED)
    assert archived.follow_ups.get().status == Hearing.Status.DRAFT
    assert archived.objections.get().answered_at is not None
    assert archived.minutes.get().status == HearingMinutes.Status.FINAL
    assert hearings.get(status=Hearing.Status.IN_SESSION).announced_late
    # The household vote's secret papers were counted by opening its box with the organizer's card.
    vote = Ballot.objects.get(subject_type__model="hearing", status=Ballot.Status.PUBLISHED)
    assert vote.is_sealed and vote.box_opened_at is not None
    assert vote.result["turnout"]["voices"] == vote.box_tally["papers"] > 0
    counts = [Model.objects.count() for Model in (Hearing, HearingOpinion, HearingRegistration, HearingMinutes,
                                                  HearingObjection)]
    history = Hearing.history.count()

    demo_hearing.seed()

    assert [Model.objects.count() for Model in (Hearing, HearingOpinion, HearingRegistration, HearingMinutes,
                                                HearingObjection)] == counts
    assert Hearing.history.count() == history
    # the demo accounts have something waiting for them
    kinds = {item.kind for item in waiting_hearing.items_for(User.objects.get(username="resident"))}
    assert {"registration", "opinion"} <= kinds
    kinds = {item.kind for item in waiting_hearing.items_for(User.objects.get(username="resident_rep"))}
    assert "confirmation" in kinds
