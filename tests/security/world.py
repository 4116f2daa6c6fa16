"""One small world for the security suites: two committees on two streets, every role, objects of each.

Committee A (street S) is "own": the roles below are named relative to it. Committee B (street T)
is "foreign". Each side has the same objects (a draft, an open and a published ballot, a pending
paper batch, a pending join request, a revocable role, a receipt ...), so one expectation entry
can build its URL kwargs for either side: ``kwargs(world, side)``.

Other apps add their objects with :func:`register_builder`: a function ``(world, side) -> None``
that stores what it makes on ``side.extra[...]`` (called once per side after the core objects).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from decisions import services as ballots
from decisions.models import Ballot, Participation
from members import services as members
from members.models import Agency, Role
from tests.factories import (
    make_building,
    make_compound,
    make_household,
    make_pending_request,
    make_resident,
    make_user,
)

ROLES = (
    "anonymous",        # nobody signed in
    "resident",         # verified resident (household representative) of committee A
    "resident_other",   # verified resident of committee B
    "party_member",     # resident of A with the party-member role in A
    "floor_leader",     # resident of A, floor leader of A's building
    "organizer",        # organizer of A
    "organizer_other",  # organizer of B
    "officer",          # street officer of S (A's street)
    "officer_other",    # street officer of T (B's street)
    "agency",           # contact of an agency of street S that serves A
    "admin",            # site admin (also staff and superuser: the Django admin)
)
SIDES = ("own", "foreign")

_BUILDERS: list = []


def register_builder(builder) -> None:
    """Let another app add its objects to both sides of the world (see module docstring)."""
    if builder not in _BUILDERS:
        _BUILDERS.append(builder)


@dataclass
class Side:
    """The objects of one committee."""

    street: object
    committee: object
    agency: object
    compound: object
    building: object
    households: list
    resident: object
    organizer: object
    ballot_draft: object = None
    question_draft: object = None
    ballot_open: object = None
    ballot_published: object = None
    receipt_open: str = ""
    receipt_published: str = ""
    batch: object = None
    sheet: object = None
    request: object = None       # a pending membership request
    role: object = None          # a revocable committee role
    extra: dict = field(default_factory=dict)


@dataclass
class World:
    users: dict
    own: Side
    foreign: Side

    def side(self, name: str) -> Side:
        return self.own if name == "own" else self.foreign

    def user(self, role: str):
        return self.users[role]


def _side(label: str, *, n_households: int = 6) -> Side:
    street = members.street_ensure(name=f"Street {label}")
    committee = members.committee_ensure(street=street, name=f"Committee {label}")
    agency = members.agency_ensure(street=street, kind=Agency.Kind.POLICE, name=f"Police {label}",
                                   committees=[committee])
    compound = make_compound(committee, name=f"Compound {label}")
    building = make_building(compound, name=f"{label}1")
    households = [make_household(building, door_number=f"{label}{101 + i}") for i in range(n_households)]
    resident = make_resident(households[0], name=f"Resident {label}", representative=True)
    organizer = make_user(name=f"Organizer {label}")
    members.role_grant(user=organizer, kind=Role.Kind.ORGANIZER, committee=committee, by=None)
    return Side(street=street, committee=committee, agency=agency, compound=compound, building=building,
                households=households, resident=resident, organizer=organizer)


def _ballots(side: Side) -> None:
    org = side.organizer
    kw = {"committee": side.committee, "by": org, "electorate": Ballot.Electorate.HOUSEHOLDS,
          "building": side.building, "secrecy": Ballot.Secrecy.SECRET}
    side.ballot_draft = ballots.ballot_create(title=f"Draft {side.committee.name}", **kw)
    side.question_draft = side.ballot_draft.questions.first()
    side.ballot_open = ballots.ballot_create(title=f"Open {side.committee.name}", **kw)
    ballots.ballot_open(ballot=side.ballot_open, by=org)
    published = ballots.ballot_create(title=f"Published {side.committee.name}", **kw)
    card = ballots.ballot_open(ballot=published, by=org).new_cards[org.pk]
    yes = published.questions.first().options.get(meaning="yes")
    side.receipt_published = ballots.vote_cast(ballot=published, voter=side.resident,
                                               choices={yes.question_id: [yes.pk]}).receipt
    ballots.ballot_close(ballot=published, by=org)
    # The organizer who opened it is its one scrutineer: their card opens the box before publication.
    ballots.box_present(ballot=published, by=org, code=card)
    ballots.ballot_publish(ballot=published, by=org)
    side.ballot_published = published
    yes = side.ballot_open.questions.first().options.get(meaning="yes")
    side.receipt_open = ballots.vote_cast(ballot=side.ballot_open, voter=side.resident,
                                          choices={yes.question_id: [yes.pk]}).receipt
    # A pending paper batch with one sheet, from the last household's representative.
    paper_voter = side.extra["paper_voter"]
    side.batch = ballots.paper_batch_create(ballot=side.ballot_open, by=org, issued=1, returned=1, void=0,
                                            voters=[paper_voter])
    side.sheet = ballots.paper_sheet_add(batch=side.batch, by=org, choices={yes.question_id: [yes.pk]},
                                         )


def build_world() -> World:
    """Build everything (about a second on SQLite). Call inside a transaction that is rolled back."""
    own, foreign = _side("A"), _side("B")
    users = {"anonymous": None, "resident": own.resident, "resident_other": foreign.resident,
             "organizer": own.organizer, "organizer_other": foreign.organizer}
    users["party_member"] = make_resident(own.households[1], name="Party member A", representative=True)
    members.role_grant(user=users["party_member"], kind=Role.Kind.PARTY_MEMBER, committee=own.committee, by=None)
    users["floor_leader"] = make_resident(own.households[2], name="Floor leader A", representative=True)
    members.role_grant(user=users["floor_leader"], kind=Role.Kind.FLOOR_LEADER, building=own.building, by=None)
    users["officer"] = make_user(name="Officer S")
    members.role_grant(user=users["officer"], kind=Role.Kind.STREET_OFFICER, street=own.street, by=None)
    users["officer_other"] = make_user(name="Officer T")
    members.role_grant(user=users["officer_other"], kind=Role.Kind.STREET_OFFICER, street=foreign.street, by=None)
    users["agency"] = make_user(name="Agency contact S")
    members.role_grant(user=users["agency"], kind=Role.Kind.AGENCY_CONTACT, agency=own.agency, by=None)
    admin = make_user(name="Site admin", username="site-admin")
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    members.role_grant(user=admin, kind=Role.Kind.SITE_ADMIN, by=None)
    users["admin"] = admin
    for side in (own, foreign):
        side.extra["paper_voter"] = make_resident(side.households[-1], name=f"Paper voter {side.committee.name}",
                                                  representative=True)
        side.request = make_pending_request(side.households[3])
        holder = make_resident(side.households[4], name=f"Rep {side.committee.name}")
        side.role = members.role_grant(user=holder, kind=Role.Kind.RESIDENT_REPRESENTATIVE,
                                       committee=side.committee, by=None)
        _ballots(side)
    world = World(users=users, own=own, foreign=foreign)
    for builder in _BUILDERS:
        for side in (own, foreign):
            builder(world, side)
    return world


def participations() -> int:
    return Participation.objects.count()

