"""The resident's home page: everything waiting for this person first, one big button per item."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from decisions import services
from decisions import waiting as deliberation_waiting
from decisions.models import Ballot
from members import services as member_services
from members.models import Notification
from members.notifications import notify
from members.waiting import WaitingItem, waiting_for
from tests.decisions.factories import choices, make_building_of_households
from tests.factories import make_household, make_organizer, make_user

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def _ballot(building, organizer, title, *, household_voice=Ballot.HouseholdVoice.REPRESENTATIVE, closes_in=None):
    ballot = services.ballot_create(
        committee=building.compound.committee, by=organizer, title=title, electorate=Ballot.Electorate.HOUSEHOLDS,
        household_voice=household_voice, building=building,
        closes_at=timezone.now() + closes_in if closes_in else None)
    services.ballot_open(ballot=ballot, by=organizer)
    return ballot


@pytest.fixture
def building():
    b, reps = make_building_of_households(3)
    return b, reps, make_organizer(b.compound.committee)


def test_an_open_ballot_is_waiting_with_where_when_and_one_button(client, building):
    b, reps, organizer = building
    ballot = _ballot(b, organizer, "楼道堆物清理", closes_in=timedelta(days=2))
    response = login(client, reps[0]).get(reverse("home"))
    [item] = response.context["waiting"]
    assert item.kind == "vote" and item.title == "楼道堆物清理"
    assert item.url == f"{ballot.get_absolute_url()}#vote"
    assert item.due == ballot.closes_at and b.name in item.place
    html = response.content.decode()
    assert f'href="{ballot.get_absolute_url()}#vote"' in html and "btn-large" in html


def test_nothing_waiting_says_so(client, building):
    b, reps, organizer = building
    response = login(client, reps[0]).get(reverse("home"))
    assert response.context["waiting"] == [] and response.context["info"] == []
    assert not response.context["offer_join"]
    assert "empty-state" in response.content.decode()


def test_voted_closed_and_household_voted_ballots_are_not_waiting(client, building):
    b, reps, organizer = building
    voted = _ballot(b, organizer, "voted")
    services.vote_cast(ballot=voted, voter=reps[0], choices=choices(voted, "yes"))
    closed = _ballot(b, organizer, "closed")
    services.ballot_close(ballot=closed, by=organizer)
    household = reps[1].memberships.get().household
    partner = make_user(name="partner")
    member_services.membership_ensure_verified(user=partner, household=household, by=None)
    shared = _ballot(b, organizer, "shared", household_voice=Ballot.HouseholdVoice.FIRST_MEMBER)
    assert [i.title for i in waiting_for(partner)] == ["shared"]
    services.vote_cast(ballot=shared, voter=reps[1], choices=choices(shared, "no"))
    assert waiting_for(partner) == []   # the first member's vote counts: nothing left for the partner to change
    assert [i.title for i in to_do(reps[0])] == ["shared"]
    still = _ballot(b, organizer, "still open")
    assert {i.title for i in to_do(reps[0])} == {"shared", "still open"}
    assert still.pk


def to_do(user):
    """The items still to do (not the votes already cast that may be changed)."""
    return [item for item in waiting_for(user) if not item.done and not item.info]


def test_items_are_sorted_by_due_date_undated_last(building):
    b, reps, organizer = building
    _ballot(b, organizer, "no date")
    _ballot(b, organizer, "later", closes_in=timedelta(days=5))
    _ballot(b, organizer, "soon", closes_in=timedelta(hours=3))
    assert [i.title for i in waiting_for(reps[0])] == ["soon", "later", "no date"]


def test_a_registered_provider_joins_in_with_its_items(monkeypatch, building):
    b, reps, organizer = building
    from members import waiting

    monkeypatch.setattr(waiting, "_providers", list(waiting._providers))
    waiting.register(lambda user: [WaitingItem(kind="topic", title="议题：second", action="Second", url="/t/1/")])
    assert "topic" in [i.kind for i in waiting_for(reps[0])]


def test_organizers_keep_their_links(client, building):
    b, reps, organizer = building
    html = login(client, organizer).get(reverse("home")).content.decode()
    assert reverse("members:committee_detail", args=[b.compound.committee.pk]) in html


def test_the_unread_count_shows_in_the_layout(client, building):
    b, reps, organizer = building
    me = make_user()
    notify(users=[me], kind=Notification.Kind.ANNOUNCEMENT, title="Hearing next week")
    html = login(client, me).get(reverse("home")).content.decode()
    assert 'class="badge"' in html and reverse("members:notification_list") in html


def test_the_home_page_uses_a_constant_number_of_queries(client, django_assert_max_num_queries):
    b, reps = make_building_of_households(2)
    organizer = make_organizer(b.compound.committee)
    for i in range(55):
        _ballot(b, organizer, f"ballot {i}", closes_in=timedelta(days=1 + i))
    for _ in range(5):
        member_services.membership_request(user=reps[0], household=make_household())
    notify(users=[reps[0]], kind=Notification.Kind.ANNOUNCEMENT, title="x")
    login(client, reps[0])
    # Each app that lists waiting items adds its own constant handful (hearings, coordination,
    # evaluations, party, ballots); what matters is that it does not grow with the rows above.
    with django_assert_max_num_queries(24):
        response = client.get(reverse("home"))
    assert len(response.context["waiting"]) == 55
    # Three for ballots; party topics and floor consultations add their own constant few.
    with django_assert_max_num_queries(8):
        assert len(deliberation_waiting.items_for(reps[0])) == 55
