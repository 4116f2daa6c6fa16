"""Coordination pages: 404 for anyone outside the meeting, the flows through the pages, query counts."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from coordination import services
from coordination.models import CoordinationAction, CoordinationMeeting
from tests.coordination.coordination_factories import make_meeting, make_neighbourhood

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def n():
    return make_neighbourhood()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(client, user):
    client.force_login(user)
    return client


def meeting_pages(meeting: CoordinationMeeting) -> list[str]:
    """Every page of one meeting (GET)."""
    document = meeting.documents.first()
    action = meeting.actions.first()
    participant = meeting.participants.first()
    pages = [reverse("coordination:coordination_detail", args=[meeting.pk]),
             reverse("coordination:coordination_conclude", args=[meeting.pk]),
             reverse("coordination:coordination_participant_remove", args=[meeting.pk, participant.pk])]
    pages += [reverse("coordination:coordination_move", args=[meeting.pk, move])
              for move in ("accept", "decline", "notice", "start", "cancel", "escalate", "close")]
    pages += [reverse(f"coordination:coordination_document_{name}", args=[meeting.pk, document.pk])
              for name in ("edit", "submit", "confirm", "paper", "correct")]
    pages += [reverse(f"coordination:coordination_action_{name}", args=[meeting.pk, action.pk])
              for name in ("remove", "progress")]
    return pages


def test_every_page_of_a_meeting_is_404_for_a_non_party(client, n):
    meeting = make_meeting(n, "follow_up")
    progress = services.action_progress(action=meeting.actions.first(), by=n.firm_contact, text="照片",
                                        attachment=SimpleUploadedFile("roof.png", PNG))
    pages = meeting_pages(meeting) + [reverse("coordination:coordination_attachment", args=[meeting.pk, progress.pk])]
    for user in (n.neighbour, n.outsider, n.officer, n.other_officer):
        c = _client(client, user)
        for url in pages:
            assert c.get(url).status_code == 404, (user, url)
            assert c.post(url, {"reason": "x", "text": "x"}).status_code in (404, 405), (user, url)
    post_only = [reverse(f"coordination:coordination_{name}", args=[meeting.pk])
                 for name in ("schedule", "participant_add", "statement_add", "action_add")]
    for url in post_only:
        assert _client(client, n.resident).post(url, {}).status_code == 404
    assert client.get(reverse("coordination:coordination_escalations", args=[n.committee.street.pk])).status_code == 404


def test_the_street_officer_sees_a_meeting_once_it_is_escalated(client, n):
    meeting = make_meeting(n, "escalated")
    c = _client(client, n.officer)
    page = c.get(reverse("coordination:coordination_escalations", args=[n.committee.street.pk]))
    assert meeting.subject in page.content.decode()
    assert c.get(meeting.get_absolute_url()).status_code == 200
    assert c.get(reverse("coordination:coordination_document_edit", args=[meeting.pk, meeting.documents.first().pk]
                         )).status_code == 404
    assert _client(client, n.other_officer).get(meeting.get_absolute_url()).status_code == 404


def test_the_organizer_and_the_firm_contact_see_the_meeting_but_the_firm_contact_cannot_manage_it(client, n):
    meeting = make_meeting(n, "follow_up")
    assert _client(client, n.organizer).get(meeting.get_absolute_url()).status_code == 200
    c = _client(client, n.firm_contact)
    body = c.get(meeting.get_absolute_url()).content.decode()
    assert "修复楼顶防水层" in body
    assert c.get(reverse("coordination:coordination_move", args=[meeting.pk, "escalate"])).status_code == 404
    assert meeting.subject in c.get(reverse("coordination:coordination_mine")).content.decode()


def test_a_resident_requests_a_meeting_through_the_form(client, n):
    c = _client(client, n.resident)
    response = c.post(reverse("coordination:coordination_request"), {
        "committee": n.committee.pk, "subject": "电梯噪音", "agency": n.firm.pk, "request_text": "请物业检修"})
    meeting = CoordinationMeeting.objects.get(subject="电梯噪音")
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    assert meeting.requested_agency == n.firm and meeting.status == "requested"
    assert _client(client, n.outsider).post(reverse("coordination:coordination_request"), {
        "committee": n.committee.pk, "subject": "x", "request_text": "y"}).status_code == 200
    assert CoordinationMeeting.objects.count() == 1


def test_declining_without_a_reason_shows_the_form_again_and_changes_nothing(client, n):
    meeting = services.coordination_request(committee=n.committee, by=n.resident, subject="x", request_text="y")
    c = _client(client, n.organizer)
    url = reverse("coordination:coordination_move", args=[meeting.pk, "decline"])
    assert c.get(url).status_code == 200
    assert c.post(url, {"reason": ""}).status_code == 200
    meeting.refresh_from_db()
    assert meeting.status == "requested"
    assert c.post(url, {"reason": "不属于协调范围"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "declined"


def test_giving_notice_too_late_shows_the_reason(client, n):
    meeting = make_meeting(n, "scheduling")
    c = _client(client, n.organizer)
    when = timezone.localtime() + timedelta(days=3)
    c.post(reverse("coordination:coordination_schedule", args=[meeting.pk]),
           {"scheduled_at": when.strftime("%Y-%m-%dT%H:%M"), "place": "居委会"})
    response = c.post(reverse("coordination:coordination_move", args=[meeting.pk, "notice"]), follow=True)
    assert "at least 7 days" in response.content.decode() or "至少" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "scheduling"


def test_a_bad_upload_gets_a_clear_error_and_is_not_saved(client, n, settings):
    meeting = make_meeting(n, "follow_up")
    action = meeting.actions.get(number=1)
    url = reverse("coordination:coordination_action_progress", args=[meeting.pk, action.pk])
    c = _client(client, n.firm_contact)
    response = c.post(url, {"text": "见附件", "attachment": SimpleUploadedFile("notes.docx", b"PK\x03\x04")},
                      HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "is not allowed: upload a PDF, PNG or JPEG file" in response.content.decode()
    settings.ATTACHMENT_MAX_BYTES = 16
    response = c.post(url, {"text": "见附件", "attachment": SimpleUploadedFile("roof.png", PNG)},
                      HTTP_ACCEPT_LANGUAGE="en")
    assert "files may be at most" in response.content.decode()
    assert not action.progress.exists()


def test_an_attachment_is_served_to_the_parties_only(client, n):
    meeting = make_meeting(n, "follow_up")
    progress = services.action_progress(action=meeting.actions.first(), by=n.firm_contact, text="照片",
                                        attachment=SimpleUploadedFile("roof.png", PNG), done=True)
    url = reverse("coordination:coordination_attachment", args=[meeting.pk, progress.pk])
    response = _client(client, n.resident).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    assert _client(client, n.neighbour).get(url).status_code == 404


def _many_meetings(n, count: int) -> None:
    """``count`` meetings in follow-up with overdue actions, through the services."""
    for i in range(count):
        make_meeting(n, "follow_up", subject=f"纠纷第{i:02d}号", overdue=True)


@pytest.fixture
def fifty(n):
    _many_meetings(n, 50)
    return n


def test_the_dashboard_lists_fifty_meetings_and_their_overdue_actions_in_few_queries(
        client, fifty, django_assert_max_num_queries):
    c = _client(client, fifty.organizer)
    with django_assert_max_num_queries(15):
        response = c.get(reverse("coordination:coordination_dashboard", args=[fifty.committee.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and body.count("清理楼道积水") == 50


def test_my_list_and_the_street_escalations_list_take_few_queries(client, fifty, django_assert_max_num_queries):
    for meeting in CoordinationMeeting.objects.all():
        services.coordination_escalate(meeting=meeting, by=fifty.organizer, reason="难以调解")
    c = _client(client, fifty.resident)
    with django_assert_max_num_queries(10):
        response = c.get(reverse("coordination:coordination_mine"))
    assert response.content.decode().count("纠纷第") == 50
    c = _client(client, fifty.officer)
    with django_assert_max_num_queries(10):
        response = c.get(reverse("coordination:coordination_escalations", args=[fifty.committee.street.pk]))
    assert response.content.decode().count("纠纷第") == 50


def test_the_detail_page_of_a_meeting_with_fifty_actions_takes_few_queries(client, n, django_assert_max_num_queries):
    meeting = make_meeting(n, "concluding")
    rows = list(meeting.participants.filter(is_party=True))
    for i in range(48):
        services.action_add(meeting=meeting, by=n.organizer, description=f"任务 {i}",
                            due_date=timezone.localdate() + timedelta(days=3), owner_participant=rows[i % 2])
    for i in range(50):
        services.statement_add(meeting=meeting, by=n.organizer, participant=rows[i % 2], text=f"发言 {i}")
    for document in meeting.documents.all():
        services.document_submit(document=document, by=n.organizer)
        for user in (n.resident, n.firm_contact):
            services.document_confirm(document=document, by=user)
    for action in meeting.actions.all()[:50]:
        services.action_progress(action=action, by=n.organizer, text="进展")
    c = _client(client, n.organizer)
    with django_assert_max_num_queries(25):
        response = c.get(meeting.get_absolute_url())
    assert response.content.decode().count("任务 ") >= 50
    assert CoordinationAction.objects.filter(meeting=meeting).count() == 50


def test_the_organizer_adds_a_participant_by_phone_and_an_unknown_phone_changes_nothing(client, n):
    from tests.factories import make_user

    adviser = make_user(name="律师 韩", phone="+8613900008888")
    meeting = make_meeting(n, "scheduling")
    c = _client(client, n.organizer)
    url = reverse("coordination:coordination_participant_add", args=[meeting.pk])
    response = c.post(url, {"kind": "legal_adviser", "phone": "13900007777"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "No one with this phone number" in response.content.decode()
    assert meeting.participants.count() == 2
    assert c.post(url, {"kind": "legal_adviser", "phone": "13900008888"}).status_code == 302
    row = meeting.participants.get(user=adviser)
    assert (row.kind, row.is_party) == ("legal_adviser", False)
    response = c.post(url, {"kind": "legal_adviser", "phone": "13900008888"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "already takes part" in response.content.decode()


def test_a_correction_through_the_page_keeps_the_earlier_version_and_its_reason_visible(client, n):
    meeting = make_meeting(n, "follow_up")
    agreement = meeting.documents.get(kind="agreement")
    c = _client(client, n.organizer)
    url = reverse("coordination:coordination_document_correct", args=[meeting.pk, agreement.pk])
    assert c.get(url).status_code == 200
    assert c.post(url, {"body": "物业负责维修，费用由维修资金列支", "reason": ""}).status_code == 200
    assert meeting.documents.count() == 2
    response = c.post(url, {"body": "物业负责维修，费用由维修资金列支", "reason": "补充费用来源"}, follow=True)
    body = response.content.decode()
    assert "补充费用来源" in body and "物业负责维修，费用由维修资金列支" in body and agreement.content_hash in body
    edit = reverse("coordination:coordination_document_edit", args=[meeting.pk, agreement.pk])
    c.post(edit, {"body": "偷偷改掉"})
    agreement.refresh_from_db()
    assert agreement.body == "物业负责维修"


def test_a_submitted_document_edited_behind_the_apps_back_is_flagged_as_hearing_minutes_are(client, n):
    from coordination.models import CoordinationDocument

    meeting = make_meeting(n, "follow_up")
    record = meeting.documents.get(kind="record")
    assert record.hash_ok
    url = reverse("coordination:coordination_detail", args=[meeting.pk])
    c = _client(client, n.organizer)
    assert f'id="document-tampered-{record.pk}"' not in c.get(url).content.decode()
    # Direct database edits, as someone with database access could make them (skipping history on purpose):
    # the shown text, then the frozen content itself.
    CoordinationDocument.objects.filter(pk=record.pk).update(body="改过的记录")
    assert f'id="document-tampered-{record.pk}"' in c.get(url).content.decode()
    CoordinationDocument.objects.filter(pk=record.pk).update(body=record.body,
                                                             content={**record.content, "statements": []})
    assert f'id="document-tampered-{record.pk}"' in c.get(url).content.decode()
