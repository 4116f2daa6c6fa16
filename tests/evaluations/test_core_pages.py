"""An evaluation's sheets are a core ballot, but the core's pages never present it themselves."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from decisions import selectors as core_selectors
from decisions import services as core_services
from decisions import waiting as core_waiting
from members.models import Notification
from tests.evaluations.factories import fill, make_open_campaign, make_world, publish

pytestmark = pytest.mark.django_db


def test_the_core_shows_no_per_question_counts_of_a_published_evaluation(client):
    world = make_world(reps=3)
    campaign = make_open_campaign(world)
    for voter in world.reps[campaign.committee_id]:
        fill(campaign, voter, level=1)
    organizer = world.organizers[campaign.committee_id]
    publish(campaign, organizer)
    ballot = campaign.ballot
    ballot.refresh_from_db()
    assert ballot.status == ballot.Status.PUBLISHED
    # Three answers: the evaluation hides every breakdown, and so must the core.
    for user in (organizer, world.reps[campaign.committee_id][0]):
        assert core_selectors.can_see_result(user, ballot) is False
        client.force_login(user)
        response = client.get(reverse("decisions:ballot_results", args=[ballot.pk]))
        assert response.status_code in (403, 404) or "满意" not in response.content.decode()
        assert client.get(reverse("decisions:ballot_export", args=[ballot.pk])).status_code in (403, 404)


def test_sheets_are_listed_and_announced_by_evaluations_once_and_the_reminder_points_at_the_sheet():
    world = make_world(reps=3)
    campaign = make_open_campaign(world)
    rep = world.reps[campaign.committee_id][0]
    # Not a second "vote" item beside the evaluation's own "fill in your sheet".
    assert core_waiting.ballot_items_for(rep) == []
    assert not Notification.objects.filter(dedupe_key=f"opening:ballot:{campaign.ballot_id}").exists()
    ballot = campaign.ballot
    ballot.closes_at = timezone.now() + timedelta(hours=30)
    ballot.save(update_fields=["closes_at"])
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + timedelta(hours=7)):
        core_services.ballots_send_reminders()
    reminders = Notification.objects.filter(kind=Notification.Kind.REMINDER, user=rep)
    assert [n.url for n in reminders] == [reverse("evaluations:sheet_fill", args=[campaign.pk])]
