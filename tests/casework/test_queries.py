"""Query counts of the casework queues, a request's page and the dashboard figures: built with few and
many rows, the count must not grow (rows bulk-inserted: test data, not a service path)."""

import itertools
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework import selectors as sel
from casework.models import Case, CaseEvent, CasePhoto, Category
from tests.casework.conftest import PNG

pytestmark = pytest.mark.django_db
_seq = itertools.count(1)


def bulk_cases(world, n: int, **fields) -> list[Case]:
    """``n`` requests in the world's committee, spread over categories, buildings and states."""
    now = timezone.now()
    categories = list(Category.values)
    defaults = {"status": Case.Status.ACCEPTED, "level": Case.Level.HANDLER, "handler": world.firm,
                "routed_at": now, "due_on": timezone.localdate() + timedelta(days=3)}
    rows = [Case(committee=world.committee, compound=world.compound, building=world.building if i % 2 else None,
                 spot=f"{i}室", category=categories[i % len(categories)], description=f"事项 {next(_seq)}",
                 requester=world.resident, recorded_by=world.resident, created_at=now - timedelta(days=i % 20),
                 **{**defaults, **fields}) for i in range(n)]
    return Case.objects.bulk_create(rows)


def queries(user, url: str) -> int:
    client = Client()
    client.force_login(user)
    client.get(url)  # warm the session and per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


PAGES = {
    "committee_cases": (lambda w: w.organizer, lambda w: reverse("casework:committee_cases", args=[w.committee.pk])),
    "agency_cases": (lambda w: w.firm_contact, lambda w: reverse("casework:agency_cases")),
    "street_cases": (lambda w: w.officer, lambda w: reverse("casework:street_cases", args=[w.street.pk])),
    "case_mine": (lambda w: w.resident, lambda w: reverse("casework:case_mine")),
    "committee_heat": (lambda w: w.organizer, lambda w: reverse("casework:committee_heat", args=[w.committee.pk])),
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_queue_costs_the_same_queries_with_5_and_60_requests(world, page):
    who, where = PAGES[page]
    level = {"level": Case.Level.STREET} if page == "street_cases" else {}
    bulk_cases(world, 5, **level)
    few = queries(who(world), where(world))
    bulk_cases(world, 55, **level)
    many = queries(who(world), where(world))
    assert many == few, f"{page}: {few} queries with 5 requests, {many} with 60"


def test_a_requests_page_costs_the_same_with_2_and_40_events_and_photos(world):
    case = bulk_cases(world, 1)[0]

    def add(n):
        for i in range(n):
            event = CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.PROGRESS, side=CaseEvent.Side.HANDLER,
                                             by=world.firm_contact, text=f"进展 {i}")
            photo = CasePhoto(case=case, event=event, name=f"{i}.png")
            photo.file.save(f"{i}.png", ContentFile(PNG), save=True)

    url = reverse("casework:case_detail", args=[case.pk])
    add(2)
    few = queries(world.organizer, url)
    add(38)
    assert queries(world.organizer, url) == few


def test_the_dashboard_figures_take_one_query_whatever_the_rows_and_agencies(world, django_assert_num_queries):
    answered_at = timezone.now()
    for n in (5, 200):
        bulk_cases(world, n, status=Case.Status.CLOSED, answer="好", answered_at=answered_at, answer_days=n % 7,
                   answered_on_time=True, rating=Case.Rating.SATISFIED, done_at=answered_at)
        with django_assert_num_queries(1):
            figures = sel.handler_figures([world.firm.pk, world.police.pk], answered_at.year)
    assert figures[world.firm.pk].count == 205


def test_the_street_dashboard_costs_the_same_with_few_and_many_requests(world):
    from tests.factories import make_street_officer

    officer = make_street_officer(world.street)
    url = reverse("evaluations:street_dashboard", args=[world.street.pk])
    answered_at = timezone.now()
    bulk_cases(world, 3, status=Case.Status.ANSWERED, answer="好", answered_at=answered_at, answer_days=2,
               answered_on_time=True)
    few = queries(officer, url)
    bulk_cases(world, 80, status=Case.Status.ANSWERED, answer="好", answered_at=answered_at, answer_days=4,
               answered_on_time=False)
    assert queries(officer, url) == few
