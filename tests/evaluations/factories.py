"""make_* helpers for evaluations: a street whose committees are served by agencies, and campaigns."""

from dataclasses import dataclass, field

from evaluations import services
from evaluations.models import Campaign, SheetItem
from members import services as member_services
from members.models import Agency, Committee, Role, Street, User
from tests.decisions.factories import open_box
from tests.factories import make_committee, make_compound, make_organizer, make_street, make_street_officer, make_user


@dataclass
class World:
    street: Street
    committees: list[Committee]
    officer: User
    organizers: dict[int, User]
    reps: dict[int, list[User]]
    agencies: list[Agency] = field(default_factory=list)


def make_world(*, committees: int = 1, reps: int = 6, stationed: int = 1, firms_per_committee: int = 1,
               bulk_reps: bool = False) -> World:
    """A street of ``committees`` committees, each with an organizer, ``reps`` resident representatives,
    ``stationed`` stationed agencies and the work station serving all, and its own property firm(s)."""
    street = make_street()
    made = [make_committee(street) for _ in range(committees)]
    kinds = [Agency.Kind.POLICE, Agency.Kind.MARKET, Agency.Kind.CITY_MANAGEMENT, Agency.Kind.HOUSING,
             Agency.Kind.HEALTH]
    agencies = [member_services.agency_ensure(street=street, kind=kinds[i % 5], name=f"{street.name} agency {i}",
                                              supervising_department=f"Department {i}", committees=made)
                for i in range(stationed)]
    agencies.append(member_services.agency_ensure(street=street, kind=Agency.Kind.WORK_STATION,
                                                  name=f"{street.name} work station", committees=made))
    world = World(street=street, committees=made, officer=make_street_officer(street), organizers={}, reps={},
                  agencies=agencies)
    for committee in made:
        for i in range(firms_per_committee):
            firm = member_services.agency_ensure(street=street, kind=Agency.Kind.PROPERTY_FIRM,
                                                 name=f"{committee.name} firm {i}")
            make_compound(committee, property_firm=firm)
            world.agencies.append(firm)
        world.organizers[committee.pk] = make_organizer(committee)
        world.reps[committee.pk] = make_reps(committee, reps, bulk=bulk_reps)
    return world


def make_reps(committee: Committee, n: int, *, bulk: bool = False) -> list[User]:
    """``n`` resident representatives of ``committee`` (bulk: straight inserts, for big electorates)."""
    if not bulk:
        users = [make_user(name=f"Rep {i}") for i in range(n)]
        for user in users:
            member_services.role_grant(user=user, kind=Role.Kind.RESIDENT_REPRESENTATIVE, committee=committee, by=None)
        return users
    prefix = f"c{committee.pk}r"
    User.objects.bulk_create([User(username=f"{prefix}{i}", full_name=f"Rep {i}") for i in range(n)])
    users = list(User.objects.filter(username__startswith=prefix).order_by("pk"))
    Role.objects.bulk_create([Role(user=u, kind=Role.Kind.RESIDENT_REPRESENTATIVE, committee=committee)
                              for u in users])
    return users


def settings(year: int = 2026, **kw) -> services.CampaignSettings:
    return services.CampaignSettings(year=year, title=kw.pop("title", f"{year}年度评议"), **kw)


def make_open_campaign(world: World, committee: Committee | None = None, year: int = 2026, **kw) -> Campaign:
    committee = committee or world.committees[0]
    by = world.organizers[committee.pk]
    campaign = services.campaign_create(committee=committee, by=by, settings=settings(year, **kw))
    return services.campaign_open(campaign=campaign, by=by)


def sheet(campaign: Campaign, level_for) -> dict[int, int]:
    """Ratings for every question: ``level_for(item)`` gives a level position (1 = 满意 …)."""
    items = SheetItem.objects.filter(campaign=campaign).select_related("evaluatee", "dimension", "question")
    ratings = {}
    for item in items:
        position = level_for(item)
        ratings[item.question_id] = item.question.options.get(position=position).pk
    return ratings


def fill(campaign: Campaign, voter: User, level: int | None = None, level_for=None, comments=None):
    return services.sheet_submit(campaign=campaign, voter=voter,
                                 ratings=sheet(campaign, level_for or (lambda item: level)),
                                 comments=comments or {})


def publish(campaign: Campaign, by: User) -> Campaign:
    """Close the sheets, let the scrutineers open the box with their cards, publish."""
    services.campaign_close(campaign=campaign, by=by)
    open_box(campaign.ballot)
    return services.campaign_publish(campaign=campaign, by=by)
