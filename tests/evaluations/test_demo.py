from io import StringIO

import pytest
from django.core.management import call_command

from evaluations.models import Campaign, Comment, Rectification, Result
from evaluations.selectors import Filters, trend
from members.models import Street, User
from tests import databases

pytestmark = [pytest.mark.django_db, databases.DEMO]


def test_seed_demo_has_two_published_years_a_trend_and_a_task_for_the_demo_agency_contact():
    call_command("seed_demo", force=True, stdout=StringIO())
    counts = (Campaign.objects.count(), Result.objects.count(), Comment.objects.count(),
              Rectification.objects.count())
    street = Street.objects.get(name="大宁路街道")
    assert set(Campaign.objects.values_list("year", "status")) == {(2025, "published"), (2026, "published")}
    assert Campaign.objects.filter(year=2026).count() == 3
    assert trend(street, Filters(year=2026))["labels"] == [2025, 2026]
    contact = User.objects.get(username="agency_contact")
    agency = contact.roles.get(kind="agency_contact").agency
    assert Rectification.objects.filter(agency=agency, campaign__year=2026, status="waiting").exists()
    assert Rectification.objects.filter(agency=agency, campaign__year=2025, status="confirmed").exists()
    call_command("seed_demo", force=True, stdout=StringIO())
    assert counts == (Campaign.objects.count(), Result.objects.count(), Comment.objects.count(),
                      Rectification.objects.count())
