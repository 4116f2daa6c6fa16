"""Query counts: the street dashboard for 3 committees × 8 evaluatees × 4 dimensions, charts and list pages."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations import services
from evaluations.models import Result, SheetItem
from members import services as member_services
from members.models import Role
from tests.evaluations.factories import fill, make_world, publish, settings, sheet
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _queries(client, url) -> tuple[int, object]:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def _street(years=(2025, 2026), committees=3):
    """5 stationed agencies + work station + a property firm + the committee itself = 8 evaluatees each."""
    world = make_world(committees=committees, reps=6, stationed=5)
    for year in years:
        launch = services.campaign_launch(street=world.street, by=world.officer, open_now=True,
                                          settings=settings(year, include_committee=True, rectify_all=True))
        for campaign in launch.campaigns.all():
            for i, voter in enumerate(world.reps[campaign.committee_id]):
                fill(campaign, voter, level_for=lambda item, i=i: 1 + (i + item.pk) % 4)
            publish(campaign, world.officer)
    return world


def test_street_dashboard_runs_a_fixed_number_of_queries(client):
    small = _street(years=(2026,), committees=1)
    client.force_login(small.officer)
    few, _response = _queries(client, reverse("evaluations:street_dashboard", args=[small.street.pk]))
    world = _street()
    client.force_login(world.officer)
    assert Result.objects.filter(campaign__committee__street=world.street, campaign__year=2026,
                                 dimension__isnull=False).count() == 3 * 8 * 4
    many, response = _queries(client, reverse("evaluations:street_dashboard", args=[world.street.pk]))
    # Two of them for the residents' requests table (the street's agencies, casework's figures).
    assert many == few <= 16
    page = response.content.decode()
    assert "chart-bars" in page and "chart-trend" in page and "<caption>" in page
    filtered, _ = _queries(client, reverse("evaluations:street_dashboard", args=[world.street.pk])
                           + f"?year=2025&kind=stationed&committee={world.committees[0].pk}")
    assert filtered == many
    for name in ("chart_bars", "chart_trend"):
        count, response = _queries(client, reverse(f"evaluations:{name}", args=[world.street.pk]))
        assert count <= 8
        data = json.loads(response.content)
        assert "view" not in data and set(data) == {"labels", "datasets"}
    trend = json.loads(client.get(reverse("evaluations:chart_trend", args=[world.street.pk])).content)
    assert trend["labels"] == ["2025", "2026"] and len(trend["datasets"]) == 4
    bars = json.loads(client.get(reverse("evaluations:chart_bars", args=[world.street.pk]) + "?kind=stationed")
                      .content)
    assert len(bars["labels"]) == 5 and len(bars["datasets"]) == 4


def test_list_pages_run_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    world = _street(years=(2023, 2024, 2025, 2026))
    committee = world.committees[0]
    client.force_login(world.officer)
    url = reverse("evaluations:street_campaigns", args=[world.street.pk])
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert page.content.decode().count("2024") >= 3
    client.force_login(world.organizers[committee.pk])
    with django_assert_max_num_queries(12):
        client.get(reverse("evaluations:committee_campaigns", args=[committee.pk]))
    contact = make_user(name="Contact")
    member_services.role_grant(user=contact, kind=Role.Kind.AGENCY_CONTACT, agency=world.agencies[0], by=None)
    client.force_login(contact)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("evaluations:agency_home"))
    assert page.content.decode().count("<tr") > 50
    campaign = world.committees[0].evaluation_campaigns.get(year=2026)
    client.force_login(world.officer)
    for name in ("campaign_detail", "campaign_report", "campaign_results"):
        with django_assert_max_num_queries(16):
            client.get(reverse(f"evaluations:{name}", args=[campaign.pk]))
    task = campaign.rectifications.first()
    with django_assert_max_num_queries(14):
        client.get(reverse("evaluations:rectification_detail", args=[task.pk]))


def test_a_sheet_handed_in_reads_the_frozen_sheet_once_per_process_and_a_few_rows(client):
    """The burst of sheets: after the first, a sheet handed in reads the campaign and the voice, and writes.

    8 evaluatees × 4 dimensions of 5 levels: neither the sheet's 32 questions nor their 160 levels are
    read again, and nothing is checked twice (the scope only when the service refuses).
    """
    world = make_world(reps=4, stationed=5)
    campaign = services.campaign_create(committee=world.committees[0], by=world.organizers[world.committees[0].pk],
                                        settings=settings(include_committee=True))
    services.campaign_open(campaign=campaign, by=world.organizers[campaign.committee_id])
    assert SheetItem.objects.filter(campaign=campaign).count() >= 28
    url = reverse("evaluations:sheet_fill", args=[campaign.pk])
    ratings = {f"q{q}": str(o) for q, o in sheet(campaign, lambda item: 1).items()}
    first, second = world.reps[campaign.committee_id][:2]
    client.force_login(first)
    assert client.post(url, {**ratings, "after": "0"}).status_code == 302
    client.force_login(second)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, {**ratings, "after": "0", f"c{campaign.evaluatees.first().pk}": "很好"})
    assert response.status_code == 302 and response["Location"].endswith("?sent=1")
    statements = [q["sql"] for q in ctx.captured_queries]
    assert not [s for s in statements if "evaluations_sheetitem" in s or "deliberation_option" in s], statements
    # The page's scope checks (the roles, a home in the committee) are made only for a refused sheet.
    assert not [s for s in statements if 'FROM "members_role"' in s or 'FROM "members_membership"' in s]
    assert len(statements) <= 10, statements
