"""Coordination meetings on the service layer: moves, notice, confirmation, freezing, follow-up, privacy."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone, translation

from coordination import selectors, services
from coordination.models import (
    CoordinationAction,
    CoordinationDocument,
    CoordinationMeeting,
    CoordinationNotice,
    CoordinationParticipant,
)
from members.models import Notification
from tests.coordination.coordination_factories import make_meeting, make_neighbourhood, party_rows
from tests.factories import make_property_firm

pytestmark = pytest.mark.django_db
S = CoordinationMeeting.Status
NOW = timezone.make_aware(timezone.datetime(2026, 3, 2, 9, 0))


@pytest.fixture
def n():
    return make_neighbourhood()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_resident_requests_and_the_organizer_accepts_with_both_parties_added(n):
    meeting = services.coordination_request(committee=n.committee, by=n.resident, subject="漏水",
                                            request_text="请修", agency=n.firm)
    assert meeting.status == S.REQUESTED
    assert Notification.objects.filter(user=n.organizer, kind=Notification.Kind.ANNOUNCEMENT).count() == 1
    services.coordination_accept(meeting=meeting, by=n.organizer)
    meeting.refresh_from_db()
    assert meeting.status == S.SCHEDULING and meeting.decided_by == n.organizer
    kinds = sorted(meeting.participants.values_list("kind", flat=True))
    assert kinds == [CoordinationParticipant.Kind.PROPERTY_FIRM, CoordinationParticipant.Kind.RESIDENT]


def test_a_resident_of_another_committee_cannot_request_a_meeting(n):
    with pytest.raises(PermissionDenied):
        services.coordination_request(committee=n.committee, by=n.outsider, subject="x", request_text="y")


def test_declining_needs_a_reason_and_ends_the_request(n):
    meeting = services.coordination_request(committee=n.committee, by=n.resident, subject="噪音", request_text="z")
    with pytest.raises(ValidationError) as error:
        services.coordination_decline(meeting=meeting, by=n.organizer, reason=" ")
    assert error.value.code == "reason_required"
    services.coordination_decline(meeting=meeting, by=n.organizer, reason="属于物业合同纠纷，请先找物业")
    meeting.refresh_from_db()
    assert meeting.status == S.DECLINED
    with pytest.raises(ValidationError) as error:
        services.coordination_accept(meeting=meeting, by=n.organizer)
    assert error.value.code == "invalid_transition"
    assert Notification.objects.filter(user=n.resident, kind=Notification.Kind.RESULT).exists()


def test_only_the_committees_organizers_may_accept(n):
    meeting = services.coordination_request(committee=n.committee, by=n.resident, subject="x", request_text="y")
    with pytest.raises(PermissionDenied):
        services.coordination_accept(meeting=meeting, by=n.firm_contact)


@pytest.mark.parametrize(("days", "allowed"), [(6, False), (7, True)])
def test_notice_must_reach_parties_seven_days_ahead(n, days, allowed):
    with time_machine.travel(NOW, tick=False):
        meeting = make_meeting(n, "scheduling")
        services.coordination_schedule(meeting=meeting, by=n.organizer, scheduled_at=NOW + timedelta(days=days),
                                       place="居委会")
        if not allowed:
            with pytest.raises(ValidationError) as error:
                services.coordination_give_notice(meeting=meeting, by=n.organizer)
            assert error.value.code == "notice_too_late"
            assert not CoordinationNotice.objects.exists()
            return
        services.coordination_give_notice(meeting=meeting, by=n.organizer)
    notices = list(CoordinationNotice.objects.filter(meeting=meeting))
    assert len(notices) == 2 and {x.days_ahead for x in notices} == {7}
    assert {x.sent_at for x in notices} == {NOW}
    told = {note.user_id for note in Notification.objects.filter(kind=Notification.Kind.ANNOUNCEMENT,
                                                                 message="coordination_notice")
            if "楼道漏水" in note.params["s"]}
    assert {n.resident.pk, n.firm_contact.pk} <= told


def test_the_notice_period_is_set_per_committee(n):
    services.coordination_settings_set(committee=n.committee, by=n.organizer, notice_days=10)
    with time_machine.travel(NOW, tick=False):
        meeting = make_meeting(n, "scheduling")
        services.coordination_schedule(meeting=meeting, by=n.organizer, scheduled_at=NOW + timedelta(days=9),
                                       place="居委会")
        with pytest.raises(ValidationError) as error:
            services.coordination_give_notice(meeting=meeting, by=n.organizer)
    assert error.value.code == "notice_too_late"
    with pytest.raises(ValidationError):
        services.coordination_settings_set(committee=n.committee, by=n.organizer, notice_days=0)


def test_a_party_added_after_notice_is_noticed_if_there_is_still_time(n):
    with time_machine.travel(NOW, tick=False):
        meeting = make_meeting(n, "noticed")  # scheduled 10 days ahead
        row = services.participant_add(meeting=meeting, by=n.organizer, kind=CoordinationParticipant.Kind.RESIDENT,
                                       user=n.neighbour)
        assert row.notice.days_ahead == 10
    late_firm = make_property_firm(n.committee.street)
    with time_machine.travel(NOW + timedelta(days=4), tick=False), pytest.raises(ValidationError) as error:
        services.participant_add(meeting=meeting, by=n.organizer, kind=CoordinationParticipant.Kind.AGENCY,
                                 agency=late_firm)
    assert error.value.code == "notice_too_late"
    # Other participants (a legal adviser, the police officer) need no notice period.
    row = services.participant_add(meeting=meeting, by=n.organizer, kind=CoordinationParticipant.Kind.LEGAL_ADVISER,
                                   user=n.outsider)
    assert not row.is_party


def test_notice_needs_two_parties_and_a_time_and_place(n):
    meeting = services.coordination_open(committee=n.committee, by=n.organizer, subject="停车")
    with pytest.raises(ValidationError) as error:
        services.coordination_give_notice(meeting=meeting, by=n.organizer)
    assert error.value.code == "not_scheduled"
    services.coordination_schedule(meeting=meeting, by=n.organizer, scheduled_at=timezone.now() + timedelta(days=9),
                                   place="居委会")
    services.participant_add(meeting=meeting, by=n.organizer, kind="resident", user=n.resident)
    with pytest.raises(ValidationError) as error:
        services.coordination_give_notice(meeting=meeting, by=n.organizer)
    assert error.value.code == "too_few_parties"


def test_the_meeting_moves_to_follow_up_once_parties_confirm_the_agreement_and_all_the_record(n):
    meeting = make_meeting(n, "submitted")
    record = meeting.documents.get(kind="record")
    agreement = meeting.documents.get(kind="agreement")
    assert len(record.content_hash) == 64 and record.content["statements"][0]["text"] == "顶楼漏水三个月"
    assert [a["what"] for a in agreement.content["actions"]] == ["修复楼顶防水层", "清理楼道积水"]
    services.document_confirm(document=agreement, by=n.resident)
    with pytest.raises(ValidationError) as error:
        services.document_confirm(document=agreement, by=n.resident)
    assert error.value.code == "already_confirmed"
    with pytest.raises(PermissionDenied):
        services.document_confirm(document=agreement, by=n.neighbour)
    services.document_record_paper(document=agreement, by=n.organizer, participant=party_rows(meeting)[1])
    agreement.refresh_from_db()
    assert agreement.is_final
    meeting.refresh_from_db()
    assert meeting.status == S.CONCLUDING  # the record is not confirmed yet
    services.document_confirm(document=record, by=n.resident)
    services.document_confirm(document=record, by=n.firm_contact)
    meeting.refresh_from_db()
    assert meeting.status == S.FOLLOW_UP and meeting.follow_up_at is not None


def test_a_submitted_agreement_cannot_be_edited_and_a_correction_is_a_new_version_with_a_reason(n):
    meeting = make_meeting(n, "follow_up")
    agreement = meeting.documents.get(kind="agreement")
    original_hash = agreement.content_hash
    with pytest.raises(ValidationError) as error:
        services.document_edit(document=agreement, by=n.organizer, body="改了")
    assert error.value.code == "frozen"
    with pytest.raises(ValidationError) as error:
        services.action_add(meeting=meeting, by=n.organizer, description="x", due_date=timezone.localdate(),
                            owner_agency=n.firm)
    assert error.value.code == "frozen"
    with pytest.raises(ValidationError) as error:
        services.document_correct(document=agreement, by=n.organizer, reason="", body="物业负责维修")
    assert error.value.code == "reason_required"
    new = services.document_correct(document=agreement, by=n.organizer, reason="补充费用来源",
                                    body="物业负责维修，费用由维修基金列支")
    agreement.refresh_from_db()
    assert (new.version, new.correction_reason, new.is_draft) == (2, "补充费用来源", True)
    assert agreement.superseded_at is not None and agreement.content_hash == original_hash
    assert agreement.body == "物业负责维修"
    assert CoordinationDocument.history.filter(id=agreement.pk).count() >= 3  # created, submitted, superseded
    assert CoordinationDocument.history.filter(id=new.pk, correction_reason="补充费用来源").exists()
    with pytest.raises(ValidationError) as error:
        services.document_correct(document=agreement, by=n.organizer, reason="again", body="x")
    assert error.value.code == "not_correctable"


def test_the_frozen_record_takes_no_more_statements(n):
    meeting = make_meeting(n, "submitted")
    with pytest.raises(ValidationError) as error:
        services.statement_add(meeting=meeting, by=n.organizer, participant=party_rows(meeting)[0], text="补充")
    assert error.value.code == "frozen"


def test_progress_by_the_firm_contact_marks_its_action_done_and_tells_the_parties(n):
    meeting = make_meeting(n, "follow_up")
    firm_action, resident_action = meeting.actions.order_by("number")
    Notification.objects.all().delete()
    services.action_progress(action=firm_action, by=n.firm_contact, text="已完成防水", done=True)
    firm_action.refresh_from_db()
    assert firm_action.status == CoordinationAction.Status.DONE and firm_action.done_at
    told = set(Notification.objects.filter(kind=Notification.Kind.ACTION).values_list("user_id", flat=True))
    assert told == {n.resident.pk, n.organizer.pk}
    with pytest.raises(PermissionDenied):
        services.action_progress(action=resident_action, by=n.firm_contact, text="我来")
    with pytest.raises(PermissionDenied):
        services.action_progress(action=resident_action, by=n.neighbour, text="我来")
    services.action_progress(action=resident_action, by=n.resident, text="已清理一半")
    with pytest.raises(ValidationError) as error:
        services.action_progress(action=firm_action, by=n.organizer, text="again")
    assert error.value.code == "already_done"


def test_progress_attachments_are_checked_for_type_and_size(n, settings):
    meeting = make_meeting(n, "follow_up")
    action = meeting.actions.first()
    with pytest.raises(ValidationError) as error:
        services.action_progress(action=action, by=n.firm_contact, text="照片",
                                 attachment=SimpleUploadedFile("evil.exe", b"MZ....."))
    assert error.value.code == "file_type"
    settings.ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError) as error:
        services.action_progress(action=action, by=n.firm_contact, text="照片",
                                 attachment=SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100))
    assert error.value.code == "file_size"
    assert not action.progress.exists()


def test_a_meeting_with_open_actions_cannot_be_closed_but_can_be_escalated(n):
    meeting = make_meeting(n, "follow_up")
    with pytest.raises(ValidationError) as error:
        services.coordination_close(meeting=meeting, by=n.organizer)
    assert error.value.code == "actions_open"
    services.coordination_escalate(meeting=meeting, by=n.organizer, reason="物业拒绝承担费用")
    meeting.refresh_from_db()
    assert meeting.status == S.ESCALATED and meeting.escalated_by == n.organizer
    assert Notification.objects.filter(user=n.officer, kind=Notification.Kind.ANNOUNCEMENT).exists()
    assert not Notification.objects.filter(user=n.other_officer).exists()
    with pytest.raises(PermissionDenied):
        services.coordination_close(meeting=meeting, by=n.other_officer, note="x")
    services.coordination_close(meeting=meeting, by=n.officer, note="街道协调，维修基金列支")
    meeting.refresh_from_db()
    assert meeting.status == S.CLOSED


def test_illegal_moves_are_refused_with_the_state_named(n):
    meeting = make_meeting(n, "scheduling")
    for move in (services.coordination_start, services.coordination_accept):
        with pytest.raises(ValidationError) as error:
            move(meeting=meeting, by=n.organizer)
        assert error.value.code == "invalid_transition"
    with pytest.raises(ValidationError) as error:
        services.coordination_escalate(meeting=meeting, by=n.organizer, reason="x")
    assert error.value.code == "invalid_transition"


def test_only_parties_participants_organizers_and_after_escalation_street_officers_see_a_meeting(n):
    meeting = make_meeting(n, "follow_up")
    visible = {u.pk for u in (n.resident, n.firm_contact, n.organizer)}
    for user in (n.resident, n.firm_contact, n.organizer, n.neighbour, n.outsider, n.officer, n.other_officer):
        assert selectors.can_see(user, meeting) == (user.pk in visible)
        assert CoordinationMeeting.objects.filter(selectors.visible_to(user), pk=meeting.pk).exists() == (
            user.pk in visible)
    meeting = services.coordination_escalate(meeting=meeting, by=n.organizer, reason="难以调解")
    assert selectors.can_see(n.officer, meeting)
    assert not selectors.can_see(n.other_officer, meeting)
    assert list(selectors.street_escalations(n.committee.street)) == [meeting]


def test_due_date_reminders_go_once_however_often_the_job_runs(n):
    make_meeting(n, "follow_up", overdue=True)
    Notification.objects.all().delete()
    call_command("coordination_reminders", verbosity=0)
    first = Notification.objects.count()
    call_command("coordination_reminders", verbosity=0)
    assert first == Notification.objects.count() > 0
    told = set(Notification.objects.values_list("user_id", flat=True))
    assert told == {n.resident.pk, n.firm_contact.pk, n.organizer.pk}


def test_waiting_items_list_what_each_person_has_to_confirm_or_report_in_constant_queries(
        n, django_assert_max_num_queries):
    from coordination import waiting as waiting_coordination

    make_meeting(n, "submitted")
    with django_assert_max_num_queries(6), translation.override("en"):
        items = waiting_coordination.items_for(n.resident)
    assert sorted(i.action for i in items) == sorted(["Confirm the record", "Confirm the agreement",
                                                      "Your request was accepted: see the meeting"])
    assert len(waiting_coordination.items_for(n.firm_contact)) == 2
    assert waiting_coordination.items_for(n.neighbour) == []
    meeting = make_meeting(n, "follow_up", subject="第二件事")
    firm_items = [i for i in waiting_coordination.items_for(n.firm_contact) if i.kind == "action"]
    assert [i.title for i in firm_items] == ["第二件事 · 修复楼顶防水层"]
    assert firm_items[0].url == meeting.get_absolute_url()


def test_an_agency_given_an_action_sees_the_meeting_and_reports_on_its_action_only(n):
    from tests.coordination.coordination_factories import make_agency_contact

    housing = make_property_firm(n.committee.street, name="房管办")
    clerk = make_agency_contact(housing)
    meeting = make_meeting(n, "concluding")
    assert not selectors.can_see(clerk, meeting)
    action = services.action_add(meeting=meeting, by=n.organizer, description="核查维修资金",
                                 due_date=timezone.localdate() + timedelta(days=9), owner_agency=housing)
    assert selectors.can_see(clerk, meeting)
    assert list(selectors.my_meetings(clerk)) == [meeting]
    for document in meeting.documents.all():
        services.document_submit(document=document, by=n.organizer)
        for user in (n.resident, n.firm_contact):
            services.document_confirm(document=document, by=user)
    services.action_progress(action=action, by=clerk, text="已核查", done=True)
    with pytest.raises(PermissionDenied):
        services.action_progress(action=meeting.actions.get(number=1), by=clerk, text="不是我的")
