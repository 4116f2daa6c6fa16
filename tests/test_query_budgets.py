"""Every page's query count stays the same as its data grows from 10 to 1,000 rows.

One entry of ``PAGES`` per page: ``build(n)`` makes a scene with ``n`` rows of what the page lists
(households, committees, ballots, voters, votes …) and returns (viewer, url). The test builds it with
10 and with 1,000 rows (10 and 300 for the few heaviest scenes, see ``STREET_OF``) and asserts the
same number of queries. A new app's page is one more entry.
Rows are bulk-inserted (this is test data, not a service path), so the suite stays quick.
"""

import itertools
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from decisions import services as ballots
from decisions.models import Ballot, Voice, VoiceHolder
from members.models import Building, Committee, Compound, Household, Membership, User
from tests.factories import (
    make_building,
    make_committee,
    make_organizer,
    make_resident,
    make_street,
    make_street_officer,
    make_user,
)
from tests.query_scenes import (
    _campaign_page,
    _committee_with_households,
    _hearing_area,
    _published_named_ballot,
    _street_page,
    agency_home_page,
    bulk_households,
    clone,
    committee_campaigns_page,
    coordination_dashboard_page,
    coordination_escalations_page,
    coordination_meeting_page,
    coordination_mine_page,
    floor_building_page,
    floor_consultation_page,
    floor_households_page,
    floor_index_page,
    hearing_committee_list_page,
    hearing_desk_page,
    hearing_mine_page,
    hearing_page,
    party_agenda_page,
    party_meeting_page,
    party_meetings_page,
    party_topic_page,
    rectification_page,
    street_campaigns_page,
)

pytestmark = pytest.mark.django_db
SIZES = (10, 1000)
_seq = itertools.count(1)


# --- The pages -----------------------------------------------------------------------------------

def residents_page(n):
    committee, _b, _u = _committee_with_households(n)
    return make_organizer(committee), reverse("members:committee_residents", args=[committee.pk])


def households_page(n):
    committee, _b, _u = _committee_with_households(n)
    return make_organizer(committee), reverse("members:committee_households", args=[committee.pk])


def requests_page(n):
    committee, _b, _u = _committee_with_households(n, status=Membership.Status.PENDING)
    return make_organizer(committee), reverse("members:committee_requests", args=[committee.pk])


def committee_page(n):
    committee, _b, _u = _committee_with_households(n)
    return make_organizer(committee), reverse("members:committee_detail", args=[committee.pk])


def street_page(n):
    street = make_street()
    tag = next(_seq)
    committees = Committee.objects.bulk_create([Committee(street=street, name=f"居委{tag}-{i}") for i in range(n)])
    compounds = Compound.objects.bulk_create([Compound(committee=c, name="小区") for c in committees])
    buildings = Building.objects.bulk_create([Building(compound=c, name="1号楼") for c in compounds])
    for building in buildings[:3]:
        bulk_households(building, 2)
    return make_street_officer(street), reverse("members:street_detail", args=[street.pk])


def my_memberships_page(n):
    user = make_user()
    building = make_building()
    households = Household.objects.bulk_create([
        Household(building=building, door_number=f"{next(_seq)}-{i}", floor_area=Decimal("60")) for i in range(n)])
    Membership.objects.bulk_create([Membership(user=user, household=h, status=Membership.Status.PENDING)
                                    for h in households])
    return user, reverse("members:my_memberships")


def committee_ballots_page(n):
    committee = make_committee()
    organizer = make_organizer(committee)
    Ballot.objects.bulk_create([Ballot(committee=committee, title=f"议题{i}", created_by=organizer) for i in range(n)])
    return organizer, reverse("decisions:committee_ballots", args=[committee.pk])


def my_ballots_page(n):
    building = make_building()
    committee = building.compound.committee
    voter = make_resident(Household.objects.create(building=building, door_number="1", floor_area=Decimal(70)))
    now = timezone.now()
    opened = Ballot.objects.bulk_create([
        Ballot(committee=committee, title=f"议题{i}", status=Ballot.Status.OPEN, opened_at=now,
               closes_at=now + timedelta(days=3)) for i in range(n)])
    voices = Voice.objects.bulk_create([Voice(ballot=b, key=f"u{voter.pk}") for b in opened])
    VoiceHolder.objects.bulk_create([VoiceHolder(voice=v, user=voter) for v in voices])
    return voter, reverse("decisions:my_ballots")


def ballot_page(n):
    committee, building, users = _committee_with_households(n)
    organizer = make_organizer(committee)
    ballot = ballots.ballot_create(committee=committee, by=organizer, title="加装电梯",
                                   electorate=Ballot.Electorate.HOUSEHOLDS, building=building)
    ballots.ballot_open(ballot=ballot, by=organizer)
    return users[0], reverse("decisions:ballot_detail", args=[ballot.pk])


def results_page(n):
    ballot, organizer = _published_named_ballot(n)
    return organizer, reverse("decisions:ballot_results", args=[ballot.pk])


def export_page(n):
    ballot, organizer = _published_named_ballot(n)
    return organizer, reverse("decisions:ballot_export", args=[ballot.pk])


# --- Notifications and the home page -----------------------------------------------------------------

def _notifications(user: User, n: int) -> None:
    from members.models import Notification

    Notification.objects.bulk_create([Notification(user=user, kind=Notification.Kind.OPENING, title=f"通知{i}",
                                                   url=f"/ballots/{i}/") for i in range(n)])


def notifications_page(n):
    user = make_user()
    _notifications(user, n)
    return user, reverse("members:notification_list")


def home_page(n):
    """A resident with ``n`` hearings of their building, ``n`` open ballots and ``n`` unread notifications."""
    from hearings.models import Hearing

    area, hearing, users = _hearing_area(1)
    copies = clone(hearing, n - 1, title=lambda i: f"听证{i}")
    Hearing.buildings.through.objects.bulk_create([Hearing.buildings.through(hearing=h, building=area["building"])
                                                   for h in copies])
    voter, now = users[0], timezone.now()
    opened = Ballot.objects.bulk_create([
        Ballot(committee=area["committee"], title=f"议题{i}", status=Ballot.Status.OPEN, opened_at=now,
               closes_at=now + timedelta(days=3)) for i in range(n)])
    voices = Voice.objects.bulk_create([Voice(ballot=b, key=f"u{voter.pk}") for b in opened])
    VoiceHolder.objects.bulk_create([VoiceHolder(voice=v, user=voter) for v in voices])
    _notifications(voter, n)
    return voter, reverse("home")


@dataclass(frozen=True)
class Page:
    build: object  # (n) -> (viewer, url)
    sizes: tuple[int, int] = SIZES


# A street's evaluation pages with n committees copy ~45 rows per committee (campaign, ballot, evaluatees,
# dimensions, levels, results, plans) and render every one: 300 committees (over ten times a real street's
# ~21) prove the count flat at a third of the time. The home page gets 3 × n rows (hearings, ballots, notices).
STREET_OF = (10, 300)


PAGES = {
    "members:committee_residents": Page(residents_page),
    "members:committee_households": Page(households_page),
    "members:committee_requests": Page(requests_page),
    "members:committee_detail": Page(committee_page),
    "members:street_detail": Page(street_page),
    "members:my_memberships": Page(my_memberships_page),
    "decisions:committee_ballots": Page(committee_ballots_page),
    "decisions:my_ballots": Page(my_ballots_page),
    "decisions:ballot_detail": Page(ballot_page),
    "decisions:ballot_results": Page(results_page),
    "decisions:ballot_export": Page(export_page),
    "hearings:hearing_committee_list": Page(hearing_committee_list_page),
    "hearings:hearing_mine": Page(hearing_mine_page),
    "hearings:hearing_detail": Page(hearing_page),
    "hearings:hearing_manage": Page(hearing_desk_page),
    "coordination:coordination_mine": Page(coordination_mine_page),
    "coordination:coordination_dashboard": Page(coordination_dashboard_page),
    "coordination:coordination_escalations": Page(coordination_escalations_page),
    "coordination:coordination_detail": Page(coordination_meeting_page),
    "evaluations:committee_campaigns": Page(committee_campaigns_page, STREET_OF),
    "evaluations:street_campaigns": Page(street_campaigns_page, STREET_OF),
    "evaluations:campaign_detail": Page(_campaign_page("campaign_detail")),
    "evaluations:campaign_results": Page(_campaign_page("campaign_results")),
    "evaluations:campaign_report": Page(_campaign_page("campaign_report")),
    "evaluations:street_dashboard": Page(_street_page("street_dashboard"), STREET_OF),
    "evaluations:chart_bars": Page(_street_page("chart_bars"), STREET_OF),
    "evaluations:chart_trend": Page(_street_page("chart_trend"), STREET_OF),
    "evaluations:agency_home": Page(agency_home_page, STREET_OF),
    "evaluations:rectification_detail": Page(rectification_page),
    "deliberation:party_agenda": Page(party_agenda_page),
    "deliberation:party_topic": Page(party_topic_page),
    "deliberation:party_meetings": Page(party_meetings_page),
    "deliberation:party_meeting": Page(party_meeting_page),
    "deliberation:floor_index": Page(floor_index_page),
    "deliberation:floor_building": Page(floor_building_page),
    "deliberation:floor_households": Page(floor_households_page),
    "deliberation:floor_consultation": Page(floor_consultation_page),
    "members:notification_list": Page(notifications_page),
    "home": Page(home_page, STREET_OF),
}


def queries_for(client, viewer, url) -> int:
    client.force_login(viewer)
    assert client.get(url).status_code == 200  # warm: content types, first-request lookups
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", list(PAGES))
def test_query_count_does_not_grow_with_the_rows(name, client):
    page = PAGES[name]
    counts = {n: queries_for(client, *page.build(n)) for n in page.sizes}
    assert counts[page.sizes[0]] == counts[page.sizes[1]], f"{name}: {counts} queries for {page.sizes} rows"


# --- The cast itself ---------------------------------------------------------------------------------

# Counted with the test's own transaction (its savepoints count as queries). make bench compares the
# cast with a one-INSERT floor: every query here is a round trip inside the ballot's lock.
CAST_BUDGET = {"secret": 15, "named": 14}


@pytest.mark.parametrize("secrecy", ["secret", "named"])
def test_a_cast_stays_within_its_query_budget_whatever_the_electorate(secrecy, django_assert_max_num_queries):
    """vote_cast's queries do not grow with the electorate or the votes already cast."""
    from tests.decisions.factories import choices

    for n in (10, 300):  # opening a ballot writes its electorate one voice at a time: keep it quick
        committee, building, users = _committee_with_households(n)
        organizer = make_organizer(committee)
        ballot = ballots.ballot_create(committee=committee, by=organizer, title="预算", secrecy=secrecy,
                                       electorate=Ballot.Electorate.HOUSEHOLDS, building=building)
        ballots.ballot_open(ballot=ballot, by=organizer)
        yes = choices(ballot, "yes")
        for voter in users[:-1][:20]:
            ballots.vote_cast(ballot=ballot, voter=voter, choices=yes)
        with django_assert_max_num_queries(CAST_BUDGET[secrecy]):
            ballots.vote_cast(ballot=ballot, voter=users[-1], choices=yes)
