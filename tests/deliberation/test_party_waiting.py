"""Waiting items of party deliberation and floor consultations."""

import pytest

from deliberation import waiting as waiting_party
from deliberation.services import floor as floor_services
from deliberation.services import party as party_services
from tests.deliberation.party_factories import make_agenda_topic, make_consultation, make_party, yes_option
from tests.factories import make_resident

pytestmark = pytest.mark.django_db


def test_topics_to_second_votes_and_household_opinions_wait_for_the_right_people(django_assert_num_queries):
    committee, secretary, members, reps = make_party(seconds_needed=3)
    topic = party_services.topic_propose(committee=committee, by=members[0], title="增设扶手")
    party_services.topic_second(topic=topic, by=members[1])
    voting = party_services.topic_vote_open(topic=make_agenda_topic(committee, secretary, "开放时间"), by=secretary)
    party_services.topic_vote_cast(topic=voting, by=reps[1], option_id=yes_option(voting.ballot))

    def kinds(user):
        return sorted((i.kind, i.title) for i in waiting_party.items_for(user))

    assert kinds(members[0]) == []  # own proposal; not a representative
    assert kinds(members[1]) == []  # already seconded
    assert kinds(members[2]) == [("second", "增设扶手")]
    assert kinds(reps[0]) == [("second", "增设扶手"), ("vote", "开放时间")]
    assert kinds(reps[1]) == [("second", "增设扶手")]
    assert kinds(make_resident()) == []

    consultation, leader, residents = make_consultation(n=2)
    assert kinds(residents[0]) == [("opinion", consultation.title)]
    floor_services.consultation_answer(consultation=consultation, by=residents[0],
                                       option_id=yes_option(consultation.ballot))
    assert kinds(residents[0]) == []
    with django_assert_num_queries(4):
        waiting_party.items_for(reps[0])
