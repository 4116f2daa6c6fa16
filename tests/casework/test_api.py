"""The open data API's residents' request figures: the street dashboard's, for the street's token only."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api import services as api_services
from casework import selectors as sel
from casework.models import Case
from tests.casework.helpers import answered
from tests.casework.test_queries import bulk_cases
from tests.factories import make_street, make_street_officer


def _get(url: str, token: str | None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client().get(url, **headers)


def test_a_streets_token_reads_each_agencys_figures_as_the_dashboard_computes_them(world):
    _, token = api_services.token_create(street=world.street, name="personnel", days=30, by=world.officer)
    case = answered(world)
    year = case.answered_at.year
    url = f"/api/v1/streets/{world.street.pk}/requests?year={year}"
    body = _get(url, token).json()
    assert body["street_id"] == world.street.pk and body["year"] == year
    rows = {row["agency_id"]: row for row in body["agencies"]}
    firm = sel.handler_figures([world.firm.pk], year)[world.firm.pk]
    assert rows[world.firm.pk] == {"agency_id": world.firm.pk, "name": world.firm.name, "kind": world.firm.kind,
                                   "count": 1, "median_days": firm.median_days, "on_time_pct": firm.on_time_pct,
                                   "rated": 0, "satisfied_pct": None}
    assert rows[world.police.pk]["count"] == 0 and rows[world.police.pk]["median_days"] is None
    # Nothing of a request itself: no requester, no phone, no description.
    text = str(body)
    assert world.resident.full_name not in text and "13800138123" not in text and case.description not in text
    # The default year is this year.
    assert _get(f"/api/v1/streets/{world.street.pk}/requests", token).json()["year"] == timezone.localdate().year


def test_no_token_another_streets_token_and_a_bad_year_get_nothing(world):
    other = make_street()
    _, foreign = api_services.token_create(street=other, name="other", days=30, by=make_street_officer(other))
    _, token = api_services.token_create(street=world.street, name="personnel", days=30, by=world.officer)
    url = f"/api/v1/streets/{world.street.pk}/requests"
    assert _get(url, None).status_code == 404
    assert _get(url, foreign).status_code == 404
    for year in ("99999", "0", "abc"):
        response = _get(f"{url}?year={year}", token)
        assert response.status_code == 422, year
        assert "year" in response.json()["detail"]


def test_the_figures_cost_the_same_queries_with_few_and_many_requests(world):
    _, token = api_services.token_create(street=world.street, name="personnel", days=30, by=world.officer)
    now = timezone.now()
    url = f"/api/v1/streets/{world.street.pk}/requests?year={now.year}"

    def count() -> int:
        _get(url, token)
        with CaptureQueriesContext(connection) as captured:
            assert _get(url, token).status_code == 200
        return len(captured)

    bulk_cases(world, 3, status=Case.Status.CLOSED, answer="好", answered_at=now, answer_days=2,
               answered_on_time=True, rating=Case.Rating.SATISFIED, done_at=now)
    few = count()
    bulk_cases(world, 120, status=Case.Status.CLOSED, answer="好", answered_at=now, answer_days=5,
               answered_on_time=False, rating=Case.Rating.DISSATISFIED, done_at=now)
    assert count() == few
    body = _get(url, token).json()
    assert {row["agency_id"]: row["count"] for row in body["agencies"]}[world.firm.pk] == 123
