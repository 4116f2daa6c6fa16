"""Coordination meeting safeguards and people without an account, on the service layer and on the pages.

A coordination meeting starts no earlier than its noticed time (less the grace in settings) and
concludes no earlier than the day in its notice, unless a reason is given, which the meeting's page
shows. A mediator or a police officer without an account takes part, speaks and confirms on paper.
(The same rule for hearing sessions: tests/hearings/test_safeguards.py.)
"""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from coordination import services as coordination_services
from coordination.models import CoordinationConfirmation, CoordinationDocument, CoordinationMeeting
from tests.coordination.coordination_factories import make_meeting, make_neighbourhood

pytestmark = pytest.mark.django_db


@pytest.fixture
def n():
    return make_neighbourhood()


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
