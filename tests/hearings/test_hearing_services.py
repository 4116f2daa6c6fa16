"""Hearing services: transitions, notice periods (frozen time), permissions, minutes, objections."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from decisions import selectors as ballot_selectors
from decisions import services as ballot_services
from decisions.models import Ballot
from hearings import services
from hearings.models import Hearing, HearingMinutes, HearingOpinion, HearingRegistration
from members.models import Notification
from tests.factories import make_user
from tests.hearings.hearing_factories import advance, finalize_minutes, make_area, make_hearing, start_session

pytestmark = pytest.mark.django_db
NOW = "2026-03-02 09:00 +0800"


def _code(excinfo) -> str:
    return excinfo.value.code


# --- Lifecycle --------------------------------------------------------------------------------

def test_transitions_table_allows_only_the_documented_moves():
    S = Hearing.Status
    assert Hearing.TRANSITIONS[S.DRAFT] == {S.ANNOUNCED, S.CANCELLED}
    assert Hearing.TRANSITIONS[S.IN_SESSION] == {S.MINUTES}
    assert Hearing.TRANSITIONS[S.ARCHIVED] == set() and Hearing.TRANSITIONS[S.CANCELLED] == set()


def test_a_draft_cannot_start_its_session():
    area = make_area()
    hearing = make_hearing(area)
    with pytest.raises(ValidationError) as excinfo:
        services.hearing_session_start(hearing=hearing, by=area["organizer"])
    assert _code(excinfo) == "invalid_transition"


def test_an_organizer_of_another_committee_cannot_announce():
    area, other = make_area(), make_area()
    hearing = make_hearing(area)
    with pytest.raises(PermissionDenied):
        services.hearing_announce(hearing=hearing, by=other["organizer"])


def test_announcing_needs_a_chair():
    area = make_area()
    hearing = make_hearing(area, chair=False)
    with pytest.raises(ValidationError) as excinfo:
        services.hearing_announce(hearing=hearing, by=area["organizer"])
    assert _code(excinfo) == "no_chair"


def test_announcement_notifies_the_affected_residents_only():
    area = make_area()
    hearing = make_hearing(area)
    services.hearing_announce(hearing=hearing, by=area["organizer"])
    told = set(Notification.objects.filter(kind=Notification.Kind.ANNOUNCEMENT).values_list("user_id", flat=True))
    assert told == {r.pk for r in area["residents"]}


def test_cancelling_needs_a_reason_and_is_final():
    area = make_area()
    hearing = make_hearing(area)
    with pytest.raises(ValidationError) as excinfo:
        services.hearing_cancel(hearing=hearing, by=area["organizer"], reason=" ")
    assert _code(excinfo) == "reason_required"
    hearing = services.hearing_cancel(hearing=hearing, by=area["organizer"], reason="改期")
    with pytest.raises(ValidationError):
        services.hearing_announce(hearing=hearing, by=area["organizer"])


# --- Notice periods (frozen time) -------------------------------------------------------------

@time_machine.travel(NOW, tick=False)
def test_announcing_with_less_than_ten_days_notice_is_refused_without_a_reason():
    area = make_area()
    hearing = make_hearing(area, days_ahead=9)
    with pytest.raises(ValidationError) as excinfo:
        services.hearing_announce(hearing=hearing, by=area["organizer"])
    assert _code(excinfo) == "notice_too_short"
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.DRAFT


@time_machine.travel(NOW, tick=False)
def test_exactly_ten_days_notice_is_enough():
    area = make_area()
    hearing = make_hearing(area, days_ahead=10)
    hearing = services.hearing_announce(hearing=hearing, by=area["organizer"])
    assert hearing.status == Hearing.Status.ANNOUNCED and not hearing.announced_late
    assert hearing.notice_days_required == 10


@time_machine.travel(NOW, tick=False)
def test_a_late_announcement_records_its_reason_and_in_history():
    area = make_area()
    hearing = make_hearing(area, days_ahead=3)
    hearing = services.hearing_announce(hearing=hearing, by=area["organizer"], late_reason="施工队下周进场，需尽快听证")
    assert hearing.announced_late and hearing.late_reason == "施工队下周进场，需尽快听证"
    latest = hearing.history.first()
    assert latest.late_reason == hearing.late_reason and latest.history_user == area["organizer"]


@time_machine.travel(NOW, tick=False)
def test_the_committee_sets_its_own_notice_period():
    area = make_area()
    services.hearing_settings_save(committee=area["committee"], by=area["organizer"], notice_days=5,
                                   public_notice_days=3)
    hearing = services.hearing_announce(hearing=make_hearing(area, days_ahead=6), by=area["organizer"])
    assert not hearing.announced_late and hearing.notice_days_required == 5
    with pytest.raises(ValidationError) as excinfo:
        services.hearing_settings_save(committee=area["committee"], by=area["organizer"], notice_days=0,
                                       public_notice_days=7)
    assert _code(excinfo) == "invalid_days"


def test_public_notice_lasts_seven_days_and_archiving_waits_for_it():
    area = make_area()
    with time_machine.travel(NOW, tick=False):
        hearing = advance(make_hearing(area), area["organizer"], Hearing.Status.PUBLIC_NOTICE)
        assert hearing.notice_ends_at - hearing.notice_started_at == timedelta(days=7)
    with time_machine.travel(timezone.datetime.fromisoformat("2026-03-09T08:59+08:00"), tick=False):
        with pytest.raises(ValidationError) as excinfo:
            services.hearing_archive(hearing=hearing, by=area["organizer"])
        assert _code(excinfo) == "notice_running"
    with time_machine.travel(timezone.datetime.fromisoformat("2026-03-09T09:00+08:00"), tick=False):
        assert services.hearing_archive(hearing=hearing, by=area["organizer"]).status == Hearing.Status.ARCHIVED


# --- Residents of the affected area --------------------------------------------------------------

def test_a_resident_outside_the_affected_area_cannot_register_or_give_an_opinion():
    area = make_area()
    hearing = services.hearing_announce(hearing=make_hearing(area), by=area["organizer"])
    for outsider in (area["outsider"], make_user()):
        with pytest.raises(PermissionDenied):
            services.hearing_register(hearing=hearing, user=outsider, kind=HearingRegistration.Kind.SPEAKER)
        with pytest.raises(PermissionDenied):
            services.hearing_opinion_save(hearing=hearing, user=outsider, text="反对")
    assert not hearing.registrations.exists() and not hearing.opinions.exists()


def test_registration_is_once_and_observers_stay_within_the_quota():
    area = make_area(n=3)
    hearing = services.hearing_announce(hearing=make_hearing(area, observer_quota=1), by=area["organizer"])
    a, b, c = area["residents"]
    speaker = services.hearing_register(hearing=hearing, user=a, kind="speaker", topic="低层住户的采光")
    with pytest.raises(ValidationError) as excinfo:
        services.hearing_register(hearing=hearing, user=a, kind="observer")
    assert _code(excinfo) == "already_registered"
    first = services.hearing_register(hearing=hearing, user=b, kind="observer")
    second = services.hearing_register(hearing=hearing, user=c, kind="observer")
    services.hearing_registration_decide(registration=speaker, by=area["organizer"], confirm=True)
    services.hearing_registration_decide(registration=first, by=area["organizer"], confirm=True)
    with pytest.raises(ValidationError) as excinfo:
        services.hearing_registration_decide(registration=second, by=area["organizer"], confirm=True)
    assert _code(excinfo) == "quota_full"
    assert speaker.user.phone is None or speaker.contact == speaker.user.phone


def test_an_opinion_is_one_per_resident_editable_until_the_window_closes_with_history():
    area = make_area()
    hearing = services.hearing_announce(hearing=make_hearing(area), by=area["organizer"])
    resident = area["residents"][0]
    services.hearing_opinion_save(hearing=hearing, user=resident, text="同意")
    services.hearing_opinion_save(hearing=hearing, user=resident, text="同意，但要减少噪音", hide_name=True)
    opinion = HearingOpinion.objects.get(hearing=hearing, user=resident)
    assert opinion.text == "同意，但要减少噪音" and opinion.hide_name
    assert [h.text for h in opinion.history.order_by("history_date")] == ["同意", "同意，但要减少噪音"]
    with time_machine.travel(hearing.opinion_closes_at + timedelta(seconds=1), tick=False):
        with pytest.raises(ValidationError) as excinfo:
            services.hearing_opinion_save(hearing=hearing, user=resident, text="改主意了")
        assert _code(excinfo) == "window_closed"


def test_a_draft_hearing_takes_no_registrations():
    area = make_area()
    with pytest.raises(ValidationError) as excinfo:
        services.hearing_register(hearing=make_hearing(area), user=area["residents"][0], kind="speaker")
    assert _code(excinfo) == "registration_closed"


# --- Material ---------------------------------------------------------------------------------

def test_material_type_and_size_limits_give_a_clear_error(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_BYTES = 1000
    area = make_area()
    hearing = make_hearing(area)
    with pytest.raises(ValidationError) as excinfo:
        services.hearing_attachment_add(hearing=hearing, by=area["organizer"],
                                        upload=SimpleUploadedFile("plan.exe", b"MZ..."))
    assert _code(excinfo) == "file_type" and "plan.exe" in excinfo.value.messages[0]
    with pytest.raises(ValidationError) as excinfo:
        services.hearing_attachment_add(hearing=hearing, by=area["organizer"],
                                        upload=SimpleUploadedFile("plan.pdf", b"%PDF-" + b"x" * 2000))
    assert _code(excinfo) == "file_size"
    attachment = services.hearing_attachment_add(hearing=hearing, by=area["organizer"],
                                                 upload=SimpleUploadedFile("方案.pdf", b"%PDF-1.4 ok"))
    assert attachment.name == "方案.pdf" and "方案" not in attachment.file.name
    assert hearing.attachments.count() == 1


# --- Session and vote --------------------------------------------------------------------------

def test_statements_and_check_in_only_during_the_session():
    area = make_area()
    hearing = advance(make_hearing(area), area["organizer"], Hearing.Status.ANNOUNCED)
    with pytest.raises(ValidationError) as excinfo:
        services.hearing_statement_add(hearing=hearing, by=area["organizer"], text="发言", speaker_name="王")
    assert _code(excinfo) == "wrong_status"
    hearing = start_session(hearing, area["organizer"])
    resident = area["residents"][0]
    services.hearing_check_in(hearing=hearing, by=area["organizer"], role="speaker", user=resident)
    with pytest.raises(ValidationError) as excinfo:
        services.hearing_check_in(hearing=hearing, by=area["organizer"], role="speaker", user=resident)
    assert _code(excinfo) == "already_present"
    statement = services.hearing_statement_add(hearing=hearing, by=area["organizer"], text="支持加装", speaker=resident)
    assert statement.speaker_name == resident.display_name


def test_a_household_vote_under_article_278_runs_through_the_decision_core():
    area = make_area(n=3)
    hearing = advance(make_hearing(area), area["organizer"], Hearing.Status.IN_SESSION)
    ballot = services.hearing_vote_create(hearing=hearing, by=area["organizer"], question="是否同意加装电梯？",
                                          households=True, rule=Ballot.Rule.ART278)
    assert ballot.subject == hearing and ballot.building == area["building"]
    assert ballot.electorate == Ballot.Electorate.HOUSEHOLDS and ballot.rule == Ballot.Rule.ART278
    assert ballot.is_secret  # the default: sealed papers, opened by the scrutineers after the close
    opened = ballot_services.ballot_open(ballot=ballot, by=area["organizer"])
    card = opened.new_cards[area["organizer"].pk]  # no scrutineer named: the organizer alone, shown once
    question = ballot.questions.get()
    yes = question.options.get(meaning="yes")
    for resident in area["residents"]:
        ballot_services.vote_cast(ballot=ballot, voter=resident, choices={question.pk: [yes.pk]})
    ballot_services.ballot_close(ballot=ballot, by=area["organizer"])
    with pytest.raises(ValidationError) as excinfo:
        ballot_services.ballot_publish(ballot=ballot, by=area["organizer"])
    assert _code(excinfo) == "box_not_opened"
    assert ballot_services.box_present(ballot=ballot, by=area["organizer"], code=card)
    ballot = ballot_services.ballot_publish(ballot=ballot, by=area["organizer"])
    assert ballot.result["verdict"] == "passed"
    assert ballot_selectors.turnout(ballot).voices == 3


def test_a_panel_vote_cannot_use_article_278():
    area = make_area()
    hearing = advance(make_hearing(area), area["organizer"], Hearing.Status.IN_SESSION)
    with pytest.raises(ValidationError) as excinfo:
        services.hearing_vote_create(hearing=hearing, by=area["organizer"], question="？", households=False,
                                     rule=Ballot.Rule.ART278)
    assert _code(excinfo) == "art278_needs_households"
    ballot = services.hearing_vote_create(hearing=hearing, by=area["organizer"], question="是否同意？",
                                          households=False, rule=Ballot.Rule.SIMPLE_MAJORITY)
    assert set(ballot.named_voters.all()) == {area["organizer"]}


# --- Minutes ----------------------------------------------------------------------------------

def test_frozen_minutes_cannot_be_edited_and_a_correction_is_a_new_version_with_a_reason():
    area = make_area()
    organizer = area["organizer"]
    hearing = advance(make_hearing(area), organizer, Hearing.Status.IN_SESSION)
    resident = area["residents"][0]
    services.hearing_check_in(hearing=hearing, by=organizer, role="speaker", user=resident)
    hearing = services.hearing_session_end(hearing=hearing, by=organizer)
    minutes = services.hearing_minutes_save(hearing=hearing, by=organizer, record="记录", summary="纪要")
    services.hearing_minutes_circulate(minutes=minutes, by=organizer)
    with pytest.raises(ValidationError) as excinfo:
        services.hearing_minutes_save(hearing=hearing, by=organizer, record="偷改", summary="纪要")
    assert _code(excinfo) == "minutes_frozen"
    confirmation = services.hearing_minutes_confirm(minutes=minutes, user=resident)
    with pytest.raises(PermissionDenied):
        services.hearing_minutes_confirm(minutes=minutes, user=area["outsider"])
    final = services.hearing_minutes_finalize(minutes=minutes, by=organizer)
    assert final.status == HearingMinutes.Status.FINAL and confirmation.content_hash == final.content_hash
    assert len(final.content_hash) == 64
    with pytest.raises(ValidationError) as excinfo:
        services.hearing_minutes_save(hearing=hearing, by=organizer, record="偷改", summary="纪要")
    assert _code(excinfo) == "minutes_frozen"
    with pytest.raises(ValidationError) as excinfo:
        services.hearing_minutes_correct(hearing=hearing, by=organizer, reason="", record="更正", summary="纪要")
    assert _code(excinfo) == "reason_required"
    correction = services.hearing_minutes_correct(hearing=hearing, by=organizer, reason="发言人姓名有误",
                                                  record="更正后的记录", summary="纪要")
    assert correction.version == 2 and correction.correction_reason == "发言人姓名有误"
    final.refresh_from_db()
    assert final.record == "记录" and final.status == HearingMinutes.Status.FINAL
    # both versions and every step of them are in the history
    versions = {h.version for h in HearingMinutes.history.filter(hearing_id=hearing.pk)}
    assert versions == {1, 2}
    assert [h.status for h in final.history.order_by("history_date")] == ["draft", "circulated", "final"]


def test_publishing_needs_final_minutes_and_notifies_the_affected_residents():
    area = make_area()
    hearing = advance(make_hearing(area), area["organizer"], Hearing.Status.MINUTES)
    with pytest.raises(ValidationError) as excinfo:
        services.hearing_publish_outcome(hearing=hearing, by=area["organizer"], decision="同意", reasons="理由")
    assert _code(excinfo) == "minutes_not_final"
    finalize_minutes(hearing, area["organizer"])
    services.hearing_publish_outcome(hearing=hearing, by=area["organizer"], decision="同意", reasons="理由")
    told = set(Notification.objects.filter(kind=Notification.Kind.RESULT).values_list("user_id", flat=True))
    assert told == {r.pk for r in area["residents"]}


# --- Objections -------------------------------------------------------------------------------

def test_an_objection_is_answered_publicly_the_objector_is_told_and_archiving_waits_for_answers():
    area = make_area()
    organizer, resident = area["organizer"], area["residents"][0]
    with time_machine.travel(NOW, tick=False):
        hearing = advance(make_hearing(area), organizer, Hearing.Status.PUBLIC_NOTICE)
        with pytest.raises(PermissionDenied):
            services.hearing_objection_file(hearing=hearing, user=area["outsider"], text="反对")
        objection = services.hearing_objection_file(hearing=hearing, user=resident, text="一楼采光受影响")
    with time_machine.travel(timezone.datetime.fromisoformat("2026-03-10T09:00+08:00"), tick=False):
        with pytest.raises(ValidationError) as excinfo:
            services.hearing_objection_file(hearing=hearing, user=resident, text="太晚了")
        assert _code(excinfo) == "notice_closed"
        with pytest.raises(ValidationError) as excinfo:
            services.hearing_archive(hearing=hearing, by=organizer)
        assert _code(excinfo) == "unanswered_objections"
        services.hearing_objection_answer(objection=objection, by=organizer, answer="电梯井选址已避开一楼窗户")
        note = Notification.objects.get(kind=Notification.Kind.OBJECTION_ANSWERED)
        assert note.user == resident and note.url == hearing.get_absolute_url()
        with pytest.raises(ValidationError) as excinfo:
            services.hearing_objection_answer(objection=objection, by=organizer, answer="再答")
        assert _code(excinfo) == "already_answered"
        assert services.hearing_archive(hearing=hearing, by=organizer).status == Hearing.Status.ARCHIVED


# --- Follow-up rounds -------------------------------------------------------------------------

def test_a_follow_up_round_links_to_an_earlier_hearing_of_the_same_committee():
    area, other = make_area(), make_area()
    pilot = make_hearing(area, title="试点")
    follow = make_hearing(area, title="全面实施", previous=pilot)
    assert list(pilot.follow_ups.all()) == [follow]
    with pytest.raises(ValidationError) as excinfo:
        make_hearing(other, previous=pilot)
    assert _code(excinfo) == "foreign_previous"
