"""Meeting safeguards and people without an account, on the service layer and on the pages.

A hearing session or a coordination meeting starts no earlier than its announced time (less the grace in
settings) and a coordination meeting concludes no earlier than the day in its notice, unless a reason is
given, which the public page shows. A mediator or a lawyer without an account takes part, speaks and
confirms on paper.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from coordination import services as coordination_services
from coordination.models import CoordinationConfirmation, CoordinationDocument, CoordinationMeeting
from hearings import services
from hearings.models import Hearing, HearingMinutesConfirmation
from tests.coordination.coordination_factories import make_meeting, make_neighbourhood
from tests.hearings.hearing_factories import advance, make_area, make_hearing, start_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def n():
    return make_neighbourhood()


@pytest.fixture
def announced():
    area = make_area()
    return area, advance(make_hearing(area), area["organizer"], Hearing.Status.ANNOUNCED)


# --- Hearings: the session opens at its announced time ----------------------------------------------

def test_a_hearing_session_cannot_open_hours_early_without_a_reason(announced):
    area, hearing = announced
    with time_machine.travel(hearing.starts_at - timedelta(hours=3), tick=False), \
            pytest.raises(ValidationError) as error:
        services.hearing_session_start(hearing=hearing, by=area["organizer"], reason="  ")
    assert error.value.code == "early_start_reason_required"
    hearing.refresh_from_db()
    assert (hearing.status, hearing.session_started_at, hearing.early_start_reason) == (
        Hearing.Status.ANNOUNCED, None, "")


def test_a_hearing_session_opens_early_with_a_reason_kept(announced):
    area, hearing = announced
    with time_machine.travel(hearing.starts_at - timedelta(hours=3), tick=False):
        hearing = services.hearing_session_start(hearing=hearing, by=area["organizer"], reason="代表均已到场")
    hearing.refresh_from_db()
    assert (hearing.status, hearing.early_start_reason) == (Hearing.Status.IN_SESSION, "代表均已到场")
    assert hearing.history.first().early_start_reason == "代表均已到场"


def test_a_hearing_session_opens_within_the_grace_without_a_reason(announced, settings):
    area, hearing = announced
    settings.MEETING_START_GRACE = timedelta(minutes=15)
    with time_machine.travel(hearing.starts_at - timedelta(minutes=14), tick=False):
        hearing = services.hearing_session_start(hearing=hearing, by=area["organizer"], reason="不需要的理由")
    hearing.refresh_from_db()
    # On time: nothing to explain, so no reason is kept or shown.
    assert (hearing.status, hearing.early_start_reason) == (Hearing.Status.IN_SESSION, "")


def test_the_start_page_refuses_an_early_start_without_a_reason_and_shows_one_given(announced, client):
    area, hearing = announced
    client.force_login(area["organizer"])
    url = reverse("hearings:hearing_transition", args=[hearing.pk, "start"])
    with time_machine.travel(hearing.starts_at - timedelta(hours=3), tick=False):
        page = client.get(url)
        assert page.status_code == 200 and 'name="reason"' in page.content.decode()
        refused = client.post(url, {"reason": ""})
        assert refused.status_code == 200
        hearing.refresh_from_db()
        assert hearing.status == Hearing.Status.ANNOUNCED
        assert client.post(url, {"reason": "街道领导另有安排，提前开始"}).status_code == 302
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.IN_SESSION
    client.force_login(area["residents"][0])
    public = client.get(reverse("hearings:hearing_detail", args=[hearing.pk])).content.decode()
    assert 'id="early-start"' in public and "街道领导另有安排，提前开始" in public


# --- Coordination meetings: start at the noticed time, conclude on the noticed day -------------------

def test_a_coordination_meeting_cannot_start_early_without_a_reason(n):
    meeting = make_meeting(n, "noticed")
    with time_machine.travel(meeting.scheduled_at - timedelta(hours=3), tick=False):
        with pytest.raises(ValidationError) as error:
            coordination_services.coordination_start(meeting=meeting, by=n.organizer)
        assert error.value.code == "early_start_reason_required"
        meeting.refresh_from_db()
        assert meeting.status == CoordinationMeeting.Status.NOTICED
        coordination_services.coordination_start(meeting=meeting, by=n.organizer, reason="双方提前到达")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.early_start_reason) == (CoordinationMeeting.Status.IN_SESSION, "双方提前到达")


def _conclude(meeting, by, **extra):
    return coordination_services.coordination_conclude(
        meeting=meeting, by=by, points_in_dispute="费用", record_text="记录", agreement_reached=False, **extra)


def test_a_coordination_meeting_noticed_for_a_later_day_cannot_conclude_before_it_without_a_reason(n):
    meeting = make_meeting(n, "noticed")
    # Started early (with a reason) a week before the noticed day, then concluded the same day.
    with time_machine.travel(meeting.scheduled_at - timedelta(days=8), tick=False):
        coordination_services.coordination_start(meeting=meeting, by=n.organizer, reason="物业要求提前")
        with pytest.raises(ValidationError) as error:
            _conclude(meeting, n.organizer)
        assert error.value.code == "early_conclusion_reason_required"
        meeting.refresh_from_db()
        assert (meeting.status, meeting.documents.count()) == (CoordinationMeeting.Status.IN_SESSION, 0)
        _conclude(meeting, n.organizer, early_reason="双方当场达成一致，无需再等")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.early_conclusion_reason) == (
        CoordinationMeeting.Status.CONCLUDING, "双方当场达成一致，无需再等")


def test_a_coordination_meeting_concludes_on_its_noticed_day_without_a_reason(n):
    meeting = make_meeting(n, "concluding")
    assert (meeting.early_start_reason, meeting.early_conclusion_reason) == ("", "")


def test_the_coordination_pages_ask_for_and_show_the_early_reasons(n, client):
    meeting = make_meeting(n, "noticed")
    client.force_login(n.organizer)
    start = reverse("coordination:coordination_move", args=[meeting.pk, "start"])
    conclude = reverse("coordination:coordination_conclude", args=[meeting.pk])
    with time_machine.travel(meeting.scheduled_at - timedelta(days=2), tick=False):
        client.post(start, {"reason": ""})
        meeting.refresh_from_db()
        assert meeting.status == CoordinationMeeting.Status.NOTICED
        client.post(start, {"reason": "调解员只有今天有空"})
        form = {"points_in_dispute": "费用", "record_text": "记录", "agreement_reached": "no"}
        assert client.post(conclude, form).status_code == 200
        meeting.refresh_from_db()
        assert meeting.status == CoordinationMeeting.Status.IN_SESSION
        assert client.post(conclude, {**form, "early_reason": "已当场解决"}).status_code == 302
    client.force_login(n.resident)  # a party reads the meeting's page
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "调解员只有今天有空" in page and "已当场解决" in page


# --- People without an account ----------------------------------------------------------------------

def test_a_mediator_without_an_account_is_a_participant_who_speaks_and_confirms_on_paper(n):
    meeting = make_meeting(n, "scheduling")
    mediator = coordination_services.participant_add(
        meeting=meeting, by=n.organizer, kind="mediator", name="李调解", organisation="街道人民调解委员会",
        phone="13800000009")
    assert (mediator.user_id, mediator.name, mediator.is_party, mediator.has_account) == (
        None, "李调解（街道人民调解委员会）", False, False)
    meeting = make_meeting_ready(n, meeting)
    with time_machine.travel(meeting.scheduled_at, tick=False):
        coordination_services.coordination_start(meeting=meeting, by=n.organizer)
        statement = coordination_services.statement_add(meeting=meeting, by=n.organizer, participant=mediator,
                                                        text="建议双方各退一步")
        _conclude(meeting, n.organizer)
    assert statement.participant.name == "李调解（街道人民调解委员会）"
    record = meeting.documents.get(kind=CoordinationDocument.Kind.RECORD)
    coordination_services.document_submit(document=record, by=n.organizer)
    record.refresh_from_db()
    assert record.content["participants"] == ["李调解（街道人民调解委员会）"]
    assert {"who": "李调解（街道人民调解委员会）", "text": "建议双方各退一步"} in record.content["statements"]
    confirmation = coordination_services.document_record_paper(document=record, by=n.organizer,
                                                               participant=mediator)
    assert (confirmation.on_paper, confirmation.user_id, confirmation.recorded_by) == (True, None, n.organizer)
    assert CoordinationConfirmation.objects.filter(document=record, participant=mediator).count() == 1


def make_meeting_ready(n, meeting):
    """Schedule and notice a meeting prepared in ``make_meeting(n, "scheduling")``."""
    coordination_services.coordination_schedule(meeting=meeting, by=n.organizer,
                                                scheduled_at=meeting.created_at + timedelta(days=10), place="会议室")
    coordination_services.coordination_give_notice(meeting=meeting, by=n.organizer)
    meeting.refresh_from_db()
    return meeting


def test_a_person_without_an_account_needs_at_least_a_name(n):
    meeting = make_meeting(n, "scheduling")
    with pytest.raises(ValidationError) as error:
        coordination_services.participant_add(meeting=meeting, by=n.organizer, kind="police", name="  ")
    assert error.value.code == "person_required"
    assert meeting.participants.filter(kind="police").count() == 0


def test_the_participant_form_adds_a_police_officer_without_an_account_and_hides_the_phone(n, client):
    meeting = make_meeting(n, "scheduling")
    client.force_login(n.organizer)
    response = client.post(reverse("coordination:coordination_participant_add", args=[meeting.pk]), {
        "kind": "police", "name": "张警官", "organisation": "大宁路派出所", "contact_phone": "13800000010"})
    assert response.status_code == 302
    row = meeting.participants.get(kind="police")
    assert (row.user_id, row.label, row.organisation, row.phone) == (None, "张警官", "大宁路派出所", "13800000010")
    organizer_page = client.get(meeting.get_absolute_url()).content.decode()
    assert "张警官（大宁路派出所）" in organizer_page and "13800000010" in organizer_page
    client.force_login(n.resident)
    party_page = client.get(meeting.get_absolute_url()).content.decode()
    assert "张警官（大宁路派出所）" in party_page and "13800000010" not in party_page


def test_a_lawyer_without_an_account_speaks_at_a_hearing_and_signs_the_minutes_on_paper(announced):
    area, hearing = announced
    organizer = area["organizer"]
    hearing = start_session(hearing, organizer)
    lawyer = services.hearing_check_in(hearing=hearing, by=organizer, role="speaker", name="王律师",
                                       organisation="上海某律师事务所", phone="13800000011")
    statement = services.hearing_statement_add(hearing=hearing, by=organizer, text="加装电梯符合民法典规定",
                                               attendee=lawyer)
    assert (statement.speaker_id, statement.speaker_name, statement.attendee) == (
        None, "王律师（上海某律师事务所）", lawyer)
    hearing = services.hearing_session_end(hearing=hearing, by=organizer)
    minutes = services.hearing_minutes_save(hearing=hearing, by=organizer, record="王律师发言", summary="纪要")
    with pytest.raises(ValidationError) as error:  # not before the minutes are sent for confirmation
        services.hearing_minutes_record_paper(minutes=minutes, by=organizer, attendee=lawyer)
    assert error.value.code == "not_circulated"
    minutes = services.hearing_minutes_circulate(minutes=minutes, by=organizer)
    confirmation = services.hearing_minutes_record_paper(minutes=minutes, by=organizer, attendee=lawyer)
    assert (confirmation.on_paper, confirmation.user_id, confirmation.content_hash) == (
        True, None, minutes.content_hash)
    assert confirmation.signer_name == "王律师（上海某律师事务所）"
    with pytest.raises(ValidationError) as error:
        services.hearing_minutes_record_paper(minutes=minutes, by=organizer, attendee=lawyer)
    assert error.value.code == "already_confirmed"
    assert HearingMinutesConfirmation.objects.filter(minutes=minutes).count() == 1


def test_someone_with_an_account_confirms_online_not_on_paper(announced):
    area, hearing = announced
    organizer, resident = area["organizer"], area["residents"][0]
    hearing = start_session(hearing, organizer)
    attendee = services.hearing_check_in(hearing=hearing, by=organizer, role="speaker", user=resident)
    hearing = services.hearing_session_end(hearing=hearing, by=organizer)
    minutes = services.hearing_minutes_circulate(
        minutes=services.hearing_minutes_save(hearing=hearing, by=organizer, record="记录", summary="纪要"),
        by=organizer)
    with pytest.raises(ValidationError) as error:
        services.hearing_minutes_record_paper(minutes=minutes, by=organizer, attendee=attendee)
    assert error.value.code == "has_account"


def test_the_hearing_desk_checks_in_a_guest_records_their_statement_and_paper_signature(announced, client):
    area, hearing = announced
    organizer = area["organizer"]
    hearing = start_session(hearing, organizer)
    client.force_login(organizer)
    assert client.post(reverse("hearings:hearing_check_in", args=[hearing.pk]), {
        "name": "赵经理", "organisation": "某物业公司", "phone": "13800000012", "role": "speaker"}).status_code == 302
    guest = hearing.attendance.get(name="赵经理")
    assert client.post(reverse("hearings:hearing_statement_add", args=[hearing.pk]), {
        "guest": str(guest.pk), "kind": "statement", "text": "物业同意配合施工"}).status_code == 302
    assert hearing.statements.get().speaker_name == "赵经理（某物业公司）"
    hearing = services.hearing_session_end(hearing=hearing, by=organizer)
    minutes = services.hearing_minutes_circulate(
        minutes=services.hearing_minutes_save(hearing=hearing, by=organizer, record="记录", summary="纪要"),
        by=organizer)
    manage = client.get(reverse("hearings:hearing_manage", args=[hearing.pk])).content.decode()
    assert "13800000012" in manage and reverse("hearings:hearing_minutes_paper", args=[hearing.pk, minutes.pk]) \
        in manage
    assert client.post(reverse("hearings:hearing_minutes_paper", args=[hearing.pk, minutes.pk]),
                       {"attendee": str(guest.pk)}).status_code == 302
    assert minutes.confirmations.get().attendee == guest
    # A bad choice changes nothing and says why.
    response = client.post(reverse("hearings:hearing_minutes_paper", args=[hearing.pk, minutes.pk]),
                           {"attendee": "999999"}, follow=True)
    assert response.status_code == 200 and minutes.confirmations.count() == 1


def test_a_hearing_vote_lowers_its_quorum_only_with_a_reason(announced, client):
    area, hearing = announced
    client.force_login(area["organizer"])
    url = reverse("hearings:hearing_vote", args=[hearing.pk])
    form = {"question": "是否同意加装电梯", "electorate": "households", "rule": "simple_majority",
            "secrecy": "named", "quorum_percent": "30"}
    assert client.post(url, form).status_code == 200
    assert not hearing_ballots(hearing)
    assert client.post(url, {**form, "quorum_reason": "涉及住户少，多数已书面表态"}).status_code == 302
    [ballot] = hearing_ballots(hearing)
    assert (ballot.quorum, ballot.quorum_reason) == (Decimal("0.3000"), "涉及住户少，多数已书面表态")


def hearing_ballots(hearing):
    from hearings import selectors

    return list(selectors.hearing_ballots(hearing))
