"""The access-control matrix: every URL of the resolver × every role × own and foreign objects.

A URL without an expectation fails (see tests/security/access/__init__.py for the format).
``SECURITY_MATRIX_DUMP=1`` prints the answers actually seen, in the expectation format, to help
write the entry of a new URL (then check every cell by hand: the dump is not the truth).
"""

import os
import re

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse

from tests.security import access, figures
from tests.security.access import ADMIN_LOGIN, DENIED, LOGIN, OK, REDIRECT, STAFF_OK, thirdparty
from tests.security.conftest import fresh_client
from tests.security.urls import all_routes
from tests.security.world import ROLES

ROUTES = all_routes()
EXPECTATIONS = access.load()
DUMP = os.environ.get("SECURITY_MATRIX_DUMP") == "1"


def entry_for(route):
    if route.name in EXPECTATIONS:
        return EXPECTATIONS[route.name]
    if route.namespace == "admin":
        return thirdparty.admin_entry(route)
    return None


def url_for(route, kwargs: dict) -> str:
    try:
        return reverse(route.name, kwargs=kwargs or None)
    except NoReverseMatch:
        pass
    # Unnamed patterns and positional regex groups: fill the route text in order.
    values = list(kwargs.values())
    path = route.route.replace("^", "").replace("$", "")
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), path)
    path = re.sub(r"\((?:\?P<\w+>)?[^)]*\)", lambda m: str(values.pop(0)), path)
    return "/" + path


def classify(response) -> object:
    """The status as the expectations write it."""
    if response.status_code in (301, 302, 303):
        location = response.headers.get("Location", "")
        if location.startswith(reverse(settings.LOGIN_URL)):
            return LOGIN
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        return REDIRECT
    return response.status_code


def matches(expected, seen) -> bool:
    if expected == OK:
        return seen == 200 or seen == REDIRECT
    if expected == STAFF_OK:
        return seen not in (LOGIN, ADMIN_LOGIN) and not (isinstance(seen, int) and seen >= 500)
    if expected == "denied":
        return seen in DENIED or seen == 405
    if expected == "allowed":
        return seen not in DENIED and seen not in (LOGIN, ADMIN_LOGIN) and not (isinstance(seen, int)
                                                                                  and seen >= 500)
    return seen == expected


def derived_post(expected):
    """POST without an explicit expectation: refused stays refused, allowed stays allowed."""
    if expected in (LOGIN, ADMIN_LOGIN):
        return expected
    if expected == STAFF_OK:
        return STAFF_OK
    if expected in DENIED or expected == 405:
        return "denied"
    return "allowed"


def test_every_url_has_an_expectation():
    missing = [f"  {r.name}  ({r.route}) → add it to {access.module_for(r)}"
               for r in ROUTES if entry_for(r) is None]
    assert not missing, "URLs without an access expectation:\n" + "\n".join(missing)


def test_no_expectation_for_a_url_that_is_gone():
    names = {r.name for r in ROUTES}
    stale = sorted(set(EXPECTATIONS) - names)
    assert not stale, f"expectations for URLs that no longer exist: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if entry_for(r) is not None], ids=lambda r: r.name)
def test_access(world, route):
    entry = entry_for(route)
    failures, seen_table = [], {}
    for side in entry.sides:
        kwargs = entry.kwargs(world, world.side(side)) if entry.kwargs else {}
        url = url_for(route, kwargs)
        for method in ("get", "post"):
            expected_cells = entry.get[side] if method == "get" else (
                entry.post[side] if entry.post else {r: derived_post(s) for r, s in entry.get[side].items()})
            for role in ROLES:
                client = fresh_client(world, role)
                with transaction.atomic():
                    response = getattr(client, method)(url)
                    transaction.set_rollback(True)
                seen = classify(response)
                seen_table[(side, method, role)] = seen
                figures.add("access_cells")
                expected = expected_cells[role]
                if not matches(expected, seen):
                    failures.append(f"{method.upper()} {url} as {role} ({side} object): expected {expected}, "
                                    f"got {seen}")
    if DUMP:
        print(f"\n{route.name}:")
        for key, value in seen_table.items():
            print("   ", key, value)
    assert not failures, f"{route.name} ({route.route}):\n  " + "\n  ".join(failures)
