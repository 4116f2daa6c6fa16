"""Residents' requests beside the ratings: the sheet shows each agency's year as context, the dashboard its row."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from casework import services as casework
from casework.models import Case, Category
from members import services as members
from members.models import Agency, Role
from tests.evaluations.factories import make_open_campaign, make_world
from tests.factories import make_building, make_household, make_resident, make_user

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _answered_request(world, rating: str):
    committee = world.committees[0]
    compound = committee.compounds.get()
    firm = compound.property_firm
    resident = make_resident(make_household(make_building(compound)))
    contact = make_user(name="Firm contact")
    members.role_grant(user=contact, kind=Role.Kind.AGENCY_CONTACT, agency=firm, by=None)
    organizer = world.organizers[committee.pk]
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=SHANGHAI), tick=False):
        case = casework.case_file(by=resident, committee=committee, compound=compound, category=Category.LIFT,
                                  description="电梯停运")
        casework.case_route(case=case, by=organizer, handler=firm, days=5)
        casework.case_accept(case=case, by=contact)
    with time_machine.travel(datetime(2026, 3, 5, 9, tzinfo=SHANGHAI), tick=False):
        casework.case_answer(case=case, by=contact, text="已修好")
        casework.case_rate(case=case, by=resident, rating=rating)
    return firm


def test_the_sheet_shows_the_firms_year_of_requests_as_context(client):
    world = make_world(reps=6)
    firm = _answered_request(world, Case.Rating.SATISFIED)
    campaign = make_open_campaign(world)
    client.force_login(world.reps[campaign.committee_id][0])
    url = reverse("evaluations:sheet_fill", args=[campaign.pk])
    # The sheet shows one evaluatee per screen: go to the firm's.
    screens = [client.post(url, {"go": str(n)}).content.decode() for n in range(1, campaign.evaluatees.count() + 1)]
    (page,) = [screen for screen in screens if f"{firm.name} <small" in screen]
    block = page.split(f"{firm.name} <small", 1)[1].split("</section>", 1)[0]
    assert "casework-figures" in block and "<dd>1</dd>" in block and "<dd>100%" in block


def test_the_dashboard_shows_each_agencys_requests_without_a_published_evaluation(client):
    world = make_world()
    firm = _answered_request(world, Case.Rating.DISSATISFIED)
    client.force_login(world.officer)
    page = client.get(reverse("evaluations:street_dashboard", args=[world.street.pk]))
    row = page.content.decode().split(firm.name, 1)[1].split("</tr>", 1)[0]
    count, median, on_time, satisfied = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert (count, median, on_time) == ("1", "3", "100%") and satisfied.startswith("0%")
    others = [a for a in Agency.objects.filter(street=world.street) if a != firm]
    assert others and all(a.name in page.content.decode() for a in others)
