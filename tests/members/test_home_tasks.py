"""The home page is all task: what to do first, biggest first; what is only news in a short list below."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coordination import services as coordination_services
from decisions import services
from decisions.models import Ballot
from members.waiting import home_lists
from tests.coordination.coordination_factories import make_agency_contact, make_meeting, make_neighbourhood
from tests.decisions.factories import choices, close_count_publish, make_building_of_households
from tests.factories import (
    make_organizer,
    make_property_firm,
    make_site_admin,
    make_street,
    make_street_officer,
    make_user,
)

pytestmark = pytest.mark.django_db


def _ballot(building, organizer, title, *, closes_in=timedelta(days=3), **fields):
    ballot = services.ballot_create(
        committee=building.compound.committee, by=organizer, title=title, electorate=Ballot.Electorate.HOUSEHOLDS,
        building=building, closes_at=timezone.now() + closes_in, secrecy=Ballot.Secrecy.NAMED, **fields)
    return services.ballot_open(ballot=ballot, by=organizer)


@pytest.fixture
def building():
    b, reps = make_building_of_households(3)
    return b, reps, make_organizer(b.compound.committee)


def test_a_vote_cast_stays_as_done_with_a_direct_change_button_until_the_ballot_closes(client, building):
    b, reps, organizer = building
    ballot = _ballot(b, organizer, "加装电梯")
    todo = _ballot(b, organizer, "楼道堆物", closes_in=timedelta(days=9))
    services.vote_cast(ballot=ballot, voter=reps[0], choices=choices(ballot, "yes"))
    client.force_login(reps[0])
    response = client.get(reverse("home"))
    tasks = response.context["waiting"]
    # What is still to do comes first, even when the done one closes sooner.
    assert [(i.title, i.done) for i in tasks] == [(todo.title, False), (ballot.title, True)]
    assert tasks[1].url == f"{ballot.get_absolute_url()}?change=1#vote"
    assert response.context["to_do"] == 1
    html = response.content.decode()
    assert "已投票 · 可修改" in html and f'href="{ballot.get_absolute_url()}?change=1#vote"' in html
    # The change link opens the change form at once.
    page = client.get(tasks[1].url).content.decode()
    assert '<details class="change-vote" open>' in page
    services.ballot_close(ballot=ballot, by=organizer)
    assert [i.title for i in home_lists(reps[0])[0]] == [todo.title]


def test_a_vote_that_cannot_be_changed_leaves_the_home_page(building):
    b, reps, organizer = building
    ballot = _ballot(b, organizer, "一次投票", allow_change=False)
    services.vote_cast(ballot=ballot, voter=reps[0], choices=choices(ballot, "no"))
    assert home_lists(reps[0]) == ([], [])


def test_a_published_result_is_news_not_a_task(client, building):
    b, reps, organizer = building
    ballot = _ballot(b, organizer, "公布结果")
    services.vote_cast(ballot=ballot, voter=reps[0], choices=choices(ballot, "yes"))
    close_count_publish(ballot, organizer)
    client.force_login(reps[0])
    response = client.get(reverse("home"))
    assert response.context["waiting"] == []
    [news] = response.context["info"]
    assert news.info and news.kind == "result" and news.url == reverse("decisions:ballot_results", args=[ballot.pk])
    html = response.content.decode()
    assert 'id="news-heading"' in html and "empty-state" in html


def test_an_accepted_request_is_news_and_a_street_officer_has_the_escalated_matters_to_do(client):
    n = make_neighbourhood()
    meeting = make_meeting(n, "escalated")
    tasks, info = home_lists(n.resident)
    assert [i.kind for i in info] == ["request"]
    assert "request" not in [i.kind for i in tasks]
    client.force_login(n.officer)
    response = client.get(reverse("home"))
    [task] = [i for i in response.context["waiting"] if i.kind == "escalation"]
    assert task.url == meeting.get_absolute_url() and not task.info
    assert client.get(task.url).status_code == 200
    # An officer of another street is told nothing of it.
    assert [i for i in home_lists(n.other_officer)[0] if i.kind == "escalation"] == []
    coordination_services.coordination_close(meeting=meeting, by=n.organizer, note="街道已协调解决")
    assert [i for i in home_lists(n.officer)[0] if i.kind == "escalation"] == []


def _admin_site_user():
    user = make_user(name="admin")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def test_a_new_resident_is_offered_to_join_a_household_and_staff_are_not(client):
    client.force_login(make_user(name="新居民"))
    response = client.get(reverse("home"))
    assert response.context["offer_join"] and response.context["to_do"] == 1
    assert reverse("members:join_start") in response.content.decode()
    street = make_street()
    b, _reps = make_building_of_households(1)
    staff = [make_organizer(b.compound.committee), make_street_officer(street),
             make_agency_contact(make_property_firm(street)), make_site_admin(), _admin_site_user()]
    for person in staff:
        client.force_login(person)
        response = client.get(reverse("home"))
        assert not response.context["offer_join"], person
        assert reverse("members:join_start") not in response.content.decode(), person


def test_the_home_page_gathers_tasks_and_news_in_a_fixed_number_of_queries(client):
    """Many ballots to vote on, voted and changeable, and published; a street's many escalations."""
    def home_queries(n: int) -> int:
        b, reps = make_building_of_households(2)
        organizer = make_organizer(b.compound.committee)
        for i in range(n):
            _ballot(b, organizer, f"to do {i}")
            voted = _ballot(b, organizer, f"voted {i}")
            services.vote_cast(ballot=voted, voter=reps[0], choices=choices(voted, "yes"))
            published = _ballot(b, organizer, f"published {i}")
            services.vote_cast(ballot=published, voter=reps[0], choices=choices(published, "no"))
            close_count_publish(published, organizer)
        client.force_login(reps[0])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("home"))
        assert len(response.context["waiting"]) == 2 * n and len(response.context["info"]) == min(n, 5)
        return len(queries)

    few, many = home_queries(2), home_queries(12)
    assert few == many
    assert many <= 26
