"""The admin's history pages read as a site admin needs them in a dispute: field names in Chinese,
choices by their labels, "—" for nothing, the site's local time to the second."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from config.history_admin import readable_value
from deliberation.models import PartySettings
from hearings import services as hearing_services
from hearings.models import Hearing
from tests.factories import make_user
from tests.hearings.hearing_factories import make_area, make_hearing

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_zh():
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    person = make_user()
    person.is_staff = person.is_superuser = True
    person.save()
    client.force_login(person)
    return client


def test_a_hearing_s_history_names_fields_states_and_times_as_people_read_them(admin_zh):
    area = make_area(n=1)
    hearing = hearing_services.hearing_announce(hearing=make_hearing(area), by=area["organizer"])
    page = admin_zh.get(reverse("admin:hearings_hearing_history", args=[hearing.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    changes = re.findall(r"<li><strong>(.*?):</strong> (.*?) &rarr; (.*?)</li>", html)
    by_field = {field: (old, new) for field, old, new in changes}
    assert by_field["状态"] == ("草稿", "已公告")
    old, new = by_field["公告时间"]
    assert old == "—"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", new)
    assert "None" not in html and "announced" not in re.sub(r"<[^>]+>", "", html).replace("announced_", "")
    # Every row's time is the site's (Asia/Shanghai) to the second, with no microseconds.
    times = re.findall(r"<time datetime=\"([^\"]+)\">([^<]+)</time>", html)
    assert times and all(iso.endswith("+08:00") and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", shown)
                         for iso, shown in times)
    assert Hearing.history.filter(id=hearing.pk).count() >= 2


def test_a_quorum_in_history_reads_as_a_percentage():
    from decimal import Decimal

    assert readable_value(PartySettings, "quorum", Decimal("0.5000"), percent_fields=("quorum",)) == "50%"
    assert readable_value(PartySettings, "quorum", None, percent_fields=("quorum",)) == "—"
