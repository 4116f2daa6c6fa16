"""The demo data of party deliberation and floor consultations."""

from io import StringIO

import pytest
from django.core.management import call_command

from deliberation import demo_party, waiting_party
from deliberation.models import Consultation, ConventionVersion, FollowUp, PartyMeeting, Topic, TopicComment
from members.models import User

pytestmark = pytest.mark.django_db


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
