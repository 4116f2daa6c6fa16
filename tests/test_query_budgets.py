"""Every page's query count stays the same as its data grows from 10 to 1,000 rows.

One entry of ``PAGES`` per page: ``build(n)`` makes a scene with ``n`` rows of what the page lists
(households, committees, ballots, voters, votes …) and returns (viewer, url). The test builds it with
10 and with 1,000 rows and asserts the same number of queries. A new app's page is one more entry.
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

from deliberation import services as ballots
from deliberation.models import Ballot, NamedChoice, Participation, Voice, VoiceHolder
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

pytestmark = pytest.mark.django_db
SIZES = (10, 1000)
_seq = itertools.count(1)


# --- Bulk scenes -------------------------------------------------------------------------------

def bulk_users(n: int, prefix: str = "bulk") -> list[User]:
    tag = next(_seq)
    users = [User(username=f"{prefix}{tag}-{i}", full_name=f"居民{i}", password="!") for i in range(n)]
    return User.objects.bulk_create(users)


def bulk_households(building: Building, n: int, *, status: str = Membership.Status.VERIFIED) -> list[User]:
    """``n`` households in ``building``, each with one member of ``status`` (the representative if verified)."""
    households = Household.objects.bulk_create([
        Household(building=building, door_number=f"{next(_seq)}-{i}", floor_area=Decimal("80.00"))
        for i in range(n)])
    users = bulk_users(n)
    now = timezone.now()
    verified = status == Membership.Status.VERIFIED
    Membership.objects.bulk_create([
        Membership(user=u, household=h, status=status, is_representative=verified,
                   verified_at=now if verified else None) for u, h in zip(users, households, strict=True)])
    return users


def _committee_with_households(n: int, status: str = Membership.Status.VERIFIED):
    building = make_building()
    committee = building.compound.committee
    users = bulk_households(building, n, status=status)
    return committee, building, users


def _published_named_ballot(n: int) -> tuple[Ballot, User]:
    committee, building, users = _committee_with_households(n)
    organizer = make_organizer(committee)
    ballot = ballots.ballot_create(committee=committee, by=organizer, title="预算", secrecy=Ballot.Secrecy.NAMED,
                                   electorate=Ballot.Electorate.HOUSEHOLDS, building=building)
    ballots.ballot_open(ballot=ballot, by=organizer)
    yes = ballot.questions.get().options.get(meaning="yes")
    now = timezone.now()
    holders = dict(VoiceHolder.objects.filter(voice__ballot=ballot).values_list("user_id", "voice_id"))
    participations = Participation.objects.bulk_create([
        Participation(ballot=ballot, voice_id=holders[u.pk], user=u, cast_at=now, receipt=f"R{next(_seq)}-{u.pk}")
        for u in users])
    NamedChoice.objects.bulk_create([NamedChoice(participation=p, question_id=yes.question_id, option=yes)
                                     for p in participations])
    ballots.ballot_close(ballot=ballot, by=organizer)
    ballots.ballot_publish(ballot=ballot, by=organizer)
    return ballot, organizer


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
    return organizer, reverse("deliberation:committee_ballots", args=[committee.pk])


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
    return voter, reverse("deliberation:my_ballots")


def ballot_page(n):
    committee, building, users = _committee_with_households(n)
    organizer = make_organizer(committee)
    ballot = ballots.ballot_create(committee=committee, by=organizer, title="加装电梯",
                                   electorate=Ballot.Electorate.HOUSEHOLDS, building=building)
    ballots.ballot_open(ballot=ballot, by=organizer)
    return users[0], reverse("deliberation:ballot_detail", args=[ballot.pk])


def results_page(n):
    ballot, organizer = _published_named_ballot(n)
    return organizer, reverse("deliberation:ballot_results", args=[ballot.pk])


def export_page(n):
    ballot, organizer = _published_named_ballot(n)
    return organizer, reverse("deliberation:ballot_export", args=[ballot.pk])


# --- Clones: n rows like one made through the services ----------------------------------------------

def clone(obj, n: int, **vary) -> list:
    """``n`` bulk-inserted copies of ``obj`` (its concrete fields); ``vary[field](i)`` sets a field per copy."""
    model = type(obj)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rows = []
    for i in range(n):
        values = {f.attname: getattr(obj, f.attname) for f in fields}
        values.update({name: make(i) for name, make in vary.items()})
        rows.append(model(**values))
    return model.objects.bulk_create(rows)


# --- Hearings and coordination meetings ----------------------------------------------------------

def _hearing_area(n: int):
    """A hearing of one building with ``n`` households, announced through the services."""
    from tests.hearings.hearing_factories import advance, make_area, make_hearing

    area = make_area(1)
    users = bulk_households(area["building"], n)
    hearing = advance(make_hearing(area), area["organizer"], "announced")
    return area, hearing, users


def _hearing_rows(hearing, users) -> None:
    from hearings.models import HearingOpinion, HearingRegistration

    HearingRegistration.objects.bulk_create([
        HearingRegistration(hearing=hearing, user=u, kind=HearingRegistration.Kind.SPEAKER if i % 2 else
                            HearingRegistration.Kind.OBSERVER, topic="电梯",
                            status=HearingRegistration.Status.CONFIRMED if i % 3 else HearingRegistration.Status.PENDING)
        for i, u in enumerate(users)])
    HearingOpinion.objects.bulk_create([HearingOpinion(hearing=hearing, user=u, text=f"意见{i}", hide_name=i % 2 == 0)
                                        for i, u in enumerate(users)])


def hearing_committee_list_page(n):
    area, hearing, _users = _hearing_area(1)
    clone(hearing, n - 1, title=lambda i: f"听证{i}")
    return area["organizer"], reverse("hearings:hearing_committee_list", args=[area["committee"].pk])


def hearing_mine_page(n):
    from hearings.models import Hearing

    area, hearing, users = _hearing_area(1)
    copies = clone(hearing, n - 1, title=lambda i: f"听证{i}")
    Hearing.buildings.through.objects.bulk_create([Hearing.buildings.through(hearing=h, building=area["building"])
                                                   for h in copies])
    return users[0], reverse("hearings:hearing_mine")


def hearing_page(n):
    area, hearing, users = _hearing_area(n)
    _hearing_rows(hearing, users)
    return users[0], reverse("hearings:hearing_detail", args=[hearing.pk])


def hearing_desk_page(n):
    area, hearing, users = _hearing_area(n)
    _hearing_rows(hearing, users)
    return area["organizer"], reverse("hearings:hearing_manage", args=[hearing.pk])


def _escalated_meeting():
    from tests.hearings.coordination_factories import make_meeting, make_neighbourhood

    hood = make_neighbourhood()
    return hood, make_meeting(hood, "escalated")


def _meetings(n):
    from hearings.models import CoordinationParticipant

    hood, meeting = _escalated_meeting()
    for copy in clone(meeting, n - 1, subject=lambda i: f"协调{i}"):
        clone_rows = [CoordinationParticipant(meeting=copy, kind=p.kind, is_party=p.is_party, user_id=p.user_id,
                                              household_id=p.household_id, agency_id=p.agency_id, label=p.label)
                      for p in meeting.participants.all()]
        CoordinationParticipant.objects.bulk_create(clone_rows)
    return hood


def coordination_mine_page(n):
    hood = _meetings(n)
    return hood.resident, reverse("hearings:coordination_mine")


def coordination_dashboard_page(n):
    hood = _meetings(n)
    return hood.organizer, reverse("hearings:coordination_dashboard", args=[hood.committee.pk])


def coordination_escalations_page(n):
    hood = _meetings(n)
    return hood.officer, reverse("hearings:coordination_escalations", args=[hood.committee.street_id])


def coordination_meeting_page(n):
    from hearings.models import CoordinationAction, CoordinationParticipant, CoordinationStatement

    hood, meeting = _escalated_meeting()
    users = bulk_users(n)
    rows = CoordinationParticipant.objects.bulk_create([
        CoordinationParticipant(meeting=meeting, kind=CoordinationParticipant.Kind.OTHER, is_party=False, user=u,
                                label=f"列席{i}") for i, u in enumerate(users)])
    CoordinationStatement.objects.bulk_create([CoordinationStatement(meeting=meeting, participant=p, text="发言",
                                                                     recorded_by=hood.organizer) for p in rows])
    first = meeting.actions.count() + 1
    CoordinationAction.objects.bulk_create([
        CoordinationAction(meeting=meeting, number=first + i, description="整改", owner_participant=p,
                           due_date=timezone.localdate() + timedelta(days=7)) for i, p in enumerate(rows)])
    return hood.organizer, reverse("hearings:coordination_detail", args=[meeting.pk])


@dataclass(frozen=True)
class Page:
    build: object  # (n) -> (viewer, url)


PAGES = {
    "members:committee_residents": Page(residents_page),
    "members:committee_households": Page(households_page),
    "members:committee_requests": Page(requests_page),
    "members:committee_detail": Page(committee_page),
    "members:street_detail": Page(street_page),
    "members:my_memberships": Page(my_memberships_page),
    "deliberation:committee_ballots": Page(committee_ballots_page),
    "deliberation:my_ballots": Page(my_ballots_page),
    "deliberation:ballot_detail": Page(ballot_page),
    "deliberation:ballot_results": Page(results_page),
    "deliberation:ballot_export": Page(export_page),
    "hearings:hearing_committee_list": Page(hearing_committee_list_page),
    "hearings:hearing_mine": Page(hearing_mine_page),
    "hearings:hearing_detail": Page(hearing_page),
    "hearings:hearing_manage": Page(hearing_desk_page),
    "hearings:coordination_mine": Page(coordination_mine_page),
    "hearings:coordination_dashboard": Page(coordination_dashboard_page),
    "hearings:coordination_escalations": Page(coordination_escalations_page),
    "hearings:coordination_detail": Page(coordination_meeting_page),
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
    counts = {n: queries_for(client, *PAGES[name].build(n)) for n in SIZES}
    assert counts[SIZES[0]] == counts[SIZES[1]], f"{name}: {counts} queries for {SIZES} rows"


# --- The cast itself ---------------------------------------------------------------------------------

# Counted with the test's own transaction (its savepoints count as queries). make bench compares the
# cast with a one-INSERT floor: every query here is a round trip inside the ballot's lock.
CAST_BUDGET = {"secret": 15, "named": 14}


@pytest.mark.parametrize("secrecy", ["secret", "named"])
def test_a_cast_stays_within_its_query_budget_whatever_the_electorate(secrecy, django_assert_max_num_queries):
    """vote_cast's queries do not grow with the electorate or the votes already cast."""
    from tests.deliberation.factories import choices

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
