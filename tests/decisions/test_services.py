"""Every write of the decision core that sets a ballot up (decisions.services): creating it, its
questions, its named voters, and the electorate frozen at opening."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from decisions import ledger, services
from decisions.models import Ballot, LedgerEntry, Question, Voice
from decisions.services import OptionSpec
from members import services as member_services
from members.models import Membership, Role
from tests.decisions.factories import choices, make_committee_role, make_open_ballot
from tests.decisions.helpers import E, open_draft, snapshot, users
from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_organizer,
    make_resident,
    make_site_admin,
    make_user,
)

pytestmark = pytest.mark.django_db


# --- ballot_create --------------------------------------------------------------------------

def test_ballot_create_drafts_a_ballot_with_one_default_question():
    committee = make_committee()
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="  停车管理办法  ",
                                    secrecy=Ballot.Secrecy.NAMED, electorate=E.PARTY_MEMBERS,
                                    quorum=Decimal("0.5"), allow_change=False)
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.DRAFT
    assert ballot.title == "停车管理办法"
    assert ballot.created_by == organizer
    assert (ballot.secrecy, ballot.electorate, ballot.quorum, ballot.allow_change) == (
        "named", "party_members", Decimal("0.5000"), False)
    question = ballot.questions.get()
    assert (question.text, question.kind, question.position) == ("停车管理办法", "single", 1)
    assert [(o.label, o.meaning) for o in question.options.all()] == [
        ("同意", "yes"), ("反对", "no"), ("弃权", "abstain")]


def test_ballot_create_uses_the_question_text_and_kind_given_and_records_the_subject():
    committee = make_committee()
    organizer = make_organizer(committee)
    subject = make_compound(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="年度评议",
                                    rule=Ballot.Rule.NONE,
                                    question="物业服务满意吗？", question_kind=Question.Kind.RATING,
                                    subject=subject)
    ballot.refresh_from_db()
    assert ballot.subject == subject
    question = ballot.questions.get()
    assert (question.text, question.kind) == ("物业服务满意吗？", "rating")


@pytest.mark.parametrize("field", [{"secrecy": "Secret"}, {"electorate": "everyone"},
                                   {"household_voice": "eldest"}, {"rule": "majority"}])
def test_ballot_create_refuses_an_unknown_secrecy_electorate_or_rule(field):
    committee = make_committee()
    # An unknown secrecy must not quietly make a named ballot of what was meant to be secret.
    with pytest.raises(ValidationError) as error:
        services.ballot_create(committee=committee, by=make_organizer(committee), title="议题", **field)
    assert error.value.code == "invalid_choice"
    assert not Ballot.objects.exists()


def test_ballot_create_by_a_system_job_needs_no_organizer():
    committee = make_committee()
    ballot = services.ballot_create(committee=committee, by=None, title="评议")
    assert ballot.created_by is None


@pytest.mark.parametrize("title", ["", "   ", None])
def test_ballot_create_without_a_title_is_refused(title):
    committee = make_committee()
    with pytest.raises(ValidationError) as error:
        services.ballot_create(committee=committee, by=make_organizer(committee), title=title)
    assert error.value.code == "title_required"
    assert not Ballot.objects.exists()


def test_ballot_create_refuses_a_place_of_another_committee_or_a_building_outside_the_compound():
    committee = make_committee()
    organizer = make_organizer(committee)
    foreign_compound = make_compound(make_committee())
    foreign_building = make_building(foreign_compound)
    own_compound, other_compound = make_compound(committee), make_compound(committee)
    elsewhere = {"compound": own_compound, "building": make_building(other_compound)}
    for place in ({"compound": foreign_compound}, {"building": foreign_building}, elsewhere):
        with pytest.raises(ValidationError) as error:
            services.ballot_create(committee=committee, by=organizer, title="加装电梯",
                                   electorate=E.HOUSEHOLDS, **place)
        assert error.value.code == "foreign_place"
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("rule", [Ballot.Rule.ART278, Ballot.Rule.ART278_MAJOR])
def test_ballot_create_refuses_art278_without_one_voice_per_household(rule):
    committee = make_committee()
    with pytest.raises(ValidationError) as error:
        services.ballot_create(committee=committee, by=make_organizer(committee), title="维修资金",
                               rule=rule, electorate=E.RESIDENTS)
    assert error.value.code == "art278_needs_households"


def test_ballot_create_refuses_a_closing_before_the_opening():
    committee = make_committee()
    now = timezone.now()
    for closes_at in (now, now - timedelta(hours=1)):
        with pytest.raises(ValidationError) as error:
            services.ballot_create(committee=committee, by=make_organizer(committee), title="议题",
                                   opens_at=now, closes_at=closes_at)
        assert error.value.code == "closes_before_opening"


@pytest.mark.parametrize("quorum", [Decimal("-0.1"), Decimal("1.01"), 2])
def test_ballot_create_refuses_a_quorum_outside_zero_to_one(quorum):
    committee = make_committee()
    with pytest.raises(ValidationError) as error:
        services.ballot_create(committee=committee, by=make_organizer(committee), title="议题", quorum=quorum)
    assert error.value.code == "invalid_quorum"


def test_ballot_create_by_someone_who_is_not_an_organizer_is_denied():
    committee = make_committee()
    resident = make_resident(make_household(make_building(make_compound(committee))))
    with pytest.raises(PermissionDenied):
        services.ballot_create(committee=committee, by=resident, title="议题")
    assert not Ballot.objects.exists()


def test_a_site_admin_may_create_a_ballot_in_any_committee():
    ballot = services.ballot_create(committee=make_committee(), by=make_site_admin(), title="议题")
    assert ballot.status == Ballot.Status.DRAFT


# --- question_add -----------------------------------------------------------------------------

def test_question_add_appends_questions_in_order_with_default_options():
    committee = make_committee()
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="第一题")
    second = services.question_add(ballot=ballot, by=organizer, text="  第二题 ")
    third = services.question_add(ballot=ballot, by=organizer, text="第三题")
    assert [(q.position, q.text) for q in ballot.questions.all()] == [
        (1, "第一题"), (2, "第二题"), (3, "第三题")]
    assert second.options.count() == third.options.count() == 3


def test_question_add_for_a_rating_gives_the_four_levels_with_weights_and_an_excluded_level():
    committee = make_committee()
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="评议", rule=Ballot.Rule.NONE)
    question = services.question_add(ballot=ballot, by=organizer, text="工作效率", kind=Question.Kind.RATING)
    assert question.max_choices == 1
    assert [(o.position, o.label, o.weight, o.excluded) for o in question.options.all()] == [
        (1, "满意", Decimal("100.00"), False), (2, "基本满意", Decimal("60.00"), False),
        (3, "不满意", Decimal("0.00"), False), (4, "不了解", None, True)]


def test_question_add_takes_custom_options():
    committee = make_committee()
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="议题")
    question = services.question_add(ballot=ballot, by=organizer, text="选址", options=[
        OptionSpec("东门"), OptionSpec("西门"), OptionSpec("北门")])
    assert [o.label for o in question.options.all()] == ["东门", "西门", "北门"]
    assert {o.meaning for o in question.options.all()} == {"other"}


def test_question_add_for_multiple_choice_keeps_its_maximum():
    committee = make_committee()
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="议题")
    question = services.question_add(ballot=ballot, by=organizer, text="绿化选哪几种",
                                     kind=Question.Kind.MULTIPLE,
                                     max_choices=2, options=[OptionSpec("桂花"), OptionSpec("香樟"),
                                                             OptionSpec("玉兰")])
    assert (question.kind, question.max_choices) == ("multiple", 2)


def test_question_add_ignores_a_maximum_for_a_single_choice():
    committee = make_committee()
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="议题")
    question = services.question_add(ballot=ballot, by=organizer, text="单选", max_choices=3)
    assert question.max_choices == 1


@pytest.mark.parametrize("max_choices", [0, 4])
def test_question_add_refuses_a_multiple_choice_maximum_outside_the_options(max_choices):
    committee = make_committee()
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="议题")
    with pytest.raises(ValidationError) as error:
        services.question_add(ballot=ballot, by=organizer, text="多选", kind=Question.Kind.MULTIPLE,
                              max_choices=max_choices, options=[OptionSpec("甲"), OptionSpec("乙"),
                                                                OptionSpec("丙")])
    assert error.value.code == "invalid_max_choices"
    assert ballot.questions.count() == 1


def test_question_add_refuses_several_choices_among_for_against_and_abstain():
    committee = make_committee()
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="评议", rule=Ballot.Rule.NONE,
                                    question_kind=Question.Kind.RATING)
    # Ticking both "for" and "against" would count one voice twice in the decision rule.
    with pytest.raises(ValidationError) as error:
        services.question_add(ballot=ballot, by=organizer, text="是否续聘", kind=Question.Kind.MULTIPLE,
                              max_choices=2)
    assert error.value.code == "multiple_for_against"
    assert ballot.questions.count() == 1
    one = services.question_add(ballot=ballot, by=organizer, text="是否续聘", kind=Question.Kind.MULTIPLE)
    assert one.max_choices == 1


def test_question_add_refuses_fewer_than_two_options():
    committee = make_committee()
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="议题")
    with pytest.raises(ValidationError) as error:
        services.question_add(ballot=ballot, by=organizer, text="只有一个", options=[OptionSpec("唯一")])
    assert error.value.code == "too_few_options"


def test_question_add_after_opening_is_frozen():
    ballot, organizer, _voters = make_open_ballot()
    with pytest.raises(ValidationError) as error:
        services.question_add(ballot=ballot, by=organizer, text="迟到的问题")
    assert error.value.code == "frozen"
    assert ballot.questions.count() == 1


# --- ballot_set_named_voters ---------------------------------------------------------------------

def test_ballot_set_named_voters_replaces_the_list_while_drafting():
    committee = make_committee()
    organizer = make_organizer(committee)
    alice, bob, carol = make_user(), make_user(), make_user()
    ballot = services.ballot_create(committee=committee, by=organizer, title="议题", electorate=E.NAMED_LIST)
    services.ballot_set_named_voters(ballot=ballot, by=organizer, users=[alice, bob])
    services.ballot_set_named_voters(ballot=ballot, by=organizer, users=[bob, carol])
    assert set(ballot.named_voters.all()) == {bob, carol}


def test_ballot_set_named_voters_after_opening_is_frozen():
    committee = make_committee()
    organizer = make_organizer(committee)
    alice, bob = make_user(), make_user()
    ballot = services.ballot_create(committee=committee, by=organizer, title="议题", electorate=E.NAMED_LIST)
    services.ballot_set_named_voters(ballot=ballot, by=organizer, users=[alice])
    services.ballot_open(ballot=ballot, by=organizer)
    with pytest.raises(ValidationError) as error:
        services.ballot_set_named_voters(ballot=ballot, by=organizer, users=[alice, bob])
    assert error.value.code == "frozen"
    assert list(ballot.named_voters.all()) == [alice]


# --- ballot_open: the electorate snapshot --------------------------------------------------------


@pytest.mark.parametrize("scope", ["committee", "compound", "building"])
def test_ballot_open_freezes_every_verified_resident_in_scope(place, scope):
    where = {"committee": {}, "compound": {"compound": place.compound_a}, "building": {"building": place.a1}}
    expected = {"committee": users(place.r1, place.m1, place.r2, place.m3, place.r4),
                "compound": users(place.r1, place.m1, place.r2, place.m3),
                "building": users(place.r1, place.m1, place.r2)}
    ballot = open_draft(place.committee, place.organizer, electorate=E.RESIDENTS, **where[scope])
    assert snapshot(ballot) == expected[scope]
    assert ballot.electorate_size == len(expected[scope])
    assert ballot.electorate_area is None
    assert Voice.objects.filter(ballot=ballot, household__isnull=False).count() == 0


@pytest.mark.parametrize("scope", ["committee", "compound", "building"])
def test_ballot_open_gives_each_household_with_a_representative_one_voice_with_its_floor_area(place, scope):
    p = place
    where = {"committee": {}, "compound": {"compound": p.compound_a}, "building": {"building": p.a1}}
    expected = {
        "committee": {f"h{p.h1.pk}": [p.r1.pk], f"h{p.h2.pk}": [p.r2.pk], f"h{p.h4.pk}": [p.r4.pk]},
        "compound": {f"h{p.h1.pk}": [p.r1.pk], f"h{p.h2.pk}": [p.r2.pk]},
        "building": {f"h{p.h1.pk}": [p.r1.pk], f"h{p.h2.pk}": [p.r2.pk]},
    }
    areas = {"committee": Decimal("240.00"), "compound": Decimal("140.00"), "building": Decimal("140.00")}
    ballot = open_draft(p.committee, p.organizer, electorate=E.HOUSEHOLDS, **where[scope])
    ballot.refresh_from_db()
    assert snapshot(ballot) == expected[scope]
    assert ballot.electorate_size == len(expected[scope])
    assert ballot.electorate_area == areas[scope]
    assert Voice.objects.get(ballot=ballot, key=f"h{p.h1.pk}").floor_area == Decimal("80.00")
    assert Voice.objects.get(ballot=ballot, key=f"h{p.h1.pk}").household == p.h1


@pytest.mark.parametrize("scope", ["committee", "compound", "building"])
def test_ballot_open_lets_any_member_hold_the_household_voice_when_the_first_vote_counts(place, scope):
    p = place
    where = {"committee": {}, "compound": {"compound": p.compound_a}, "building": {"building": p.a1}}
    a1 = {f"h{p.h1.pk}": sorted([p.r1.pk, p.m1.pk]), f"h{p.h2.pk}": [p.r2.pk]}
    expected = {
        "committee": {**a1, f"h{p.h3.pk}": [p.m3.pk], f"h{p.h4.pk}": [p.r4.pk]},
        "compound": {**a1, f"h{p.h3.pk}": [p.m3.pk]},
        "building": a1,
    }
    areas = {"committee": Decimal("310.00"), "compound": Decimal("210.00"), "building": Decimal("140.00")}
    ballot = open_draft(p.committee, p.organizer, electorate=E.HOUSEHOLDS,
                        household_voice=Ballot.HouseholdVoice.FIRST_MEMBER, **where[scope])
    ballot.refresh_from_db()
    assert snapshot(ballot) == expected[scope]
    assert ballot.electorate_area == areas[scope]


@pytest.mark.parametrize(("electorate", "kind"), [
    (E.RESIDENT_REPS, Role.Kind.RESIDENT_REPRESENTATIVE),
    (E.PARTY_MEMBERS, Role.Kind.PARTY_MEMBER),
    (E.PARTY_REPS, Role.Kind.PARTY_REPRESENTATIVE),
])
def test_ballot_open_freezes_the_holders_of_the_role_in_this_committee(place, electorate, kind):
    first = make_committee_role(place.committee, kind)
    second = make_committee_role(place.committee, kind, user=place.r1)
    make_committee_role(make_committee(), kind)  # the same role elsewhere grants nothing here
    other_kind = (Role.Kind.PARTY_MEMBER if kind != Role.Kind.PARTY_MEMBER
                  else Role.Kind.RESIDENT_REPRESENTATIVE)
    make_committee_role(place.committee, other_kind)
    ballot = open_draft(place.committee, place.organizer, electorate=electorate)
    assert snapshot(ballot) == users(first, second)
    assert ballot.electorate_size == 2


@pytest.mark.parametrize("electorate", [E.RESIDENT_REPS, E.PARTY_MEMBERS, E.PARTY_REPS])
def test_a_compound_or_building_does_not_narrow_a_role_electorate(place, electorate):
    kind = {E.RESIDENT_REPS: Role.Kind.RESIDENT_REPRESENTATIVE, E.PARTY_MEMBERS: Role.Kind.PARTY_MEMBER,
            E.PARTY_REPS: Role.Kind.PARTY_REPRESENTATIVE}[electorate]
    make_committee_role(place.committee, kind, user=place.r4)  # lives in compound B
    ballot = open_draft(place.committee, place.organizer, electorate=electorate, building=place.a1)
    assert snapshot(ballot) == users(place.r4)


def test_ballot_open_freezes_a_named_list(place):
    guest = make_user()
    ballot = services.ballot_create(committee=place.committee, by=place.organizer, title="议题",
                                    electorate=E.NAMED_LIST)
    services.ballot_set_named_voters(ballot=ballot, by=place.organizer, users=[guest, place.m3])
    services.ballot_open(ballot=ballot, by=place.organizer)
    assert snapshot(ballot) == users(guest, place.m3)


def test_ballot_open_with_nobody_entitled_is_refused_and_stays_a_draft(place):
    ballot = services.ballot_create(committee=place.committee, by=place.organizer, title="议题",
                                    electorate=E.HOUSEHOLDS, building=place.a2)  # h3 has no representative
    with pytest.raises(ValidationError) as error:
        services.ballot_open(ballot=ballot, by=place.organizer)
    assert error.value.code == "empty_electorate"
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.DRAFT
    assert not Voice.objects.filter(ballot=ballot).exists()


def test_ballot_open_refuses_a_decision_rule_without_a_for_option(place):
    ballot = services.ballot_create(committee=place.committee, by=place.organizer, title="评议",
                                    electorate=E.RESIDENTS, question_kind=Question.Kind.RATING)
    with pytest.raises(ValidationError) as error:
        services.ballot_open(ballot=ballot, by=place.organizer)
    assert error.value.code == "no_yes_option"


def test_ballot_open_records_the_snapshot_hash_and_ledger_heads(place):
    ballot = open_draft(place.committee, place.organizer, electorate=E.HOUSEHOLDS)
    ballot.refresh_from_db()
    assert len(ballot.snapshot_hash) == 64
    opened = json.loads(LedgerEntry.objects.get(chain=ledger.ballot_chain(ballot.pk), seq=1).payload)
    assert (opened["event"], opened["snapshot"], opened["voices"], opened["area"]) == (
        "opened", ballot.snapshot_hash, 3, "240.00")
    assert opened["by"] == place.organizer.pk
    assert ballot.heads_at_open[ledger.ballot_chain(ballot.pk)]["seq"] == 1
    assert ballot.opened_at is not None


def _grow(p, electorate):
    """Change the data the electorate of ``electorate`` is built from."""
    if electorate in (E.RESIDENTS, "first_member"):
        make_resident(p.h2)
    elif electorate == E.HOUSEHOLDS:
        member_services.household_upsert(building=p.a1, door_number=p.h1.door_number,
                                         floor_area=Decimal("81"))
    elif electorate == E.NAMED_LIST:
        return [p.r1, p.r2, p.m3]
    else:
        kind = {E.RESIDENT_REPS: Role.Kind.RESIDENT_REPRESENTATIVE, E.PARTY_MEMBERS: Role.Kind.PARTY_MEMBER,
                E.PARTY_REPS: Role.Kind.PARTY_REPRESENTATIVE}[electorate]
        make_committee_role(p.committee, kind)
    return [p.r1, p.r2]


@pytest.mark.parametrize("electorate", [E.RESIDENTS, E.HOUSEHOLDS, "first_member", E.RESIDENT_REPS,
                                        E.PARTY_MEMBERS, E.PARTY_REPS, E.NAMED_LIST])
def test_the_snapshot_hash_is_the_same_for_the_same_electorate_and_differs_after_a_change(place, electorate):
    p = place
    for kind in (Role.Kind.RESIDENT_REPRESENTATIVE, Role.Kind.PARTY_MEMBER, Role.Kind.PARTY_REPRESENTATIVE):
        make_committee_role(p.committee, kind, user=p.r1)
    kwargs = ({"electorate": E.HOUSEHOLDS, "household_voice": Ballot.HouseholdVoice.FIRST_MEMBER}
              if electorate == "first_member" else {"electorate": electorate})

    def opened(named: list) -> Ballot:
        ballot = services.ballot_create(committee=p.committee, by=p.organizer, title="议题", **kwargs)
        if electorate == E.NAMED_LIST:
            services.ballot_set_named_voters(ballot=ballot, by=p.organizer, users=named)
        return services.ballot_open(ballot=ballot, by=p.organizer)

    first, again = opened([p.r1, p.r2]), opened([p.r2, p.r1])
    assert first.snapshot_hash == again.snapshot_hash
    named = _grow(p, electorate)
    changed = opened(named)
    assert changed.snapshot_hash != first.snapshot_hash
    first.refresh_from_db()
    assert first.snapshot_hash == again.snapshot_hash


def test_later_membership_changes_do_not_alter_an_open_household_ballot(place):
    p = place
    ballot = open_draft(p.committee, p.organizer, electorate=E.HOUSEHOLDS, building=p.a1)
    ballot.refresh_from_db()
    frozen = (snapshot(ballot), ballot.snapshot_hash, ballot.electorate_size, ballot.electorate_area)
    # r1 leaves, m1 becomes the representative, h1 is re-measured, a new household moves in.
    member_services.membership_leave(membership=Membership.objects.get(user=p.r1, household=p.h1),
                                     by=p.organizer)
    member_services.membership_set_representative(
        membership=Membership.objects.get(user=p.m1, household=p.h1), by=p.organizer)
    member_services.household_upsert(building=p.a1, door_number=p.h1.door_number, floor_area=Decimal("95"))
    newcomer = make_resident(make_household(p.a1, floor_area="50.00"), representative=True)
    ballot.refresh_from_db()
    assert (snapshot(ballot), ballot.snapshot_hash, ballot.electorate_size, ballot.electorate_area) == frozen
    assert Voice.objects.get(ballot=ballot, key=f"h{p.h1.pk}").floor_area == Decimal("80.00")
    for outsider in (p.m1, newcomer):
        with pytest.raises(ValidationError) as error:
            services.vote_cast(ballot=ballot, voter=outsider, choices=choices(ballot, "yes"))
        assert error.value.code == "not_entitled"
    # r1 is still on the frozen electorate, but has left the household: rights lost end at once.
    with pytest.raises(ValidationError) as error:
        services.vote_cast(ballot=ballot, voter=p.r1, choices=choices(ballot, "yes"))
    assert error.value.code == "no_longer_entitled"


def test_later_role_changes_do_not_alter_an_open_representatives_ballot(place):
    rep = make_committee_role(place.committee, Role.Kind.RESIDENT_REPRESENTATIVE)
    ballot = open_draft(place.committee, place.organizer, electorate=E.RESIDENT_REPS)
    member_services.role_revoke(role=Role.objects.get(user=rep, kind=Role.Kind.RESIDENT_REPRESENTATIVE),
                                by=place.organizer)
    late = make_committee_role(place.committee, Role.Kind.RESIDENT_REPRESENTATIVE)
    assert snapshot(ballot) == users(rep)
    with pytest.raises(ValidationError) as error:
        services.vote_cast(ballot=ballot, voter=late, choices=choices(ballot, "yes"))
    assert error.value.code == "not_entitled"
    with pytest.raises(ValidationError) as error:  # revoked since opening: refused, the snapshot unchanged
        services.vote_cast(ballot=ballot, voter=rep, choices=choices(ballot, "yes"))
    assert error.value.code == "no_longer_entitled"
    assert snapshot(ballot) == users(rep)
