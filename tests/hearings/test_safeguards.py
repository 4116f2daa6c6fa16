"""Hearing safeguards and people without an account, on the service layer and on the pages.

A hearing session starts no earlier than its announced time (less the grace in settings) unless a
reason is given, which the public page shows. A lawyer without an account takes part, speaks and
confirms the minutes on paper. (The same rule for coordination meetings:
tests/coordination/test_coordination_safeguards.py.)
"""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from hearings import services
from hearings.models import Hearing, HearingMinutesConfirmation
from tests.hearings.hearing_factories import advance, make_area, make_hearing, start_session

pytestmark = pytest.mark.django_db


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
