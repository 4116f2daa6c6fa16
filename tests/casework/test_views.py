"""Casework pages: scoping, bad input, and what the handler can never see (the privacy walk)."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from casework import services
from casework.models import Case, Category
from tests.casework.helpers import answered, filed, png, routed

pytestmark = pytest.mark.django_db

SECRETS = ("陈静秘密", "+8613800138123", "13800138123", "王秘密阿姨", "13900001234")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming
                                        else response.content))
        return "\n".join(str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row
                         if cell.value is not None)
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _unnamed_cases(world) -> list[Case]:
    """Two requests whose requesters asked not to be named, at every stage the handler sees."""
    own = answered(world, photo=png())
    services.case_rate(case=own, by=world.resident, rating=Case.Rating.DISSATISFIED, comment="还是漏")
    by_phone = services.case_file(by=world.organizer, committee=world.committee, compound=world.compound,
                                  building=world.building, category=Category.NOISE, description="夜里噪音",
                                  requester_name="王秘密阿姨", requester_phone="13900001234")
    services.case_route(case=by_phone, by=world.organizer, handler=world.firm)
    waiting = routed(world)
    return [own, by_phone, waiting]


def test_the_handler_never_sees_an_unnamed_requester_on_any_page_or_export(world):
    cases = _unnamed_cases(world)
    client = client_for(world.firm_contact)
    c, s = world.committee.pk, world.street.pk
    photo = cases[0].photos.first()
    urls = {"case_mine": [reverse("casework:case_mine")], "agency_cases": [reverse("casework:agency_cases")],
            "agency_export": [reverse("casework:agency_export")],
            "case_detail": [reverse("casework:case_detail", args=[x.pk]) for x in cases],
            "case_slip": [reverse("casework:case_slip", args=[x.pk]) for x in cases],
            "case_photo": [reverse("casework:case_photo", args=[cases[0].pk, photo.pk])],
            "case_write": [], "case_file": [reverse("casework:case_file", args=[c])],
            "case_move": [reverse("casework:case_move", args=[x.pk, move]) for x in cases
                          for move in ("route", "accept", "return", "rate", "escalate", "close")],
            "committee_cases": [reverse("casework:committee_cases", args=[c])],
            "committee_heat": [reverse("casework:committee_heat", args=[c])],
            "committee_export": [reverse("casework:committee_export", args=[c])],
            "street_cases": [reverse("casework:street_cases", args=[s])]}
    # Every casework page is walked: a new URL must be added here.
    from casework.urls import urlpatterns

    assert set(urls) == {p.name for p in urlpatterns}
    seen = 0
    for url in [u for group in urls.values() for u in group] + [reverse("home"),
                                                                reverse("members:notification_list")]:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        if response.status_code == 200:
            seen += 1
            text = _text(response)
            assert not [secret for secret in SECRETS if secret in text], url
    for case in cases:  # the answer form and the progress form post back to the request's page
        response = client.post(reverse("casework:case_write", args=[case.pk, "progress"]), {"progress-text": ""})
        assert response.status_code in (200, 404)
        assert not [secret for secret in SECRETS if secret in _text(response)]
    assert seen >= 10  # the handler really reached its pages


def test_the_phone_is_shown_to_the_committee_only(world):
    case = routed(world, named=True)
    url = reverse("casework:case_detail", args=[case.pk])
    assert "+8613800138123" in _text(client_for(world.organizer).get(url))
    for user in (world.officer, world.firm_contact, world.floor_leader, world.resident):
        text = _text(client_for(user).get(url))
        assert "+8613800138123" not in text and "13800138123" not in text
    assert "陈静秘密" in _text(client_for(world.firm_contact).get(url))  # named: the handler may see the name


def test_another_committees_organizer_and_another_agency_get_404(world):
    case = routed(world)
    for user in (world.other_organizer, world.police_contact, world.neighbour):
        assert client_for(user).get(reverse("casework:case_detail", args=[case.pk])).status_code == 404
    other = client_for(world.other_organizer)
    assert other.get(reverse("casework:committee_cases", args=[world.committee.pk])).status_code == 404
    assert other.get(reverse("casework:committee_export", args=[world.committee.pk])).status_code == 404
    assert client_for(world.resident).get(reverse("casework:agency_cases")).status_code == 404


def test_a_form_without_a_description_says_so_and_saves_nothing(world):
    response = client_for(world.resident).post(reverse("casework:case_file", args=[world.committee.pk]), {
        "compound": world.compound.pk, "building": world.building.pk, "category": Category.LIFT, "description": ""})
    assert response.status_code == 200 and not Case.objects.exists()
    assert "form" in response.context and response.context["form"].errors["description"]


def test_a_fake_photo_is_refused_with_a_message_and_nothing_saved(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(world.resident).post(reverse("casework:case_file", args=[world.committee.pk]), {
        "compound": world.compound.pk, "category": Category.LIFT, "description": "电梯坏了",
        "photo": SimpleUploadedFile("lift.jpg", b"GIF89a not a jpeg")})
    assert response.status_code == 200 and not Case.objects.exists()
    assert response.context["form"].errors["photo"]


def test_the_resident_files_routes_and_rates_through_the_pages(world):
    response = client_for(world.resident).post(reverse("casework:case_file", args=[world.committee.pk]), {
        "compound": world.compound.pk, "building": world.building.pk, "category": Category.LIFT,
        "description": "电梯停在五楼", "spot": "电梯", "photo": png()})
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    organizer = client_for(world.organizer)
    route = reverse("casework:case_move", args=[case.pk, "route"])
    assert organizer.get(route).status_code == 200
    assert organizer.post(route, {"handler": world.firm.pk, "days": "0"}).status_code == 200  # bad input kept
    case.refresh_from_db()
    assert case.status == Case.Status.NEW
    organizer.post(route, {"handler": world.firm.pk, "days": "5", "note": ""})
    case.refresh_from_db()
    assert case.status == Case.Status.ROUTED


def test_an_unknown_move_is_404_and_a_refused_move_changes_nothing(world):
    case = filed(world)
    organizer = client_for(world.organizer)
    assert organizer.get(reverse("casework:case_move", args=[case.pk, "explode"])).status_code == 404
    response = organizer.post(reverse("casework:case_move", args=[case.pk, "return"]), {"reason": "x"})
    assert response.status_code == 200  # the page again, with the refusal; nothing changed
    case.refresh_from_db()
    assert case.status == Case.Status.NEW and case.returned_count == 0


def test_the_slip_prints_on_a4(world):
    case = routed(world)
    response = client_for(world.organizer).get(reverse("casework:case_slip", args=[case.pk]))
    assert response.status_code == 200 and "受理群众意见流转单" in _text(response)
    from pathlib import Path

    from django.contrib.staticfiles import finders

    assert "size: A4" in Path(finders.find("css/casework-slip.css")).read_text(encoding="utf-8")
