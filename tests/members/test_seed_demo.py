from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from members.management.commands.seed_demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from members.models import (
    Agency,
    Building,
    Committee,
    Compound,
    Household,
    Membership,
    Role,
    Street,
    User,
)
from tests import databases

pytestmark = [pytest.mark.django_db, databases.DEMO]

COUNTED = [Street, Committee, Agency, Compound, Building, Household, Membership, User, Role]


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", force=True, stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in COUNTED}
    counts.update({f"history of {model.__name__}": model.history.count() for model in COUNTED})
    return counts


def test_seed_demo_builds_a_street_its_agencies_and_represented_households():
    _seed()

    assert Street.objects.count() == 1
    assert Committee.objects.count() == 3
    stationed = Agency.objects.filter(kind__in=Agency.STATIONED_KINDS)
    assert stationed.count() >= 5
    assert {a.kind for a in stationed} == set(Agency.STATIONED_KINDS)
    assert Agency.objects.filter(kind=Agency.Kind.WORK_STATION).exists()
    for agency in stationed:
        assert agency.committees.count() == 3
    assert not Compound.objects.filter(property_firm__isnull=True).exists()
    assert 250 <= Household.objects.count() <= 350
    assert 350 <= Membership.objects.filter(status=Membership.Status.VERIFIED).count() <= 450
    occupied = Household.objects.filter(memberships__status=Membership.Status.VERIFIED).distinct()
    assert Membership.objects.filter(is_representative=True).count() == occupied.count()


def test_seed_demo_creates_a_login_for_every_role_that_can_authenticate():
    output = _seed()

    demo = {a.username for a in DEMO_ACCOUNTS}
    for kind in Role.Kind.values:
        role = Role.objects.filter(kind=kind, user__username__in=demo).select_related("user").first()
        assert role is not None, kind
        assert authenticate(username=role.user.username, password=DEMO_PASSWORD) == role.user
    resident = User.objects.get(username="resident")
    assert authenticate(username="resident", password=DEMO_PASSWORD) == resident
    assert resident.memberships.get().household.building.compound.committee.name == "延长居民区"
    site_admin = User.objects.get(username="site_admin")
    assert site_admin.is_staff and site_admin.is_superuser
    for username in demo:
        assert username in output
    assert DEMO_PASSWORD in output
    bulk = User.objects.exclude(username__in=demo)
    assert bulk.exists()
    assert not any(user.has_usable_password() for user in bulk)


def test_seed_demo_run_twice_changes_nothing_and_quiet_prints_only_the_logins():
    _seed()
    before = _counts()

    out = StringIO()
    call_command("seed_demo", force=True, quiet=True, stdout=out)

    assert _counts() == before
    assert "households" not in out.getvalue()
    assert "organizer2" in out.getvalue()


def test_seed_demo_refuses_to_run_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()
