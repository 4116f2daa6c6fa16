"""Scenes for the query-count tests (tests/test_query_budgets.py): rows bulk-inserted n at a time,
and the pages of the meeting apps built over them. Test data, not a service path."""

import itertools
from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from decisions import services as ballots
from decisions.models import Ballot, NamedChoice, Participation, VoiceHolder
from members.models import Building, Committee, Household, Membership, User
from tests.factories import make_building, make_organizer, make_user

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

    Kind, Status = HearingRegistration.Kind, HearingRegistration.Status
    HearingRegistration.objects.bulk_create([
        HearingRegistration(hearing=hearing, user=u, topic="电梯",
                            kind=Kind.SPEAKER if i % 2 else Kind.OBSERVER,
                            status=Status.CONFIRMED if i % 3 else Status.PENDING)
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
    from tests.coordination.coordination_factories import make_meeting, make_neighbourhood

    hood = make_neighbourhood()
    return hood, make_meeting(hood, "escalated")


def _meetings(n):
    from coordination.models import CoordinationParticipant

    hood, meeting = _escalated_meeting()
    for copy in clone(meeting, n - 1, subject=lambda i: f"协调{i}"):
        clone_rows = [CoordinationParticipant(meeting=copy, kind=p.kind, is_party=p.is_party, user_id=p.user_id,
                                              household_id=p.household_id, agency_id=p.agency_id, label=p.label)
                      for p in meeting.participants.all()]
        CoordinationParticipant.objects.bulk_create(clone_rows)
    return hood


def coordination_mine_page(n):
    hood = _meetings(n)
    return hood.resident, reverse("coordination:coordination_mine")


def coordination_dashboard_page(n):
    hood = _meetings(n)
    return hood.organizer, reverse("coordination:coordination_dashboard", args=[hood.committee.pk])


def coordination_escalations_page(n):
    hood = _meetings(n)
    return hood.officer, reverse("coordination:coordination_escalations", args=[hood.committee.street_id])


def coordination_meeting_page(n):
    from coordination.models import CoordinationAction, CoordinationParticipant, CoordinationStatement

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
    return hood.organizer, reverse("coordination:coordination_detail", args=[meeting.pk])


# --- Evaluations -------------------------------------------------------------------------------------

def _published_campaign():
    """A street with one committee evaluating a police station, its property firm and the work station
    (12 questions), three representatives' sheets, published with a rectification plan for each."""
    from tests.evaluations.factories import fill, make_open_campaign, make_world, publish

    world = make_world(committees=1, reps=3, stationed=1)
    campaign = make_open_campaign(world, rectify_all=True)
    for i, rep in enumerate(world.reps[world.committees[0].pk]):
        fill(campaign, rep, level_for=lambda item, i=i: 1 + (i + item.pk) % 3)
    return world, publish(campaign, world.officer)


def _campaign_copies(campaign, n: int, **vary) -> list:
    """``n`` copies of a published campaign, each with its own ballot, evaluatees, dimensions, levels, results
    and rectifications (copies of the original's rows)."""
    from evaluations.models import Dimension, Evaluatee, Level, Rectification, Result

    made = clone(campaign.ballot, n)
    copies = clone(campaign, n, ballot_id=lambda i: made[i].pk, **vary)
    for ballot, copy in zip(made, copies, strict=True):
        ballot.subject_id = copy.pk
    Ballot.objects.bulk_update(made, ["subject_id"])
    evaluatee_of, dimension_of = {}, {}
    originals = list(campaign.evaluatees.all()), list(campaign.dimensions.all())
    new_e = Evaluatee.objects.bulk_create([Evaluatee(campaign=c, kind=e.kind, agency_id=e.agency_id, name=e.name,
                                                     position=e.position) for c in copies for e in originals[0]])
    new_d = Dimension.objects.bulk_create([Dimension(campaign=c, kind=d.kind, name=d.name, position=d.position)
                                           for c in copies for d in originals[1]])
    for i, c in enumerate(copies):
        for j, e in enumerate(originals[0]):
            evaluatee_of[(c.pk, e.pk)] = new_e[i * len(originals[0]) + j].pk
        for j, d in enumerate(originals[1]):
            dimension_of[(c.pk, d.pk)] = new_d[i * len(originals[1]) + j].pk
    Level.objects.bulk_create([Level(campaign=c, label=lv.label, weight=lv.weight, excluded=lv.excluded,
                                     position=lv.position) for c in copies for lv in campaign.levels.all()])
    fields = [f.attname for f in Result._meta.concrete_fields if not f.primary_key]
    results = list(campaign.results.all())
    Result.objects.bulk_create([Result(**{
        **{f: getattr(r, f) for f in fields}, "campaign_id": c.pk, "evaluatee_id": evaluatee_of[(c.pk, r.evaluatee_id)],
        "dimension_id": dimension_of[(c.pk, r.dimension_id)] if r.dimension_id else None})
        for c in copies for r in results])
    fields = [f.attname for f in Rectification._meta.concrete_fields if not f.primary_key]
    tasks = list(campaign.rectifications.all())
    Rectification.objects.bulk_create([Rectification(**{
        **{f: getattr(t, f) for f in fields}, "campaign_id": c.pk,
        "evaluatee_id": evaluatee_of[(c.pk, t.evaluatee_id)]}) for c in copies for t in tasks])
    return copies


def _evaluation_street(n: int):
    """The published campaign above, and ``n - 1`` more committees of its street with a copy of it."""
    world, campaign = _published_campaign()
    tag = next(_seq)
    committees = Committee.objects.bulk_create([Committee(street=world.street, name=f"评议居委{tag}-{i}")
                                                for i in range(n - 1)])
    _campaign_copies(campaign, n - 1, committee_id=lambda i: committees[i].pk)
    return world, campaign


def _many_evaluatees(n: int):
    """The published campaign with ``n`` more evaluated agencies, each with its results and a plan due."""
    from evaluations.models import Evaluatee, EvaluateeKind, Rectification, Result
    from members.models import Agency

    world, campaign = _published_campaign()
    tag = next(_seq)
    agencies = Agency.objects.bulk_create([Agency(street=world.street, kind=Agency.Kind.POLICE, name=f"所{tag}-{i}")
                                           for i in range(n)])
    evaluatees = Evaluatee.objects.bulk_create([
        Evaluatee(campaign=campaign, kind=EvaluateeKind.STATIONED, agency=a, name=a.name, position=100 + i)
        for i, a in enumerate(agencies)])
    dimensions = list(campaign.dimensions.filter(kind=EvaluateeKind.STATIONED)) + [None]
    Result.objects.bulk_create([
        Result(campaign=campaign, evaluatee=e, dimension=d, counts={"1": 2, "2": 1}, answers=3, excluded=0,
               satisfied=3, rate=Decimal("100.0"), dissatisfaction=Decimal("0.0"), score=Decimal("86.7"), rank=1,
               rank_of=n) for e in evaluatees for d in dimensions])
    Rectification.objects.bulk_create([
        Rectification(campaign=campaign, evaluatee=e, agency_id=e.agency_id, reason="全部整改",
                      due_on=timezone.localdate() + timedelta(days=20)) for e in evaluatees])
    return world, campaign


def committee_campaigns_page(n):
    world, campaign = _published_campaign()
    _campaign_copies(campaign, n - 1, year=lambda i: 2025 - i)
    return world.organizers[campaign.committee_id], reverse("evaluations:committee_campaigns",
                                                            args=[campaign.committee_id])


def street_campaigns_page(n):
    world, _campaign = _evaluation_street(n)
    return world.officer, reverse("evaluations:street_campaigns", args=[world.street.pk])


def _campaign_page(name):
    def build(n):
        world, campaign = _many_evaluatees(n)
        return world.officer, reverse(f"evaluations:{name}", args=[campaign.pk])
    return build


def _street_page(name):
    def build(n):
        world, _campaign = _evaluation_street(n)
        return world.officer, reverse(f"evaluations:{name}", args=[world.street.pk])
    return build


def agency_home_page(n):
    from tests.coordination.coordination_factories import make_agency_contact

    world, campaign = _evaluation_street(n)
    police = campaign.evaluatees.exclude(agency=None).first().agency
    return make_agency_contact(police), reverse("evaluations:agency_home")


def rectification_page(n):
    from evaluations.models import Progress

    world, campaign = _published_campaign()
    task = campaign.rectifications.first()
    Progress.objects.bulk_create([Progress(rectification=task, note=f"进展{i}", recorded_by=world.officer)
                                  for i in range(n)])
    return world.officer, reverse("evaluations:rectification_detail", args=[task.pk])


# --- Party-member deliberation and floor consultations --------------------------------------------

def _party(n_members: int = 3):
    from tests.deliberation.party_factories import make_agenda_topic, make_party

    committee, secretary, members, _reps = make_party(members=n_members, reps=1)
    return committee, secretary, make_agenda_topic(committee, secretary)


def _bulk_party_members(committee, n: int) -> list[User]:
    from members.models import Role

    users = bulk_users(n, prefix="party")
    Role.objects.bulk_create([Role(user=u, kind=Role.Kind.PARTY_MEMBER, committee=committee) for u in users])
    return users


def party_agenda_page(n):
    committee, secretary, topic = _party()
    clone(topic, n - 1, title=lambda i: f"议题{i}")
    return secretary, reverse("deliberation:party_agenda", args=[committee.pk])


def party_topic_page(n):
    from deliberation.models import TopicComment, TopicSecond

    committee, secretary, topic = _party()
    members = _bulk_party_members(committee, n)
    TopicSecond.objects.bulk_create([TopicSecond(topic=topic, member=u) for u in members])
    TopicComment.objects.bulk_create([TopicComment(topic=topic, author=u, body=f"意见{i}")
                                      for i, u in enumerate(members)])
    return secretary, reverse("deliberation:party_topic", args=[topic.pk])


def _party_meeting():
    from deliberation.services import party as party_services

    committee, secretary, topic = _party()
    meeting = party_services.meeting_create(committee=committee, by=secretary, title="党员代表会议",
                                            starts_at=timezone.now() + timedelta(days=3), place="党群服务站",
                                            topics=[topic])
    return committee, secretary, meeting


def party_meetings_page(n):
    committee, secretary, meeting = _party_meeting()
    clone(meeting, n - 1, title=lambda i: f"会议{i}")
    return secretary, reverse("deliberation:party_meetings", args=[committee.pk])


def party_meeting_page(n):
    from deliberation.models import MeetingAttendance

    committee, secretary, meeting = _party_meeting()
    members = _bulk_party_members(committee, n)
    MeetingAttendance.objects.bulk_create([MeetingAttendance(meeting=meeting, member=u) for u in members])
    return secretary, reverse("deliberation:party_meeting", args=[meeting.pk])


def floor_index_page(n):
    from members.models import Role

    leader = make_user()
    compound = make_building().compound
    buildings = Building.objects.bulk_create([Building(compound=compound, name=f"楼{i}") for i in range(n)])
    Role.objects.bulk_create([Role(user=leader, kind=Role.Kind.FLOOR_LEADER, building=b) for b in buildings])
    return leader, reverse("deliberation:floor_index")


def _consultation(n: int):
    """An open named consultation of a building of ``n`` households, each of which has answered and commented."""
    from deliberation.models import HouseholdComment
    from deliberation.services import floor as floor_services
    from tests.decisions.factories import make_floor_leader

    committee, building, users = _committee_with_households(n)
    leader = make_floor_leader(building)
    consultation = floor_services.consultation_open(
        building=building, by=leader, title="楼道维修费用分摊", matter="repair_costs",
        rule=Ballot.Rule.SIMPLE_MAJORITY, secrecy=Ballot.Secrecy.NAMED, proposed_convention="", description="维修")
    ballot = consultation.ballot
    yes = ballot.questions.get().options.get(meaning="yes")
    now = timezone.now()
    holders = dict(VoiceHolder.objects.filter(voice__ballot=ballot).values_list("user_id", "voice_id"))
    participations = Participation.objects.bulk_create([
        Participation(ballot=ballot, voice_id=holders[u.pk], user=u, cast_at=now, receipt=f"F{next(_seq)}-{u.pk}")
        for u in users])
    NamedChoice.objects.bulk_create([NamedChoice(participation=p, question_id=yes.question_id, option=yes)
                                     for p in participations])
    homes = dict(Membership.objects.filter(user__in=users).values_list("user_id", "household_id"))
    HouseholdComment.objects.bulk_create([HouseholdComment(consultation=consultation, household_id=homes[u.pk],
                                                           author=u, body=f"意见{i}") for i, u in enumerate(users)])
    return consultation, leader, users


def floor_building_page(n):
    consultation, leader, _users = _consultation(1)
    clone(consultation, n - 1, title=lambda i: f"商议{i}", ballot_id=lambda i: None)
    return leader, reverse("deliberation:floor_building", args=[consultation.building_id])


def floor_households_page(n):
    consultation, leader, _users = _consultation(n)
    return leader, reverse("deliberation:floor_households", args=[consultation.pk])


def floor_consultation_page(n):
    consultation, leader, _users = _consultation(n)
    return leader, reverse("deliberation:floor_consultation", args=[consultation.pk])
