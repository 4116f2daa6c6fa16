"""make_* helpers for ballots: a building of households with representatives, and an open ballot."""

from decimal import Decimal

from deliberation import services
from deliberation.models import Ballot
from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_organizer,
    make_resident,
)


def make_building_of_households(n: int = 4, areas: list[str] | None = None, committee=None):
    """A building with ``n`` households, each with one verified representative; returns (building, reps)."""
    committee = committee or make_committee()
    building = make_building(make_compound(committee))
    reps = []
    for i in range(n):
        area = (areas or [])[i] if areas and i < len(areas) else "80.00"
        household = make_household(building, door_number=str(101 + i), floor_area=area)
        reps.append(make_resident(household, representative=True))
    return building, reps


def make_open_ballot(*, secrecy=Ballot.Secrecy.SECRET, rule=Ballot.Rule.SIMPLE_MAJORITY, n=4, areas=None,
                     allow_change=True, quorum=Decimal(0)):
    """An open ballot to one building's households; returns (ballot, organizer, voters)."""
    building, reps = make_building_of_households(n, areas)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="加装电梯", secrecy=secrecy,
                                    electorate=Ballot.Electorate.HOUSEHOLDS, building=building, rule=rule,
                                    allow_change=allow_change, quorum=quorum)
    services.ballot_open(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    return ballot, organizer, reps


def option(ballot, meaning: str):
    """The id of the first question's option with ``meaning`` ("yes", "no", "abstain")."""
    question = ballot.questions.first()
    return question.options.get(meaning=meaning)


def choices(ballot, meaning: str) -> dict[int, list[int]]:
    opt = option(ballot, meaning)
    return {opt.question_id: [opt.pk]}
