"""The demo data of party deliberation and floor consultations, and of the demo's sealed ballot boxes."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from decisions import services
from decisions.models import Ballot
from deliberation import demo as demo_party
from deliberation import waiting as waiting_party
from deliberation.models import Consultation, ConventionVersion, FollowUp, PartyMeeting, Topic, TopicComment
from members.models import User
from tests import databases

pytestmark = [pytest.mark.django_db, databases.DEMO]


def test_seed_demo_makes_topics_and_consultations_in_several_states_once():
    call_command("seed_demo", force=True, quiet=True, stdout=StringIO())
    assert set(Topic.objects.values_list("status", flat=True)) == set(Topic.Status.values)
    assert set(Consultation.objects.values_list("status", flat=True)) == {"open", "agreed", "cancelled"}
    counts = [m.objects.count() for m in (Topic, TopicComment, Consultation, ConventionVersion, FollowUp,
                                          PartyMeeting)]
    assert all(counts)
    demo_party.seed()
    assert [m.objects.count() for m in (Topic, TopicComment, Consultation, ConventionVersion, FollowUp,
                                        PartyMeeting)] == counts
    waiting = {u: {i.kind for i in waiting_party.items_for(User.objects.get(username=u))}
               for u in ("party_member", "party_rep", "floor_leader", "resident")}
    assert waiting == {"party_member": {"second"}, "party_rep": {"second", "vote"}, "floor_leader": {"opinion"},
                       "resident": {"opinion"}}


def test_seed_demo_seals_its_secret_ballots_and_prints_the_card_of_the_open_one_once():
    """The demo's counted boxes were opened with the cards the services made; the open one's card works."""
    out = StringIO()
    call_command("seed_demo", force=True, stdout=out)
    printed = re.findall(r"Scrutineer card of organizer .*“(.+)”: ([2-9A-Z-]{34})", out.getvalue())
    assert len(printed) == 1
    title, code = printed[0]
    ballot = Ballot.objects.get(title=title)
    assert ballot.status == Ballot.Status.OPEN and ballot.is_sealed
    opened = Ballot.objects.filter(secrecy=Ballot.Secrecy.SECRET, box_opened_at__isnull=False)
    assert {Ballot.Status.PUBLISHED, Ballot.Status.CLOSED} <= set(opened.values_list("status", flat=True))
    assert Ballot.objects.filter(status=Ballot.Status.UNCOUNTED, box_opened_at__isnull=True).exists()
    again = StringIO()
    call_command("seed_demo", force=True, stdout=again)
    assert "Scrutineer card" not in again.getvalue()  # shown once, like a real card
    organizer = User.objects.get(username="organizer")
    services.ballot_close(ballot=ballot, by=organizer)
    assert services.box_present(ballot=ballot, by=organizer, code=code)
    services.ballot_publish(ballot=ballot, by=organizer)
