"""The demo requests: every state on show after ``seed_demo``, and a second run adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from casework.models import Case
from tests import databases

pytestmark = [pytest.mark.django_db, databases.DEMO]


def test_seed_demo_shows_requests_in_every_state_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", force=True, stdout=StringIO())
    states = set(Case.objects.values_list("status", flat=True))
    assert states == set(Case.Status.values)
    assert Case.objects.filter(level=Case.Level.STREET).exists()
    assert Case.objects.filter(reopen_count=1).exists()
    count = Case.objects.count()
    call_command("seed_demo", force=True, quiet=True, stdout=StringIO())
    assert Case.objects.count() == count == 8
