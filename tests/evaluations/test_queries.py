"""Query counts: the street dashboard for 3 committees × 8 evaluatees × 4 dimensions, charts and list pages."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations import services
from evaluations.models import Result
from members import services as member_services
from members.models import Role
from tests.evaluations.factories import fill, make_world, publish, settings
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
    assert many == few <= 14
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
