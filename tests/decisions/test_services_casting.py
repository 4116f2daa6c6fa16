"""The decision core's lifecycle and casting (decisions.services): moves, the schedule, online and
assisted votes."""

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from decisions import box, ledger, selectors, services
from decisions.models import Ballot, Channel, LedgerEntry, NamedChoice, Participation, Question, SecretContent
from decisions.services import OptionSpec
from members import services as member_services
from members.models import Role
from tests.decisions.factories import (
    choices,
    make_building_of_households,
    make_committee_role,
    make_floor_leader,
    make_open_ballot,
    name_scrutineers,
    open_box,
    option,
)
from tests.decisions.helpers import E, counted, open_draft, snapshot
from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_organizer,
    make_pending_request,
    make_resident,
)

pytestmark = pytest.mark.django_db


# --- Lifecycle ---------------------------------------------------------------------------------

def test_a_ballot_moves_from_open_to_closed_to_published_with_a_timestamp_for_each_step():
    ballot, organizer, voters = make_open_ballot(secrecy=Ballot.Secrecy.NAMED)
    services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))
    services.ballot_close(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.CLOSED and ballot.closed_at is not None
    assert ballot.result is None
    assert ballot.heads_at_close[ledger.ballot_chain(ballot.pk, "register")]["seq"] == 1
    services.ballot_publish(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.PUBLISHED and ballot.published_at is not None
    assert ballot.result == selectors.result_payload(ballot)
    events = [json.loads(e.payload)["event"] for e in LedgerEntry.objects.filter(chain=f"b{ballot.pk}")]
    assert events == ["opened", "closed", "published"]


@pytest.mark.parametrize("status", ["draft", "open", "closed"])
def test_ballot_cancel_records_the_reason_at_any_stage_before_publication(status):
    ballot, organizer, _voters = make_open_ballot()
    if status == "draft":
        ballot = services.ballot_create(committee=ballot.committee, by=organizer, title="草稿")
    elif status == "closed":
        services.ballot_close(ballot=ballot, by=organizer)
    services.ballot_cancel(ballot=ballot, by=organizer, reason="  方案撤回  ")
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.CANCELLED
    assert ballot.cancel_reason == "方案撤回"
    assert ballot.cancelled_at is not None


def test_ballot_cancel_without_a_reason_is_refused():
    ballot, organizer, _voters = make_open_ballot()
    with pytest.raises(ValidationError) as error:
        services.ballot_cancel(ballot=ballot, by=organizer, reason="   ")
    assert error.value.code == "reason_required"
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.OPEN


@pytest.mark.parametrize(("status", "move"), [
    ("draft", "close"), ("draft", "publish"),
    ("open", "open"), ("open", "publish"),
    ("closed", "open"), ("closed", "close"),
    ("published", "open"), ("published", "close"), ("published", "publish"), ("published", "cancel"),
    ("cancelled", "open"), ("cancelled", "close"), ("cancelled", "publish"), ("cancelled", "cancel"),
])
def test_an_invalid_transition_is_refused_and_changes_nothing(status, move):
    ballot, organizer, _voters = make_open_ballot()
    if status == "draft":
        ballot = services.ballot_create(committee=ballot.committee, by=organizer, title="草稿")
    if status in ("closed", "published"):
        services.ballot_close(ballot=ballot, by=organizer)
    if status == "published":
        open_box(ballot)
        services.ballot_publish(ballot=ballot, by=organizer)
    if status == "cancelled":
        services.ballot_cancel(ballot=ballot, by=organizer, reason="撤回")
    entries = LedgerEntry.objects.count()
    action = {"open": services.ballot_open, "close": services.ballot_close,
              "publish": services.ballot_publish,
              "cancel": lambda **kw: services.ballot_cancel(reason="再撤回", **kw)}[move]
    with pytest.raises(ValidationError) as error:
        action(ballot=ballot, by=organizer)
    assert error.value.code == "invalid_transition"
    ballot.refresh_from_db()
    assert ballot.status == status
    assert LedgerEntry.objects.count() == entries


# --- ballots_run_schedule ------------------------------------------------------------------------

def test_ballots_run_schedule_opens_and_closes_the_ballots_that_are_due():
    building, _reps = make_building_of_households(2)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    now = timezone.now()
    due = services.ballot_create(committee=committee, by=organizer, title="到期", electorate=E.HOUSEHOLDS,
                                 opens_at=now + timedelta(hours=1), closes_at=now + timedelta(hours=3))
    name_scrutineers(due, organizer)  # a secret ballot opened by the schedule has its scrutineers ready
    later = services.ballot_create(committee=committee, by=organizer, title="以后", electorate=E.HOUSEHOLDS,
                                   opens_at=now + timedelta(days=1))
    unscheduled = services.ballot_create(committee=committee, by=organizer, title="手动",
                                         electorate=E.HOUSEHOLDS)
    empty = services.ballot_create(committee=committee, by=organizer, title="无人",
                                   electorate=E.PARTY_MEMBERS,
                                   opens_at=now + timedelta(minutes=30))

    opened = services.ballots_run_schedule(now=now + timedelta(hours=2))
    assert [b.pk for b in opened] == [due.pk]
    statuses = dict(Ballot.objects.values_list("pk", "status"))
    assert statuses == {due.pk: "open", later.pk: "draft", unscheduled.pk: "draft", empty.pk: "draft"}
    assert json.loads(LedgerEntry.objects.get(chain=f"b{due.pk}", seq=1).payload)["by"] is None

    closed = services.ballots_run_schedule(now=now + timedelta(hours=4))
    assert [b.pk for b in closed] == [due.pk]
    due.refresh_from_db()
    assert due.status == Ballot.Status.CLOSED
    assert services.ballots_run_schedule(now=now + timedelta(hours=5)) == []


def test_ballots_run_schedule_goes_on_when_one_ballot_can_no_longer_be_closed():
    building, _reps = make_building_of_households(2)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    now = timezone.now()
    first, second = (services.ballot_create(committee=committee, by=organizer, title=title,
                                            electorate=E.HOUSEHOLDS, opens_at=now + timedelta(minutes=1),
                                            closes_at=now + timedelta(hours=1)) for title in ("甲", "乙"))
    for ballot in (first, second):
        name_scrutineers(ballot, organizer)
    services.ballots_run_schedule(now=now + timedelta(minutes=2))
    real_close = services.ballots.ballot_close

    def cancelled_meanwhile(*, ballot, by):
        if ballot.pk == first.pk:  # as if an organizer cancelled it after the schedule listed it
            raise ValidationError("cancelled", code="invalid_transition")
        return real_close(ballot=ballot, by=by)

    with mock.patch("decisions.services.ballots.ballot_close", side_effect=cancelled_meanwhile):
        closed = services.ballots_run_schedule(now=now + timedelta(hours=2))
    assert [b.pk for b in closed] == [second.pk]


# --- vote_cast ---------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["draft", "closed", "published", "cancelled"])
def test_vote_cast_on_a_ballot_that_is_not_open_is_rejected(status):
    ballot, organizer, voters = make_open_ballot()
    if status == "draft":
        ballot = services.ballot_create(committee=ballot.committee, by=organizer, title="草稿",
                                        electorate=E.HOUSEHOLDS)
    elif status == "cancelled":
        services.ballot_cancel(ballot=ballot, by=organizer, reason="撤回")
    else:
        services.ballot_close(ballot=ballot, by=organizer)
        if status == "published":
            open_box(ballot)
            services.ballot_publish(ballot=ballot, by=organizer)
    with pytest.raises(ValidationError) as error:
        services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))
    assert error.value.code == "not_open"
    assert not Participation.objects.exists()


def test_vote_cast_by_someone_outside_the_electorate_is_rejected():
    ballot, organizer, _voters = make_open_ballot()
    for outsider in (make_resident(), organizer):
        with pytest.raises(ValidationError) as error:
            services.vote_cast(ballot=ballot, voter=outsider, choices=choices(ballot, "yes"))
        assert error.value.code == "not_entitled"
    assert not Participation.objects.exists()


def test_vote_cast_with_a_voice_of_another_ballot_is_rejected():
    ballot, organizer, voters = make_open_ballot()
    other = services.ballot_create(committee=ballot.committee, by=organizer, title="另一个",
                                   electorate=E.HOUSEHOLDS)
    services.ballot_open(ballot=other, by=organizer)
    foreign_voice = services.voices_of(other, voters[0])[0]
    with pytest.raises(ValidationError) as error:
        services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"),
                           voice=foreign_voice)
    assert error.value.code == "not_entitled"
    assert not Participation.objects.exists()


@pytest.mark.parametrize("secrecy", [Ballot.Secrecy.NAMED, Ballot.Secrecy.SECRET])
def test_vote_cast_records_a_participation_with_a_unique_receipt(secrecy):
    ballot, _organizer, voters = make_open_ballot(secrecy=secrecy)
    first = services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))
    second = services.vote_cast(ballot=ballot, voter=voters[1], choices=choices(ballot, "no"))
    assert (first.version, first.channel, first.user, first.voice.key) == (
        1, "online", voters[0], services.voices_of(ballot, voters[0])[0].key)
    assert first.receipt != second.receipt
    assert len(first.receipt) == 14 and first.receipt.count("-") == 2
    if secrecy == Ballot.Secrecy.NAMED:
        assert [c.option for c in first.choices.all()] == [option(ballot, "yes")]
        assert (first.paper, second.paper) == (None, None)
    else:
        # What was chosen is only in the sealed paper, and the receipt is taken from its hash.
        assert not NamedChoice.objects.exists()
        assert not SecretContent.objects.exists()
        for cast in Participation.objects.filter(ballot=ballot):
            assert cast.receipt == box.receipt_of(box.digest(cast.paper))


@pytest.mark.parametrize("secrecy", [Ballot.Secrecy.NAMED, Ballot.Secrecy.SECRET])
def test_vote_cast_a_second_time_on_a_one_shot_ballot_is_rejected(secrecy):
    ballot, _organizer, voters = make_open_ballot(secrecy=secrecy, allow_change=False)
    services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))
    with pytest.raises(ValidationError) as error:
        services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "no"))
    assert error.value.code == "already_voted"
    assert Participation.objects.filter(ballot=ballot).count() == 1
    assert counted(ballot) == {"yes": 1}


@pytest.mark.parametrize("secrecy", [Ballot.Secrecy.NAMED, Ballot.Secrecy.SECRET])
def test_vote_cast_again_changes_the_vote_the_latest_counts_and_earlier_versions_are_kept(secrecy):
    ballot, _organizer, voters = make_open_ballot(secrecy=secrecy)
    first = services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))
    second = services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "no"))
    third = services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "abstain"))
    assert [p.version for p in Participation.objects.filter(ballot=ballot)] == [1, 2, 3]
    assert first.receipt != second.receipt != third.receipt
    if secrecy == Ballot.Secrecy.SECRET:
        assert Participation.objects.filter(ballot=ballot, paper__isnull=False).count() == 3
    else:
        assert NamedChoice.objects.filter(participation__ballot=ballot).count() == 3
    assert counted(ballot) == {"abstain": 1}
    assert selectors.turnout(ballot).voices == 1


def test_vote_cast_by_a_member_who_is_not_the_representative_is_rejected():
    household = make_household()
    representative, flatmate = make_resident(household, representative=True), make_resident(household)
    committee = household.building.compound.committee
    ballot = open_draft(committee, make_organizer(committee), electorate=E.HOUSEHOLDS)
    assert snapshot(ballot) == {f"h{household.pk}": [representative.pk]}
    with pytest.raises(ValidationError) as error:
        services.vote_cast(ballot=ballot, voter=flatmate, choices=choices(ballot, "yes"))
    assert error.value.code == "not_entitled"


def test_vote_cast_when_the_first_member_counts_refuses_a_second_member_of_the_household():
    household = make_household(floor_area="90.00")
    alice, bob = make_resident(household), make_resident(household)
    committee = household.building.compound.committee
    organizer = make_organizer(committee)
    ballot = open_draft(committee, organizer, electorate=E.HOUSEHOLDS,
                        household_voice=Ballot.HouseholdVoice.FIRST_MEMBER)
    services.vote_cast(ballot=ballot, voter=bob, choices=choices(ballot, "no"))
    with pytest.raises(ValidationError) as error:
        services.vote_cast(ballot=ballot, voter=alice, choices=choices(ballot, "yes"))
    assert error.value.code == "household_voted"
    changed = services.vote_cast(ballot=ballot, voter=bob, choices=choices(ballot, "yes"))
    assert (changed.version, changed.user) == (2, bob)
    assert selectors.turnout(ballot).voices == 1


def test_vote_cast_rejects_unanswered_questions_and_options_from_elsewhere():
    ballot, organizer, voters = make_open_ballot()
    question = ballot.questions.get()
    other, _o, _v = make_open_ballot()
    foreign = option(other, "yes")
    cases = [({}, "unanswered"), ({question.pk: []}, "unanswered"), ({question.pk: ["x"]}, "unanswered"),
             ({question.pk: [foreign.pk]}, "invalid_option"),
             ({foreign.question_id: [foreign.pk]}, "unanswered"),
             ({question.pk: [option(ballot, "yes").pk, option(ballot, "no").pk]}, "too_many_options")]
    for given, code in cases:
        with pytest.raises(ValidationError) as error:
            services.vote_cast(ballot=ballot, voter=voters[0], choices=given)
        assert error.value.code == code
    assert not Participation.objects.filter(ballot=ballot).exists()


def test_vote_cast_on_a_multiple_choice_question_accepts_up_to_its_maximum():
    building, reps = make_building_of_households(2)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="绿化改造",
                                    secrecy=Ballot.Secrecy.NAMED, electorate=E.HOUSEHOLDS, building=building)
    plants = services.question_add(ballot=ballot, by=organizer, text="种哪些树", kind=Question.Kind.MULTIPLE,
                                   max_choices=2, options=[OptionSpec("桂花"), OptionSpec("香樟"),
                                                           OptionSpec("玉兰")])
    services.ballot_open(ballot=ballot, by=organizer)
    osmanthus, camphor, magnolia = plants.options.all()
    yes = choices(ballot, "yes")
    with pytest.raises(ValidationError) as error:
        services.vote_cast(ballot=ballot, voter=reps[0],
                           choices={**yes, plants.pk: [osmanthus.pk, camphor.pk, magnolia.pk]})
    assert error.value.code == "too_many_options"
    with pytest.raises(ValidationError) as error:
        services.vote_cast(ballot=ballot, voter=reps[0], choices=yes)
    assert error.value.code == "unanswered"
    participation = services.vote_cast(ballot=ballot, voter=reps[0],
                                       choices={**yes, plants.pk: [osmanthus.pk, magnolia.pk]})
    services.vote_cast(ballot=ballot, voter=reps[1], choices={**yes, plants.pk: [str(magnolia.pk)]})
    assert {c.option for c in participation.choices.filter(question=plants)} == {osmanthus, magnolia}
    counts = selectors.option_counts(ballot)
    assert (counts[osmanthus.pk][0], counts.get(camphor.pk), counts[magnolia.pk][0]) == (1, None, 2)


def test_vote_cast_through_the_paper_channel_is_refused():
    ballot, _organizer, voters = make_open_ballot()
    with pytest.raises(ValidationError) as error:
        services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"),
                           channel=Channel.PAPER)
    assert error.value.code == "invalid_channel"


# --- Assisted votes --------------------------------------------------------------------------------

@pytest.mark.parametrize("helper", ["organizer", "floor_leader"])
def test_an_assisted_vote_is_entered_by_an_organizer_or_the_floor_leader_with_a_consent_note(helper):
    ballot, organizer, voters = make_open_ballot()
    building = ballot.building
    by = organizer if helper == "organizer" else make_floor_leader(building)
    participation = services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"),
                                       channel=Channel.ASSISTED, entered_by=by,
                                       consent_note=" 电话确认，女儿在场 ")
    assert (participation.channel, participation.entered_by, participation.user) == (
        "assisted", by, voters[0])
    assert participation.consent_note == "电话确认，女儿在场"
    assert counted(ballot) == {"yes": 1}


def test_an_assisted_vote_by_someone_else_is_denied():
    ballot, _organizer, voters = make_open_ballot()
    other_building_leader = make_floor_leader(make_building(make_compound(ballot.committee)))
    foreign_organizer = make_organizer(make_committee())
    for by in (None, voters[1], other_building_leader, foreign_organizer):
        with pytest.raises(PermissionDenied):
            services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"),
                               channel=Channel.ASSISTED, entered_by=by, consent_note="口头同意")
    assert not Participation.objects.exists()


def test_a_floor_leader_may_not_assist_on_the_strength_of_a_membership_that_ended_or_lies_elsewhere():
    committee = make_committee()
    compound = make_compound(committee)
    home, former = make_building(compound), make_building(compound)
    elsewhere = make_building()
    rep = make_resident(make_household(home))
    old = make_pending_request(make_household(former), user=rep)
    member_services.membership_reject(membership=old, by=make_organizer(committee), reason="地址有误")
    make_pending_request(make_household(elsewhere), user=rep)  # asked to join a flat in another committee
    make_committee_role(committee, Role.Kind.RESIDENT_REPRESENTATIVE, user=rep)
    organizer = make_organizer(committee)
    ballot = open_draft(committee, organizer, electorate=E.RESIDENT_REPS)
    for building in (former, elsewhere):
        with pytest.raises(PermissionDenied):
            services.vote_cast(ballot=ballot, voter=rep, choices=choices(ballot, "yes"),
                               channel=Channel.ASSISTED, entered_by=make_floor_leader(building),
                               consent_note="上门登记")
    leader = make_floor_leader(home)
    assisted = services.vote_cast(ballot=ballot, voter=rep, choices=choices(ballot, "yes"),
                                  channel=Channel.ASSISTED, entered_by=leader, consent_note="上门登记")
    assert assisted.entered_by == leader


def test_an_assisted_vote_without_a_consent_note_is_refused():
    ballot, organizer, voters = make_open_ballot()
    with pytest.raises(ValidationError) as error:
        services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"),
                           channel=Channel.ASSISTED, entered_by=organizer, consent_note="  ")
    assert error.value.code == "consent_required"
    assert not Participation.objects.exists()


def test_a_floor_leader_may_assist_a_representative_of_their_building_on_a_person_ballot():
    building, reps = make_building_of_households(2)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    for rep in reps:
        make_committee_role(committee, Role.Kind.RESIDENT_REPRESENTATIVE, user=rep)
    ballot = open_draft(committee, organizer, electorate=E.RESIDENT_REPS)
    leader = make_floor_leader(building)
    participation = services.vote_cast(ballot=ballot, voter=reps[0], choices=choices(ballot, "yes"),
                                       channel=Channel.ASSISTED, entered_by=leader, consent_note="上门登记")
    assert participation.entered_by == leader


@pytest.mark.parametrize("allow_change", [True, False])
def test_the_resident_overrides_an_assisted_vote_online_before_close(allow_change):
    ballot, organizer, voters = make_open_ballot(allow_change=allow_change)
    services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"),
                       channel=Channel.ASSISTED, entered_by=organizer, consent_note="电话确认")
    own = services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "no"))
    assert (own.version, own.channel) == (2, "online")
    with pytest.raises(ValidationError) as error:
        services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"),
                           channel=Channel.ASSISTED, entered_by=organizer, consent_note="再次代填")
    assert error.value.code == ("voter_voted" if allow_change else "already_voted")
    assert counted(ballot) == {"no": 1}


def test_an_assisted_vote_cannot_replace_the_residents_own_vote():
    ballot, organizer, voters = make_open_ballot()
    services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "no"))
    with pytest.raises(ValidationError) as error:
        services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"),
                           channel=Channel.ASSISTED, entered_by=organizer, consent_note="代填")
    assert error.value.code == "voter_voted"
    assert Participation.objects.filter(ballot=ballot).count() == 1
