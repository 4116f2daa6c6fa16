"""make_* helpers for party deliberation and floor consultations."""

from decimal import Decimal

from decisions.models import Ballot
from deliberation.services import floor as floor_services
from deliberation.services import party as party_services
from members.models import Role
from tests.decisions.factories import make_building_of_households, make_committee_role, make_floor_leader
from tests.factories import make_building, make_committee, make_household, make_organizer, make_resident, make_user


def make_party(committee=None, *, members: int = 3, reps: int = 3, seconds_needed: int = 2,
               electorate: str = Ballot.Electorate.PARTY_REPS, quorum: Decimal = Decimal("0.5")):
    """A neighbourhood with a party secretary (organizer and member), members and representatives.

    Returns (committee, secretary, members, reps); reps are members too.
    """
    committee = committee or make_committee()
    secretary = make_organizer(committee, make_user(name="Secretary"))
    make_committee_role(committee, Role.Kind.PARTY_MEMBER, secretary)
    member_list = [make_committee_role(committee, Role.Kind.PARTY_MEMBER, make_user(name=f"Member {i}"))
                   for i in range(members)]
    rep_list = []
    for i in range(reps):
        rep = make_committee_role(committee, Role.Kind.PARTY_MEMBER, make_user(name=f"Rep {i}"))
        make_committee_role(committee, Role.Kind.PARTY_REPRESENTATIVE, rep)
        rep_list.append(rep)
    party_services.party_settings_update(committee=committee, by=secretary, seconds_needed=seconds_needed,
                                         electorate=electorate, quorum=quorum)
    return committee, secretary, member_list, rep_list


def make_agenda_topic(committee, secretary, title: str = "社区党群服务站开放时间"):
    return party_services.topic_propose(committee=committee, by=secretary, title=title,
                                        material="**材料**", as_organization=True)


def yes_option(ballot) -> int:
    return ballot.questions.first().options.get(meaning="yes").pk


def no_option(ballot) -> int:
    return ballot.questions.first().options.get(meaning="no").pk


def make_consultation(n: int = 4, areas=None, *, rule=Ballot.Rule.SIMPLE_MAJORITY, matter="repair_costs",
                      proposed_convention: str = "", secrecy=Ballot.Secrecy.NAMED):
    """An open consultation of a building of ``n`` households; returns (consultation, leader, residents).

    The floor leader lives in the neighbourhood (another building of the compound), as floor leaders
    do, so that they may be the scrutineer of a secret consultation; the card they were shown at
    opening is ``consultation.new_card``.
    """
    building, residents = make_building_of_households(n, areas)
    leader = make_floor_leader(building, make_neighbour(building))
    consultation = floor_services.consultation_open(
        building=building, by=leader, title="楼道公共部位维修费用分摊", matter=matter, rule=rule,
        secrecy=secrecy, proposed_convention=proposed_convention, description="维修屋面防水")
    return consultation, leader, residents


def make_neighbour(building):
    """A verified resident of another building of ``building``'s compound."""
    return make_resident(make_household(make_building(building.compound), door_number="901"))
