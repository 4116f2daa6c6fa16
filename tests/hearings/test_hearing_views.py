"""Hearing pages: scoping (404), who sees what, the QR code, uploads, waiting items, query counts."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import zxingcpp
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw

from hearings import services
from hearings import waiting as waiting_hearing
from hearings.models import Hearing, HearingRegistration
from hearings.selectors import hearing_ballots
from tests.factories import make_household, make_resident, make_user
from tests.hearings.hearing_factories import advance, make_area, make_hearing, start_session

pytestmark = pytest.mark.django_db


def _decode_svg_qr(svg: bytes) -> str:
    """Draw the SVG's black squares (qrcode's SvgImage: <rect x=.. y=.. width=.. height=..> in mm) and decode."""
    root = ET.fromstring(svg)
    scale = 10  # pixels per mm
    size = int(float(root.get("width").removesuffix("mm")) * scale)
    image = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(image)
    for rect in root.iter():
        if rect.tag.endswith("rect"):
            x, y, w, h = (float(rect.get(k).removesuffix("mm")) * scale for k in ("x", "y", "width", "height"))
            draw.rectangle([x, y, x + w - 1, y + h - 1], fill=0)
    results = zxingcpp.read_barcodes(image)
    assert results, "no QR code found"
    return results[0].text


def test_the_printable_notice_carries_a_qr_code_of_the_hearing_absolute_url(client, settings):
    settings.SITE_URL = "https://sanhui.example.org"
    area = make_area()
    hearing = services.hearing_announce(hearing=make_hearing(area), by=area["organizer"])
    page = client.get(reverse("hearings:hearing_notice", args=[hearing.pk]))
    assert page.status_code == 200
    src = re.search(r'<img src="([^"]+)"[^>]*id="notice-qr"', page.content.decode()).group(1)
    svg = client.get(src)
    assert svg["Content-Type"] == "image/svg+xml"
    assert _decode_svg_qr(svg.content) == f"https://sanhui.example.org/hearings/{hearing.pk}/"


def test_a_draft_is_404_for_everyone_but_its_organizers(client):
    area, other = make_area(), make_area()
    hearing = make_hearing(area)
    for user in (area["residents"][0], other["organizer"]):
        client.force_login(user)
        for name in ("hearing_detail", "hearing_notice", "hearing_qr", "hearing_manage"):
            assert client.get(reverse(f"hearings:{name}", args=[hearing.pk])).status_code == 404
    client.force_login(area["organizer"])
    assert client.get(reverse("hearings:hearing_manage", args=[hearing.pk])).status_code == 200


def test_organizer_pages_are_404_for_another_committee(client):
    area, other = make_area(), make_area()
    hearing = services.hearing_announce(hearing=make_hearing(area), by=area["organizer"])
    client.force_login(other["organizer"])
    assert client.get(reverse("hearings:hearing_manage", args=[hearing.pk])).status_code == 404
    assert client.get(reverse("hearings:hearing_committee_list", args=[area["committee"].pk])).status_code == 404
    assert client.post(reverse("hearings:hearing_transition", args=[hearing.pk, "start"])).status_code == 404
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.ANNOUNCED


def test_an_announced_hearing_is_public_but_opinions_and_contacts_are_not(client):
    area = make_area()
    hearing = services.hearing_announce(hearing=make_hearing(area), by=area["organizer"])
    a, b = area["residents"][:2]
    services.hearing_opinion_save(hearing=hearing, user=a, text="公开的意见", hide_name=False)
    services.hearing_opinion_save(hearing=hearing, user=b, text="匿名的意见", hide_name=True)
    services.hearing_register(hearing=hearing, user=a, kind="speaker", contact="13912345678")
    url = reverse("hearings:hearing_detail", args=[hearing.pk])

    anonymous = client.get(url).content.decode()
    assert hearing.title in anonymous and "公开的意见" not in anonymous and a.display_name not in anonymous

    client.force_login(area["outsider"])
    outsider = client.get(url).content.decode()
    assert "公开的意见" not in outsider

    client.force_login(area["residents"][2])
    neighbour = client.get(url).content.decode()
    assert "公开的意见" in neighbour and a.display_name in neighbour
    assert "匿名的意见" in neighbour and b.display_name not in neighbour
    assert "13912345678" not in neighbour

    client.force_login(area["organizer"])
    desk = client.get(reverse("hearings:hearing_manage", args=[hearing.pk])).content.decode()
    assert b.display_name in desk and "13912345678" in desk


def test_a_late_announcement_reason_is_shown_on_the_public_page_and_notice(client):
    area = make_area()
    hearing = make_hearing(area, days_ahead=2)
    client.force_login(area["organizer"])
    url = reverse("hearings:hearing_transition", args=[hearing.pk, "announce"])
    refused = client.post(url, {"late_reason": ""})
    assert refused.status_code == 200 and "message-error" in refused.content.decode()
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.DRAFT
    assert client.post(url, {"late_reason": "暴雨后屋面渗漏，需尽快决定维修方案"}).status_code == 302
    client.logout()
    for name in ("hearing_detail", "hearing_notice"):
        assert "暴雨后屋面渗漏" in client.get(reverse(f"hearings:{name}", args=[hearing.pk])).content.decode()


def test_an_outsider_posting_a_registration_changes_nothing_and_gets_a_message(client):
    area = make_area()
    hearing = services.hearing_announce(hearing=make_hearing(area), by=area["organizer"])
    client.force_login(area["outsider"])
    response = client.post(reverse("hearings:hearing_register", args=[hearing.pk]), {"kind": "speaker"}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and not hearing.registrations.exists()
    assert "Only verified residents of the affected area" in response.content.decode()


def test_an_upload_of_the_wrong_type_or_size_gives_a_clear_error(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_BYTES = 100
    area = make_area()
    hearing = make_hearing(area)
    client.force_login(area["organizer"])
    url = reverse("hearings:hearing_attachment_add", args=[hearing.pk])
    wrong = client.post(url, {"file": SimpleUploadedFile("plan.docx", b"PK\x03\x04")}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 200 and "is not allowed: upload a PDF, PNG or JPEG file" in wrong.content.decode()
    big = client.post(url, {"file": SimpleUploadedFile("plan.pdf", b"%PDF-" + b"0" * 200)}, HTTP_ACCEPT_LANGUAGE="en")
    assert "files may be at most" in big.content.decode()
    assert not hearing.attachments.exists()
    ok = client.post(url, {"file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4"), "title": "方案"})
    assert ok.status_code == 302
    attachment = hearing.attachments.get()
    client.force_login(area["outsider"])
    # a draft's material is the organizers' only
    assert client.get(reverse("hearings:hearing_attachment", args=[hearing.pk, attachment.pk])).status_code == 404
    services.hearing_announce(hearing=hearing, by=area["organizer"])
    served = client.get(reverse("hearings:hearing_attachment", args=[hearing.pk, attachment.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"


def test_waiting_items_list_windows_minutes_and_answered_objections():
    area = make_area()
    organizer, resident = area["organizer"], area["residents"][0]
    hearing = services.hearing_announce(hearing=make_hearing(area), by=organizer)
    kinds = {item.kind for item in waiting_hearing.items_for(resident)}
    assert kinds == {"registration", "opinion"}
    assert waiting_hearing.items_for(area["outsider"]) == []
    services.hearing_register(hearing=hearing, user=resident, kind="speaker")
    services.hearing_opinion_save(hearing=hearing, user=resident, text="同意")
    assert waiting_hearing.items_for(resident) == []
    hearing = start_session(hearing, organizer)
    services.hearing_check_in(hearing=hearing, by=organizer, role="speaker", user=resident)
    hearing = services.hearing_session_end(hearing=hearing, by=organizer)
    minutes = services.hearing_minutes_save(hearing=hearing, by=organizer, record="记录", summary="纪要")
    services.hearing_minutes_circulate(minutes=minutes, by=organizer)
    assert [item.kind for item in waiting_hearing.items_for(resident)] == ["confirmation"]
    services.hearing_minutes_confirm(minutes=minutes, user=resident)
    services.hearing_minutes_finalize(minutes=minutes, by=organizer)
    hearing = services.hearing_publish_outcome(hearing=hearing, by=organizer, decision="同意", reasons="理由")
    objection = services.hearing_objection_file(hearing=hearing, user=resident, text="异议")
    assert waiting_hearing.items_for(resident) == []
    services.hearing_objection_answer(objection=objection, by=organizer, answer="答复")
    assert [item.kind for item in waiting_hearing.items_for(resident)] == ["objection"]


def test_waiting_items_use_a_constant_number_of_queries(django_assert_max_num_queries):
    area = make_area()
    resident = area["residents"][0]
    for i in range(12):
        services.hearing_announce(hearing=make_hearing(area, title=f"听证 {i}"), by=area["organizer"])
    with django_assert_max_num_queries(6):
        items = waiting_hearing.items_for(resident)
    assert len(items) == 24


# --- Query counts with at least 50 rows -----------------------------------------------------

@pytest.fixture
def busy_hearing():
    """An announced hearing with 50 registrations, 50 opinions and 50 panel members."""
    area = make_area(n=1)
    hearing = services.hearing_announce(hearing=make_hearing(area), by=area["organizer"])
    for i in range(50):
        person = make_resident(make_household(area["building"], door_number=f"9{i:02d}"))
        services.hearing_register(hearing=hearing, user=person, kind=HearingRegistration.Kind.SPEAKER, topic=f"t{i}")
        services.hearing_opinion_save(hearing=hearing, user=person, text=f"意见 {i}", hide_name=i % 2 == 0)
        services.hearing_panel_add(hearing=hearing, by=area["organizer"], role="resident_rep", user=person)
    return area, hearing


def test_the_detail_page_has_a_constant_number_of_queries(client, busy_hearing, django_assert_max_num_queries):
    area, hearing = busy_hearing
    client.force_login(area["residents"][0])
    with django_assert_max_num_queries(22):
        response = client.get(reverse("hearings:hearing_detail", args=[hearing.pk]))
    assert response.content.decode().count('class="quote"') == 50


def test_the_manage_page_has_a_constant_number_of_queries(client, busy_hearing, django_assert_max_num_queries):
    area, hearing = busy_hearing
    client.force_login(area["organizer"])
    with django_assert_max_num_queries(24):
        response = client.get(reverse("hearings:hearing_manage", args=[hearing.pk]))
    assert response.status_code == 200 and response.content.decode().count("t49") == 1


def test_the_lists_have_a_constant_number_of_queries(client, django_assert_max_num_queries):
    area = make_area()
    now = timezone.now()
    for i in range(50):
        hearing = services.hearing_create(committee=area["committee"], by=area["organizer"], title=f"听证 {i}",
                                          starts_at=now + timedelta(days=20), place="会议室", opinion_opens_at=now,
                                          opinion_closes_at=now + timedelta(days=19))
        services.hearing_panel_add(hearing=hearing, by=area["organizer"], role="chair", name="主任")
        services.hearing_announce(hearing=hearing, by=area["organizer"])
    client.force_login(area["organizer"])
    with django_assert_max_num_queries(9):
        organizer_list = client.get(reverse("hearings:hearing_committee_list", args=[area["committee"].pk]))
    assert organizer_list.content.decode().count("/manage/") == 50
    client.force_login(area["residents"][0])
    with django_assert_max_num_queries(9):
        resident_list = client.get(reverse("hearings:hearing_mine"))
    assert resident_list.content.decode().count('class="card"') == 50


def test_a_stranger_with_no_home_sees_no_hearings_in_their_list(client):
    area = make_area()
    services.hearing_announce(hearing=make_hearing(area), by=area["organizer"])
    client.force_login(make_user())
    assert "1号楼加装电梯" not in client.get(reverse("hearings:hearing_mine")).content.decode()


def test_objections_and_answers_are_public_but_the_objector_is_named_to_organizers_only(client):
    area = make_area()
    hearing = advance(make_hearing(area), area["organizer"], Hearing.Status.PUBLIC_NOTICE)
    objector = area["residents"][0]
    objection = services.hearing_objection_file(hearing=hearing, user=objector, text="施工时间应避开午休")
    services.hearing_objection_answer(objection=objection, by=area["organizer"], answer="午休不施工")
    url = reverse("hearings:hearing_detail", args=[hearing.pk])
    for viewer in (None, area["residents"][1], area["outsider"]):
        if viewer is None:
            client.logout()
        else:
            client.force_login(viewer)
        page = client.get(url).content.decode()
        assert "施工时间应避开午休" in page and "午休不施工" in page and objector.display_name not in page
    client.force_login(area["organizer"])
    assert objector.display_name in client.get(url).content.decode()


def test_final_minutes_edited_behind_the_apps_back_are_flagged_on_the_public_page(client):
    from hearings.models import HearingMinutes

    area = make_area()
    hearing = advance(make_hearing(area), area["organizer"], Hearing.Status.PUBLIC_NOTICE)
    url = reverse("hearings:hearing_detail", args=[hearing.pk])
    assert 'id="minutes-tampered"' not in client.get(url).content.decode()
    # A direct database edit, as someone with database access could make it (skips history on purpose).
    HearingMinutes.objects.filter(hearing=hearing).update(summary="改过的纪要")
    assert 'id="minutes-tampered"' in client.get(url).content.decode()


def test_the_notice_periods_page_saves_for_this_committee_only(client):
    from hearings.models import HearingSettings

    area, other = make_area(), make_area()
    url = reverse("hearings:hearing_settings", args=[area["committee"].pk])
    client.force_login(other["organizer"])
    assert client.post(url, {"notice_days": 3, "public_notice_days": 3}).status_code == 404
    client.force_login(area["organizer"])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"notice_days": 0, "public_notice_days": 7})
    assert bad.status_code == 200 and not HearingSettings.objects.exists()
    assert client.post(url, {"notice_days": 14, "public_notice_days": 5}).status_code == 302
    saved = HearingSettings.objects.get()
    assert (saved.committee, saved.notice_days, saved.public_notice_days) == (area["committee"], 14, 5)


# --- Votes: a secret vote's scrutineers and its ballot box ------------------------------------

def test_a_secret_vote_is_drafted_with_a_word_on_scrutineers_and_its_box_is_linked_once_closed(client, settings):
    from decisions import services as ballot_services
    from tests.decisions.factories import card_code

    area = make_area(n=2)
    organizer = area["organizer"]
    hearing = advance(make_hearing(area), organizer, Hearing.Status.IN_SESSION)
    client.force_login(organizer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("hearings:hearing_vote", args=[hearing.pk]), {
        "question": "是否同意加装电梯？", "electorate": "households", "rule": "art278", "secrecy": "secret"},
        follow=True)
    assert "name its scrutineers" in response.content.decode()
    ballot = hearing_ballots(hearing)[0]
    manage = reverse("hearings:hearing_manage", args=[hearing.pk])
    assert "Secret: name its scrutineers" in client.get(manage).content.decode()
    ballot_services.ballot_open(ballot=ballot, by=organizer)
    ballot_services.ballot_close(ballot=ballot, by=organizer)
    box_url = reverse("decisions:ballot_box", args=[ballot.pk])
    page = client.get(manage).content.decode()
    assert 'data-testid="box-to-open"' in page and box_url in page
    ballot_services.box_present(ballot=ballot, by=organizer, code=card_code(ballot, organizer))
    assert 'data-testid="box-to-open"' not in client.get(manage).content.decode()
