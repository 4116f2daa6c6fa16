"""make_* helpers for ballots: a building of households with representatives, and an open ballot."""


from decisions import services
from decisions.models import Ballot
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
                     allow_change=True, quorum=None, quorum_reason=""):
    """An open ballot to one building's households, with the rule's default quorum unless ``quorum`` (and
    ``quorum_reason`` when lower) are given; returns (ballot, organizer, voters)."""
    building, reps = make_building_of_households(n, areas)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="加装电梯", secrecy=secrecy,
                                    electorate=Ballot.Electorate.HOUSEHOLDS, building=building, rule=rule,
                                    allow_change=allow_change, quorum=quorum, quorum_reason=quorum_reason)
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


# --- Roles, paper batches (services and selectors tests) -------------------------------

def make_floor_leader(building, user=None):
    """A floor leader (楼组长) of ``building``."""
    from members import services as member_services
    from members.models import Role
    from tests.factories import make_user

    user = user or make_user(name="Floor leader")
    member_services.role_grant(user=user, kind=Role.Kind.FLOOR_LEADER, building=building, by=None)
    return user


def make_committee_role(committee, kind: str, user=None):
    """A person holding a committee-scoped role (resident representative, party member …)."""
    from members import services as member_services
    from tests.factories import make_user

    user = user or make_user()
    member_services.role_grant(user=user, kind=kind, committee=committee, by=None)
    return user


def make_paper_batch(ballot, by, voters, sheets, *, issued: int | None = None, void: int = 0):
    """Enter a pending paper batch: ``sheets`` are keyword dicts for ``paper_sheet_add``
    (``choices``, and ``voter`` or ``floor_area`` where the ballot needs them)."""
    issued = len(voters) if issued is None else issued
    batch = services.paper_batch_create(ballot=ballot, by=by, issued=issued, returned=len(voters), void=void,
                                        voters=voters)
    for sheet in sheets:
        services.paper_sheet_add(batch=batch, by=by, **sheet)
    return batch


# --- The sealed ballot box -----------------------------------------------------------------

def card_code(ballot, user) -> str:
    """The code of ``user``'s scrutineer card for ``ballot``, as shown to them when it was made."""
    from decisions.models import Scrutineer
    from tests.conftest import CARD_CODES

    return CARD_CODES[Scrutineer.objects.get(ballot=ballot, user=user).card_key]


def open_box(ballot, *users) -> None:
    """The scrutineers (``users``, default: the first ``threshold`` of them) present their cards.

    A no-op for a ballot without a sealed box (named, or secret from before the box).
    """
    ballot.refresh_from_db()
    if not ballot.is_sealed or ballot.box_opened_at is not None:
        return
    if not users:
        users = [s.user for s in ballot.scrutineers.order_by("position")[:ballot.box_threshold]]
    for user in users:
        services.box_present(ballot=ballot, by=user, code=card_code(ballot, user))
    ballot.refresh_from_db()


def close_count_publish(ballot, by) -> None:
    """Close, open the box with the scrutineers' cards (secret ballots), publish."""
    services.ballot_close(ballot=ballot, by=by)
    open_box(ballot)
    services.ballot_publish(ballot=ballot, by=by)
    ballot.refresh_from_db()


def name_scrutineers(ballot, by, users=None, threshold: int = 1) -> None:
    """Name the scrutineers of a secret draft (default: ``by`` alone) and have each take their card,
    as a ballot opened by the schedule (``by=None``) needs."""
    users = list(users or [by])
    services.scrutineers_set(ballot=ballot, by=by, users=users, threshold=threshold)
    for user in users:
        services.scrutineer_take_card(ballot=ballot, user=user)


def read_papers(ballot, papers=None) -> list:
    """What the sealed ``papers`` (default: every paper of ``ballot``, online, assisted and paper
    sheets) say, opened with its scrutineers' cards as the count does: a test's look inside the box,
    which the product never takes."""
    from decisions import box
    from decisions.models import Participation, SealedSheet

    ballot.refresh_from_db()
    holders = ballot.scrutineers.select_related("user").order_by("position")[:ballot.box_threshold]
    shares = [box.unseal(box.card_key(card_code(ballot, s.user), ballot.pk), bytes(s.share)) for s in holders]
    key = box.box_private_key(shares, ballot.box_threshold, ballot.box_key)
    if papers is None:
        papers = [*Participation.objects.filter(ballot=ballot, paper__isnull=False).values_list("paper", flat=True),
                  *SealedSheet.objects.filter(ballot=ballot).values_list("paper", flat=True)]
    return [box.paper_open(key, bytes(paper)) for paper in papers]
