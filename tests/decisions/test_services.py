"""Every write of the decision core (decisions.services): guards, transitions, snapshot, casting, paper."""

import json
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from decisions import box, ledger, selectors, services
from decisions.models import (
    Ballot,
    Channel,
    LedgerEntry,
    NamedChoice,
    Option,
    PaperBatch,
    Participation,
    Question,
    SealedSheet,
    SecretContent,
    Voice,
)
from decisions.services import OptionSpec
from members import services as member_services
from members.models import Membership, Role
from tests.decisions.factories import (
    choices,
    make_building_of_households,
    make_committee_role,
    make_floor_leader,
    make_open_ballot,
    make_paper_batch,
    name_scrutineers,
    open_box,
    option,
)
from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_organizer,
    make_pending_request,
    make_resident,
    make_site_admin,
    make_user,
)

pytestmark = pytest.mark.django_db

E = Ballot.Electorate


def snapshot(ballot: Ballot) -> dict[str, list[int]]:
    """Voice key → holder user ids, as frozen at opening."""
    return {voice.key: sorted(voice.holders.values_list("user_id", flat=True))
            for voice in Voice.objects.filter(ballot=ballot)}


def users(*people) -> dict[str, list[int]]:
    return {f"u{p.pk}": [p.pk] for p in people}


def counted(ballot: Ballot) -> dict[str, int]:
    """Meaning ("yes", "no", "abstain") → counted voices on the ballot's first question (options with none left out).

    A sealed ballot's papers are counted only when its box is opened: it is closed and opened first.
    """
    ballot.refresh_from_db()
    if ballot.is_sealed and ballot.status == Ballot.Status.OPEN:
        services.ballot_close(ballot=ballot, by=ballot.scrutineers.get(position=1).user)
        open_box(ballot)
    meanings = dict(ballot.questions.first().options.values_list("pk", "meaning"))
    return {meanings[pk]: n for pk, (n, _area) in selectors.option_counts(ballot).items() if pk in meanings and n}


def open_draft(committee, organizer, **kwargs) -> Ballot:
    title = kwargs.pop("title", "议题")
    ballot = services.ballot_create(committee=committee, by=organizer, title=title, **kwargs)
    return services.ballot_open(ballot=ballot, by=organizer)


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

@pytest.fixture
def place():
    """One committee: compound A (buildings A1, A2) and compound B (building B1), and a stranger.

    A1: h1 (80 m², representative r1, member m1, a pending request), h2 (60 m², representative r2)
    A2: h3 (70 m², member m3, no representative)
    B1: h4 (100 m², representative r4)
    """
    committee = make_committee()
    compound_a, compound_b = make_compound(committee), make_compound(committee)
    a1, a2, b1 = make_building(compound_a), make_building(compound_a), make_building(compound_b)
    h1 = make_household(a1, floor_area="80.00")
    h2 = make_household(a1, floor_area="60.00")
    h3 = make_household(a2, floor_area="70.00")
    h4 = make_household(b1, floor_area="100.00")
    r1, m1 = make_resident(h1, representative=True), make_resident(h1)
    make_pending_request(h1)
    r2, m3 = make_resident(h2, representative=True), make_resident(h3)
    r4 = make_resident(h4, representative=True)
    stranger = make_resident(make_household(), representative=True)
    return SimpleNamespace(committee=committee, organizer=make_organizer(committee), compound_a=compound_a,
                           a1=a1, a2=a2, b1=b1, h1=h1, h2=h2, h3=h3, h4=h4, r1=r1, m1=m1, r2=r2, m3=m3,
                           r4=r4, stranger=stranger)


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


# --- Paper ballots ------------------------------------------------------------------------------------

@pytest.fixture
def paper():
    """An open secret ballot to four households (80 m² each) and a second organizer."""
    ballot, organizer, voters = make_open_ballot()
    return SimpleNamespace(ballot=ballot, organizer=organizer, second=make_organizer(ballot.committee),
                           voters=voters)


@pytest.mark.parametrize(("counts", "code"), [
    ({"issued": 2, "returned": 3, "void": 0}, "more_returned_than_issued"),
    ({"issued": 3, "returned": 2, "void": 3}, "too_many_void"),
    ({"issued": 3, "returned": 3, "void": 0}, "voters_mismatch"),
    ({"issued": 3, "returned": 1, "void": 0}, "voters_mismatch"),
    ({"issued": 3, "returned": 2, "void": -1}, "negative_count"),
])
def test_paper_batch_create_refuses_inconsistent_counts(paper, counts, code):
    with pytest.raises(ValidationError) as error:
        services.paper_batch_create(ballot=paper.ballot, by=paper.organizer, voters=paper.voters[:2],
                                    **counts)
    assert error.value.code == code
    assert not PaperBatch.objects.exists()


def test_paper_batch_create_refuses_a_voter_who_has_already_voted(paper):
    services.vote_cast(ballot=paper.ballot, voter=paper.voters[0], choices=choices(paper.ballot, "yes"))
    with pytest.raises(ValidationError) as error:
        services.paper_batch_create(ballot=paper.ballot, by=paper.organizer, issued=2, returned=2, void=0,
                                    voters=paper.voters[:2])
    assert error.value.code == "already_voted"


def test_paper_batch_create_refuses_a_voter_outside_the_electorate(paper):
    with pytest.raises(ValidationError) as error:
        services.paper_batch_create(ballot=paper.ballot, by=paper.organizer, issued=1, returned=1, void=0,
                                    voters=[make_resident()])
    assert error.value.code == "not_entitled"


def test_paper_batch_create_refuses_a_voter_in_another_pending_batch(paper):
    services.paper_batch_create(ballot=paper.ballot, by=paper.organizer, issued=2, returned=2, void=0,
                                voters=paper.voters[:2])
    with pytest.raises(ValidationError) as error:
        services.paper_batch_create(ballot=paper.ballot, by=paper.second, issued=2, returned=2, void=0,
                                    voters=paper.voters[1:3])
    assert error.value.code == "voter_in_pending_batch"
    assert PaperBatch.objects.count() == 1


def test_paper_batch_create_refuses_two_members_sharing_one_household_voice():
    household = make_household()
    alice, bob = make_resident(household), make_resident(household)
    committee = household.building.compound.committee
    organizer = make_organizer(committee)
    ballot = open_draft(committee, organizer, electorate=E.HOUSEHOLDS,
                        household_voice=Ballot.HouseholdVoice.FIRST_MEMBER)
    # Both sheets could never be counted: the confirmation would fail for ever on the second one.
    with pytest.raises(ValidationError) as error:
        services.paper_batch_create(ballot=ballot, by=organizer, issued=2, returned=2, void=0,
                                    voters=[alice, bob])
    assert error.value.code == "voice_listed_twice"
    services.paper_batch_create(ballot=ballot, by=organizer, issued=1, returned=1, void=0, voters=[alice])
    with pytest.raises(ValidationError) as error:
        services.paper_batch_create(ballot=ballot, by=organizer, issued=1, returned=1, void=0, voters=[bob])
    assert error.value.code == "voter_in_pending_batch"
    assert PaperBatch.objects.filter(ballot=ballot).count() == 1


def test_paper_batch_create_counts_a_voter_listed_twice_once(paper):
    with pytest.raises(ValidationError) as error:
        services.paper_batch_create(ballot=paper.ballot, by=paper.organizer, issued=2, returned=2, void=0,
                                    voters=[paper.voters[0], paper.voters[0]])
    assert error.value.code == "voters_mismatch"


def test_paper_batch_create_on_a_closed_ballot_is_refused(paper):
    services.ballot_close(ballot=paper.ballot, by=paper.organizer)
    with pytest.raises(ValidationError) as error:
        services.paper_batch_create(ballot=paper.ballot, by=paper.organizer, issued=1, returned=1, void=0,
                                    voters=paper.voters[:1])
    assert error.value.code == "not_open"


def test_paper_sheet_add_refuses_a_name_on_a_secret_sheet(paper):
    batch = services.paper_batch_create(ballot=paper.ballot, by=paper.organizer, issued=1, returned=1, void=0,
                                        voters=paper.voters[:1])
    with pytest.raises(ValidationError) as error:
        services.paper_sheet_add(batch=batch, by=paper.organizer, choices=choices(paper.ballot, "yes"),
                                 voter=paper.voters[0])
    assert error.value.code == "secret_sheet_named"
    assert not batch.sheets.exists()


def test_paper_sheet_add_on_a_named_ballot_needs_one_sheet_per_listed_voter():
    ballot, organizer, voters = make_open_ballot(secrecy=Ballot.Secrecy.NAMED)
    batch = services.paper_batch_create(ballot=ballot, by=organizer, issued=2, returned=2, void=0,
                                        voters=voters[:2])
    for voter in (None, voters[2]):
        with pytest.raises(ValidationError) as error:
            services.paper_sheet_add(batch=batch, by=organizer, choices=choices(ballot, "yes"), voter=voter)
        assert error.value.code == "sheet_voter"
    services.paper_sheet_add(batch=batch, by=organizer, choices=choices(ballot, "yes"), voter=voters[0])
    with pytest.raises(ValidationError) as error:
        services.paper_sheet_add(batch=batch, by=organizer, choices=choices(ballot, "no"), voter=voters[0])
    assert error.value.code == "sheet_duplicate"
    assert batch.sheets.get().voter == voters[0]


def test_paper_sheet_add_on_a_secret_art278_ballot_needs_the_floor_area():
    ballot, organizer, voters = make_open_ballot(rule=Ballot.Rule.ART278)
    batch = services.paper_batch_create(ballot=ballot, by=organizer, issued=1, returned=1, void=0,
                                        voters=voters[:1])
    with pytest.raises(ValidationError) as error:
        services.paper_sheet_add(batch=batch, by=organizer, choices=choices(ballot, "yes"))
    assert error.value.code == "sheet_area_required"
    sheet = services.paper_sheet_add(batch=batch, by=organizer, choices=choices(ballot, "yes"),
                                     floor_area=Decimal("80.00"))
    assert sheet.floor_area == Decimal("80.00")


def test_paper_sheet_add_on_a_secret_art278_ballot_takes_only_the_floor_areas_of_the_batchs_voters():
    ballot, organizer, voters = make_open_ballot(rule=Ballot.Rule.ART278, areas=["100", "80", "60", "60"])
    batch = services.paper_batch_create(ballot=ballot, by=organizer, issued=3, returned=3, void=0,
                                        voters=voters[1:])
    yes = choices(ballot, "yes")
    # A typo (800 for 80) or an area nobody in the batch has would weigh a sheet wrongly.
    for area in ("800", "100"):
        with pytest.raises(ValidationError) as error:
            services.paper_sheet_add(batch=batch, by=organizer, choices=yes, floor_area=Decimal(area))
        assert error.value.code == "sheet_area_unknown"
    services.paper_sheet_add(batch=batch, by=organizer, choices=yes, floor_area=Decimal("80"))
    with pytest.raises(ValidationError) as error:
        services.paper_sheet_add(batch=batch, by=organizer, choices=yes, floor_area=Decimal("80.00"))
    assert error.value.code == "sheet_area_unknown"
    services.paper_sheet_add(batch=batch, by=organizer, choices=yes, floor_area=Decimal("60.00"))
    services.paper_sheet_add(batch=batch, by=organizer, choices=yes, floor_area=Decimal("60.00"))
    services.paper_batch_confirm(batch=batch, by=make_organizer(ballot.committee))
    services.ballot_close(ballot=ballot, by=organizer)
    open_box(ballot)
    services.ballot_publish(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    assert ballot.result["turnout"] == {"voices": 3, "area": "200.00"}


def test_paper_sheet_add_refuses_more_sheets_than_valid_ones_and_invalid_choices(paper):
    batch = services.paper_batch_create(ballot=paper.ballot, by=paper.organizer, issued=3, returned=2, void=1,
                                        voters=paper.voters[:2])
    with pytest.raises(ValidationError) as error:
        services.paper_sheet_add(batch=batch, by=paper.organizer, choices={})
    assert error.value.code == "unanswered"
    services.paper_sheet_add(batch=batch, by=paper.organizer, choices=choices(paper.ballot, "no"))
    with pytest.raises(ValidationError) as error:
        services.paper_sheet_add(batch=batch, by=paper.organizer, choices=choices(paper.ballot, "yes"))
    assert error.value.code == "batch_full"
    assert [o.meaning for o in batch.sheets.get().options.all()] == ["no"]


def test_paper_batch_confirm_by_the_organizer_who_entered_it_is_denied(paper):
    batch = make_paper_batch(paper.ballot, paper.organizer, paper.voters[:1],
                             [{"choices": choices(paper.ballot, "yes")}])
    with pytest.raises(PermissionDenied):
        services.paper_batch_confirm(batch=batch, by=paper.organizer)
    batch.refresh_from_db()
    assert batch.status == PaperBatch.Status.PENDING
    assert not Participation.objects.exists()


def test_paper_batch_confirm_refuses_a_batch_whose_sheets_are_missing(paper):
    batch = make_paper_batch(paper.ballot, paper.organizer, paper.voters[:2],
                             [{"choices": choices(paper.ballot, "yes")}])
    with pytest.raises(ValidationError) as error:
        services.paper_batch_confirm(batch=batch, by=paper.second)
    assert error.value.code == "sheets_mismatch"
    assert not Participation.objects.exists()


def test_paper_batch_confirm_registers_the_voters_and_counts_the_sheets_of_a_secret_ballot(paper):
    ballot = paper.ballot
    batch = make_paper_batch(ballot, paper.organizer, paper.voters[:3],
                             [{"choices": choices(ballot, "yes")}, {"choices": choices(ballot, "no")}],
                             issued=4, void=1)
    services.paper_batch_confirm(batch=batch, by=paper.second)
    batch.refresh_from_db()
    assert (batch.status, batch.confirmed_by) == (PaperBatch.Status.CONFIRMED, paper.second)
    assert batch.confirmed_at is not None
    registered = Participation.objects.filter(ballot=ballot)
    assert {p.user for p in registered} == set(paper.voters[:3])
    assert {(p.channel, p.version, p.batch_id) for p in registered} == {("paper", 1, batch.pk)}
    assert len({p.receipt for p in registered}) == 3
    # The two sheets are sealed into the box apart from the register rows, which carry no paper.
    assert not any(p.paper for p in registered)
    sealed = SealedSheet.objects.filter(ballot=ballot, batch=batch)
    assert sealed.count() == 2 and not batch.sheets.exists()
    assert selectors.turnout(ballot).voices == 3
    payload = json.loads(LedgerEntry.objects.filter(chain=f"b{ballot.pk}").last().payload)
    assert (payload["event"], payload["issued"], payload["returned"], payload["void"]) == (
        "paper_batch", 4, 3, 1)
    assert payload["sheets"] == sorted(box.digest(s.paper) for s in sealed)
    with pytest.raises(ValidationError) as error:
        services.paper_batch_confirm(batch=batch, by=paper.second)
    assert error.value.code == "batch_confirmed"
    with pytest.raises(ValidationError) as error:
        services.paper_sheet_add(batch=batch, by=paper.organizer, choices=choices(ballot, "yes"))
    assert error.value.code == "batch_confirmed"
    assert counted(ballot) == {"yes": 1, "no": 1}


def test_paper_batch_confirm_on_a_named_ballot_hangs_each_sheet_on_its_voter():
    ballot, organizer, voters = make_open_ballot(secrecy=Ballot.Secrecy.NAMED)
    batch = make_paper_batch(ballot, organizer, voters[:2],
                             [{"choices": choices(ballot, "no"), "voter": voters[1]}], void=1)
    services.paper_batch_confirm(batch=batch, by=make_organizer(ballot.committee))
    by_voter = {p.user: [c.option.meaning for c in p.choices.all()]
                for p in Participation.objects.filter(ballot=ballot)}
    assert by_voter == {voters[0]: [], voters[1]: ["no"]}


def test_paper_batch_confirm_refuses_a_voter_who_voted_online_meanwhile(paper):
    batch = make_paper_batch(paper.ballot, paper.organizer, paper.voters[:1],
                             [{"choices": choices(paper.ballot, "yes")}])
    services.vote_cast(ballot=paper.ballot, voter=paper.voters[0], choices=choices(paper.ballot, "no"))
    with pytest.raises(ValidationError) as error:
        services.paper_batch_confirm(batch=batch, by=paper.second)
    assert error.value.code == "already_voted"
    assert not SealedSheet.objects.filter(ballot=paper.ballot).exists()
    assert Participation.objects.filter(ballot=paper.ballot, paper__isnull=False).count() == 1
    assert counted(paper.ballot) == {"no": 1}


@pytest.mark.parametrize(("allow_change", "code"), [(True, "paper_is_final"), (False, "already_voted")])
def test_an_online_or_assisted_vote_after_a_paper_vote_is_refused(allow_change, code):
    ballot, organizer, voters = make_open_ballot(allow_change=allow_change)
    batch = make_paper_batch(ballot, organizer, voters[:1], [{"choices": choices(ballot, "yes")}])
    services.paper_batch_confirm(batch=batch, by=make_organizer(ballot.committee))
    for extra in ({}, {"channel": Channel.ASSISTED, "entered_by": organizer, "consent_note": "代填"}):
        with pytest.raises(ValidationError) as error:
            services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "no"), **extra)
        assert error.value.code == code
    assert Participation.objects.filter(ballot=ballot).count() == 1
    assert counted(ballot) == {"yes": 1}


# --- Permissions ------------------------------------------------------------------------------------

ORGANIZER_SERVICES = ["ballot_create", "question_add", "ballot_set_named_voters", "ballot_open",
                      "ballot_close", "ballot_publish", "ballot_cancel", "paper_batch_create",
                      "paper_sheet_add", "paper_batch_confirm"]


@pytest.mark.parametrize("name", ORGANIZER_SERVICES)
def test_an_organizer_of_another_committee_is_denied_every_organizer_service(name):
    ballot, organizer, voters = make_open_ballot()
    committee = ballot.committee
    draft = services.ballot_create(committee=committee, by=organizer, title="草稿", electorate=E.HOUSEHOLDS)
    closed = open_draft(committee, organizer, title="已结束", electorate=E.HOUSEHOLDS)
    services.ballot_close(ballot=closed, by=organizer)
    batch = make_paper_batch(ballot, organizer, voters[:1], [{"choices": choices(ballot, "yes")}])
    stranger = make_organizer(make_committee(committee.street))
    calls = {
        "ballot_create": lambda: services.ballot_create(committee=committee, by=stranger, title="越权"),
        "question_add": lambda: services.question_add(ballot=draft, by=stranger, text="越权"),
        "ballot_set_named_voters": lambda: services.ballot_set_named_voters(ballot=draft, by=stranger,
                                                                            users=[stranger]),
        "ballot_open": lambda: services.ballot_open(ballot=draft, by=stranger),
        "ballot_close": lambda: services.ballot_close(ballot=ballot, by=stranger),
        "ballot_publish": lambda: services.ballot_publish(ballot=closed, by=stranger),
        "ballot_cancel": lambda: services.ballot_cancel(ballot=ballot, by=stranger, reason="越权"),
        "paper_batch_create": lambda: services.paper_batch_create(ballot=ballot, by=stranger, issued=1,
                                                                  returned=1, void=0, voters=voters[1:2]),
        "paper_sheet_add": lambda: services.paper_sheet_add(batch=batch, by=stranger,
                                                            choices=choices(ballot, "no")),
        "paper_batch_confirm": lambda: services.paper_batch_confirm(batch=batch, by=stranger),
    }
    before = (Ballot.objects.count(), Question.objects.count(), LedgerEntry.objects.count(),
              PaperBatch.objects.count(), batch.sheets.count(), Participation.objects.count())
    with pytest.raises(PermissionDenied):
        calls[name]()
    after = (Ballot.objects.count(), Question.objects.count(), LedgerEntry.objects.count(),
             PaperBatch.objects.count(), batch.sheets.count(), Participation.objects.count())
    assert after == before
    statuses = Ballot.objects.filter(pk__in=[ballot.pk, draft.pk, closed.pk]).values_list("pk", "status")
    assert dict(statuses) == {
        ballot.pk: "open", draft.pk: "draft", closed.pk: "closed"}
    assert not draft.named_voters.exists()


# --- History ------------------------------------------------------------------------------------

def test_ballot_question_and_option_changes_leave_history_rows_with_the_acting_user():
    building, reps = make_building_of_households(2)
    committee = building.compound.committee
    organizer, colleague = make_organizer(committee), make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="加装电梯",
                                    electorate=E.HOUSEHOLDS)
    question = services.question_add(ballot=ballot, by=colleague, text="选址", options=[
        OptionSpec("东侧"), OptionSpec("西侧")])
    services.ballot_open(ballot=ballot, by=colleague)
    services.ballot_close(ballot=ballot, by=organizer)
    open_box(ballot)  # by the colleague, who opened it and so is its one scrutineer
    services.ballot_publish(ballot=ballot, by=colleague)

    rows = list(ballot.history.order_by("history_date", "history_id"))
    assert [(h.history_type, h.status, h.history_user) for h in rows] == [
        ("+", "draft", organizer), ("~", "open", colleague), ("~", "closed", organizer),
        ("~", "closed", colleague), ("~", "published", colleague)]
    assert rows[3].box_opened_at is not None and rows[2].box_opened_at is None
    assert rows[-1].result == Ballot.objects.get(pk=ballot.pk).result
    first = ballot.questions.get(position=1)
    assert [(h.history_type, h.history_user) for h in first.history.all()] == [("+", organizer)]
    assert [(h.history_type, h.history_user) for h in question.history.all()] == [("+", colleague)]
    options = Option.history.filter(question_id__in=[first.pk, question.pk])
    assert {(h.question_id, h.label, h.history_user) for h in options} == {
        (first.pk, "同意", organizer), (first.pk, "反对", organizer), (first.pk, "弃权", organizer),
        (question.pk, "东侧", colleague), (question.pk, "西侧", colleague)}


def test_cancelling_and_naming_voters_leave_history_rows_with_the_acting_user():
    committee = make_committee()
    organizer, colleague = make_organizer(committee), make_organizer(committee)
    voter = make_user()
    ballot = services.ballot_create(committee=committee, by=organizer, title="名单", electorate=E.NAMED_LIST)
    services.ballot_set_named_voters(ballot=ballot, by=colleague, users=[voter])
    services.ballot_cancel(ballot=ballot, by=organizer, reason="重新拟定")
    rows = list(ballot.history.order_by("history_date", "history_id"))
    assert [h.history_user for h in rows[1:-1]] == [colleague] * (len(rows) - 2)
    assert len(rows) >= 3
    assert [m.user_id for m in rows[-2].named_voters.all()] == [voter.pk]
    assert (rows[-1].status, rows[-1].cancel_reason, rows[-1].history_user) == (
        "cancelled", "重新拟定", organizer)


def test_a_named_vote_is_history_tracked_with_its_voter_and_a_secret_paper_is_not():
    from decisions.models import NamedChoice, SealedSheet, SecretContent
    from tests.decisions.factories import choices as choose
    from tests.decisions.factories import make_open_ballot as open_ballot

    named, _organizer, voters = open_ballot(secrecy=Ballot.Secrecy.NAMED)
    services.vote_cast(ballot=named, voter=voters[0], choices=choose(named, "yes"))
    record = NamedChoice.history.get()
    assert record.history_type == "+" and record.history_user == voters[0]
    secret, _organizer, voters = open_ballot()
    cast = services.vote_cast(ballot=secret, voter=voters[0], choices=choose(secret, "yes"))
    assert cast.paper is not None  # the sealed paper, in the register row: which keeps no history
    assert not any(hasattr(model, "history") for model in (Participation, SealedSheet, SecretContent))
    assert NamedChoice.history.count() == 1


def test_a_draft_question_can_be_removed_but_not_the_last_one_nor_after_opening():
    from django.core.exceptions import PermissionDenied as Denied

    from decisions.models import Option as OptionModel
    from decisions.models import Question as QuestionModel
    from tests.decisions.factories import make_building_of_households as households
    from tests.factories import make_committee as committee_factory
    from tests.factories import make_organizer as organizer_factory

    building, _reps = households(2)
    organizer = organizer_factory(building.compound.committee)
    ballot = services.ballot_create(committee=building.compound.committee, by=organizer, title="错字标题",
                                    electorate=Ballot.Electorate.HOUSEHOLDS, building=building)
    typo = ballot.questions.get()
    with pytest.raises(ValidationError) as error:
        services.question_remove(question=typo, by=organizer)
    assert error.value.code == "last_question"
    services.question_add(ballot=ballot, by=organizer, text="正确的问题")
    with pytest.raises(Denied):
        services.question_remove(question=typo, by=organizer_factory(committee_factory()))
    services.question_remove(question=typo, by=organizer)
    assert list(ballot.questions.values_list("text", flat=True)) == ["正确的问题"]
    assert not OptionModel.objects.filter(question_id=typo.pk).exists()
    assert QuestionModel.history.filter(id=typo.pk, history_type="-").get().history_user == organizer
    services.question_add(ballot=ballot, by=organizer, text="第二个问题")
    ballot = services.ballot_open(ballot=ballot, by=organizer)
    with pytest.raises(ValidationError) as error:
        services.question_remove(question=ballot.questions.first(), by=organizer)
    assert error.value.code == "frozen"


def test_a_cast_confirmed_against_an_old_version_records_nothing():
    from tests.decisions.factories import choices as choose
    from tests.decisions.factories import make_open_ballot as open_ballot

    ballot, _organizer, voters = open_ballot()
    first = services.vote_cast(ballot=ballot, voter=voters[0], choices=choose(ballot, "yes"), expected_version=0)
    with pytest.raises(ValidationError) as error:  # the same confirmation page sent twice
        services.vote_cast(ballot=ballot, voter=voters[0], choices=choose(ballot, "yes"), expected_version=0)
    assert error.value.code == "already_submitted"
    assert first.receipt in error.value.messages[0]
    changed = services.vote_cast(ballot=ballot, voter=voters[0], choices=choose(ballot, "no"), expected_version=1)
    assert changed.version == 2
    assert Participation.objects.filter(ballot=ballot).count() == 2
