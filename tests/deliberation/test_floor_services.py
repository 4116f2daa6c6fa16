"""Floor consultation services: one voice per household, art. 278, assisted opinions, agreed opinion."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from decisions import services as ballot_services
from decisions.models import Ballot, Channel, Participation
from deliberation.models import Consultation, ConventionVersion, HouseholdComment
from deliberation.services import floor as floor_services
from members import services as member_services
from members.models import Notification
from tests.decisions.factories import card_code, make_building_of_households, make_floor_leader
from tests.deliberation.party_factories import make_consultation, no_option, yes_option
from tests.factories import make_compound, make_organizer, make_resident, make_user

pytestmark = pytest.mark.django_db


def test_opening_notifies_the_building_households_and_nobody_else():
    consultation, leader, residents = make_consultation()
    outsider = make_resident()
    notified = set(Notification.objects.filter(kind=Notification.Kind.OPENING).values_list("user_id", flat=True))
    assert notified == {r.pk for r in residents}
    assert outsider.pk not in notified
    assert consultation.ballot.electorate == Ballot.Electorate.HOUSEHOLDS
    assert consultation.ballot.building_id == consultation.building_id
    assert consultation.ballot.subject == consultation


def test_only_the_floor_leader_or_an_organizer_opens_a_consultation():
    building, residents = make_building_of_households(3)
    other_leader = make_floor_leader(make_building_of_households(2)[0])
    for person in (residents[0], other_leader):
        with pytest.raises(PermissionDenied):
            floor_services.consultation_open(building=building, by=person, title="x", matter="lift")


def test_one_voice_per_household_whoever_of_the_household_answers():
    consultation, leader, residents = make_consultation(n=2)
    household = residents[0].memberships.get().household
    spouse = make_user(name="Spouse")
    member_services.membership_ensure_verified(user=spouse, household=household, by=None)
    # The spouse became a resident after opening: the frozen electorate does not include them.
    with pytest.raises(ValidationError) as excinfo:
        floor_services.consultation_answer(consultation=consultation, by=spouse,
                                           option_id=yes_option(consultation.ballot))
    assert excinfo.value.code == "not_entitled"
    floor_services.consultation_answer(consultation=consultation, by=residents[0],
                                       option_id=yes_option(consultation.ballot), comment="同意分摊")
    floor_services.consultation_answer(consultation=consultation, by=residents[0],
                                       option_id=no_option(consultation.ballot), comment="改为反对")
    voices = Participation.objects.filter(ballot=consultation.ballot).values("voice").distinct().count()
    assert voices == 1
    assert HouseholdComment.objects.get(consultation=consultation, household=household).body == "改为反对"
    assert HouseholdComment.objects.count() == 1


def test_first_member_of_a_household_speaks_for_it():
    building, residents = make_building_of_households(2)
    household = residents[0].memberships.get().household
    spouse = make_user(name="Spouse")
    member_services.membership_ensure_verified(user=spouse, household=household, by=None)
    leader = make_floor_leader(building)
    consultation = floor_services.consultation_open(building=building, by=leader, title="楼道堆物清理",
                                                    matter="corridor")
    floor_services.consultation_answer(consultation=consultation, by=spouse, option_id=yes_option(consultation.ballot))
    with pytest.raises(ValidationError) as excinfo:
        floor_services.consultation_answer(consultation=consultation, by=residents[0],
                                           option_id=no_option(consultation.ballot))
    assert excinfo.value.code == "household_voted"


def test_a_resident_of_another_building_cannot_answer():
    consultation, leader, residents = make_consultation()
    _other_building, others = make_building_of_households(2, committee=consultation.committee)
    with pytest.raises(ValidationError) as excinfo:
        floor_services.consultation_answer(consultation=consultation, by=others[0],
                                           option_id=yes_option(consultation.ballot))
    assert excinfo.value.code == "not_entitled"


def test_assisted_opinion_is_recorded_by_the_floor_leader_with_consent():
    consultation, leader, residents = make_consultation()
    household = residents[2].memberships.get().household
    with pytest.raises(ValidationError) as excinfo:
        floor_services.consultation_assist(consultation=consultation, by=leader, household=household,
                                           option_id=yes_option(consultation.ballot), consent_note=" ")
    assert excinfo.value.code == "consent_required"
    with pytest.raises(PermissionDenied):
        floor_services.consultation_assist(consultation=consultation, by=residents[0], household=household,
                                           option_id=yes_option(consultation.ballot), consent_note="上门询问")
    participation = floor_services.consultation_assist(
        consultation=consultation, by=leader, household=household, option_id=yes_option(consultation.ballot),
        consent_note="6月3日上门询问，其子在场", comment="希望尽快维修")
    assert participation.channel == Channel.ASSISTED and participation.entered_by_id == leader.pk
    assert participation.user_id == residents[2].pk
    assert HouseholdComment.objects.get(household=household).author_id == leader.pk


def test_art278_consultation_ends_in_an_agreed_opinion_and_a_new_convention_version():
    areas = ["90.00", "75.50", "120.00", "60.25", "88.00"]
    consultation, leader, residents = make_consultation(
        n=5, areas=areas, rule=Ballot.Rule.ART278, matter="convention", proposed_convention="一、楼道不堆物。")
    yes, no = yes_option(consultation.ballot), no_option(consultation.ballot)
    for person, choice in zip(residents[:4], [yes, yes, yes, no], strict=True):
        floor_services.consultation_answer(consultation=consultation, by=person, option_id=choice)
    with pytest.raises(ValidationError) as excinfo:
        floor_services.consultation_agree(consultation=consultation, by=leader, opinion="同意")
    assert excinfo.value.code == "invalid_transition"
    floor_services.consultation_close(consultation=consultation, by=leader)
    consultation.refresh_from_db()
    assert consultation.ballot.status == Ballot.Status.PUBLISHED
    assert consultation.ballot.result["verdict"] == "passed"
    floor_services.consultation_agree(consultation=consultation, by=leader, opinion="按面积分摊维修费用")
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.AGREED
    version = ConventionVersion.objects.get(building=consultation.building)
    assert version.number == 1 and version.text == "一、楼道不堆物。"
    # An amendment: a second convention consultation makes version 2, version 1 is kept.
    amended = floor_services.consultation_open(building=consultation.building, by=leader, title="修订楼组公约",
                                               matter="convention",
                                               proposed_convention="一、楼道不堆物。二、按时分类投放。")
    for person in residents:
        floor_services.consultation_answer(consultation=amended, by=person, option_id=yes_option(amended.ballot))
    floor_services.consultation_close(consultation=amended, by=leader)
    floor_services.consultation_agree(consultation=amended, by=leader, opinion="修订通过")
    assert list(ConventionVersion.objects.filter(building=consultation.building)
                .values_list("number", flat=True)) == [2, 1]
    notified = Notification.objects.filter(kind=Notification.Kind.RESULT, user=residents[0]).count()
    assert notified == 2


def test_no_agreed_opinion_when_the_households_did_not_agree():
    consultation, leader, residents = make_consultation(n=4, rule=Ballot.Rule.ART278)
    floor_services.consultation_answer(consultation=consultation, by=residents[0],
                                       option_id=yes_option(consultation.ballot))
    floor_services.consultation_close(consultation=consultation, by=leader)
    with pytest.raises(ValidationError) as excinfo:
        floor_services.consultation_agree(consultation=consultation, by=leader, opinion="同意")
    assert excinfo.value.code == "not_passed"
    floor_services.consultation_cancel(consultation=consultation, by=leader, reason="参与户数不足")
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.CANCELLED


def test_a_convention_matter_needs_the_proposed_text_and_choices_are_checked():
    building, residents = make_building_of_households(2)
    leader = make_floor_leader(building)
    with pytest.raises(ValidationError) as excinfo:
        floor_services.consultation_open(building=building, by=leader, title="公约", matter="convention")
    assert excinfo.value.code == "convention_required"
    with pytest.raises(ValidationError) as excinfo:
        floor_services.consultation_open(building=building, by=leader, title="x", matter="lift", rule="bogus")
    assert excinfo.value.code == "invalid_choice"
    assert not Consultation.objects.exists()


def test_a_building_without_households_cannot_open_a_consultation_and_nothing_is_left():
    from tests.factories import make_building
    building = make_building(make_compound())
    leader = make_floor_leader(building)
    with pytest.raises(ValidationError) as excinfo:
        floor_services.consultation_open(building=building, by=leader, title="x", matter="lift")
    assert excinfo.value.code == "empty_electorate"
    assert not Consultation.objects.exists() and not Ballot.objects.exists()


# --- Secret consultations: the sealed ballot box ----------------------------------------------

def test_whoever_opens_a_secret_consultation_is_its_only_scrutineer_and_gets_a_card():
    consultation, leader, residents = make_consultation(secrecy=Ballot.Secrecy.SECRET)
    ballot = consultation.ballot
    assert ballot.is_sealed and ballot.box_threshold == 1
    assert list(ballot.scrutineers.values_list("user_id", flat=True)) == [leader.pk]
    assert consultation.new_card == card_code(ballot, leader)
    organizer = make_organizer(consultation.committee)
    by_organizer = floor_services.consultation_open(building=consultation.building, by=organizer, title="电梯维保",
                                                    matter="lift", secrecy=Ballot.Secrecy.SECRET)
    assert list(by_organizer.ballot.scrutineers.values_list("user_id", flat=True)) == [organizer.pk]
    assert by_organizer.new_card == card_code(by_organizer.ballot, organizer)
    named, _leader, _residents = make_consultation()
    assert named.new_card is None and not named.ballot.scrutineers.exists()


def test_a_secret_consultation_is_counted_only_after_its_scrutineer_opens_the_box():
    consultation, leader, residents = make_consultation(secrecy=Ballot.Secrecy.SECRET)
    card = consultation.new_card  # shown to the floor leader once, when it opened
    for person in residents[:3]:
        participation = floor_services.consultation_answer(consultation=consultation, by=person,
                                                           option_id=yes_option(consultation.ballot))
        assert participation.paper is not None
    floor_services.consultation_close(consultation=consultation, by=leader)
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.CLOSED
    assert consultation.ballot.status == Ballot.Status.CLOSED and consultation.ballot.result is None
    with pytest.raises(ValidationError) as excinfo:
        floor_services.consultation_agree(consultation=consultation, by=leader, opinion="同意")
    assert excinfo.value.code == "count_not_published"
    with pytest.raises(ValidationError) as excinfo:
        floor_services.consultation_count_publish(consultation=consultation, by=leader)
    assert excinfo.value.code == "box_not_opened"
    assert ballot_services.box_present(ballot=consultation.ballot, by=leader, code=card)
    with pytest.raises(PermissionDenied):
        floor_services.consultation_count_publish(consultation=consultation, by=residents[0])
    floor_services.consultation_count_publish(consultation=consultation, by=leader)
    consultation.refresh_from_db()
    assert consultation.ballot.status == Ballot.Status.PUBLISHED
    assert consultation.ballot.result["verdict"] == "passed"
    assert consultation.ballot.result["turnout"]["voices"] == 3
    with pytest.raises(ValidationError) as excinfo:
        floor_services.consultation_count_publish(consultation=consultation, by=leader)
    assert excinfo.value.code == "not_awaiting_count"
    floor_services.consultation_agree(consultation=consultation, by=leader, opinion="按面积分摊维修费用")
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.AGREED


def test_a_named_consultation_is_published_at_close_and_has_no_count_to_publish():
    consultation, leader, residents = make_consultation()
    with pytest.raises(ValidationError) as excinfo:
        floor_services.consultation_count_publish(consultation=consultation, by=leader)
    assert excinfo.value.code == "not_awaiting_count"
    floor_services.consultation_close(consultation=consultation, by=leader)
    consultation.refresh_from_db()
    assert consultation.ballot.status == Ballot.Status.PUBLISHED
    with pytest.raises(ValidationError) as excinfo:
        floor_services.consultation_count_publish(consultation=consultation, by=leader)
    assert excinfo.value.code == "not_awaiting_count"


def test_a_secret_consultation_whose_box_was_never_opened_can_still_be_cancelled():
    consultation, leader, residents = make_consultation(secrecy=Ballot.Secrecy.SECRET)
    floor_services.consultation_close(consultation=consultation, by=leader)
    floor_services.consultation_cancel(consultation=consultation, by=leader, reason="监票人未开箱")
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.CANCELLED
    assert consultation.ballot.status == Ballot.Status.CANCELLED


def test_a_floor_leader_living_outside_the_neighbourhood_cannot_be_the_scrutineer_of_a_secret_consultation():
    building, residents = make_building_of_households(2)
    leader = make_floor_leader(building)
    with pytest.raises(ValidationError) as excinfo:
        floor_services.consultation_open(building=building, by=leader, title="x", matter="lift",
                                         secrecy=Ballot.Secrecy.SECRET)
    assert excinfo.value.code == "scrutineer_outsider"
    assert not Consultation.objects.exists() and not Ballot.objects.exists()
