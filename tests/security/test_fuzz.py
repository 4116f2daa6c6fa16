"""Fuzzing every form and POST endpoint with hypothesis.

Endpoints and their fields are found by themselves: every URL of the access matrix is fetched as
a role allowed to see it, and every ``<form method="post">`` on the page gives its target URL and
field names (with the values it offers). Every URL a role may reach is also posted to directly.

Each example sends hostile values (invalid UTF-8, NUL bytes, very long strings, negative,
fractional, NaN and huge numbers), leaves fields out and adds extra ones (mass assignment: another
voter's id, a weight, a committee id, a role flag). Each runs in a transaction that is rolled back,
and is checked before the rollback:

* never a 5xx;
* refused (4xx, 200 with the form shown again, or a redirect with an error message): no row added
  or removed in any table, and no history row (every change through the services writes one);
* accepted (a redirect): nothing changed in the foreign committee, no one became staff or site
  admin, no vote recorded in another person's name.

Examples per endpoint: ``FUZZ_EXAMPLES`` (50 by default, as in CI). It runs on SQLite only:
on PostgreSQL the same views run the same code, and the CI budget goes to the fault tests.
NUL bytes would only differ on PostgreSQL: Django's form fields refuse them before the database.
"""

import os
from urllib.parse import quote_from_bytes

import pytest
from django.contrib.messages import constants as message_constants
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decisions.models import Ballot, PaperBatch, Participation
from members.models import Household, Membership, Role, User
from tests.security import figures
from tests.security.access import REDIRECT
from tests.security.conftest import fresh_client
from tests.security.forms import post_forms, route_name
from tests.security.test_access_matrix import EXPECTATIONS, ROUTES, url_for

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))
PREFERENCE = ("resident", "organizer", "floor_leader", "admin", "anonymous", "party_member", "officer",
              "agency", "resident_other", "organizer_other", "officer_other")
# The vote throttle counts every POST to a cast, accepted or not, by design (decisions/throttle.py).
SKIP_TABLES = {"django_session", "sanhui_cache", "django_admin_log", "deliberation_throttlecount"}

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="fuzzing runs on SQLite (CI budget)"),
]


def fuzz_routes():
    """Site URLs (not the admin's) that some role may reach."""
    out = []
    for route in ROUTES:
        entry = EXPECTATIONS.get(route.name)
        if entry is None or route.namespace == "admin":
            continue
        out.append(route)
    return out


# --- People outside the world's roles ----------------------------------------------------------
# Some endpoints are only for someone no role of the world is (the party organization: a party
# member who also organizes the committee). An access module lists them as
# ``FUZZ_ACTORS = {"namespace:url_name": "key"}``; its builder puts that person on
# ``side.extra[key]``, and the endpoint is fuzzed (and its forms discovered) as that person on side A
# (instead of a role that may only look at it).

def _fuzz_actors() -> dict[str, str]:
    import importlib
    import pkgutil

    from tests.security import access

    found = {}
    for info in pkgutil.iter_modules(access.__path__):
        found |= getattr(importlib.import_module(f"{access.__name__}.{info.name}"), "FUZZ_ACTORS", {})
    return found


FUZZ_ACTORS = _fuzz_actors()


def extra_client(world, key: str):
    """A signed-in client for ``world.own.extra[key]`` (made once per world), with only its session cookie."""
    from http.cookies import SimpleCookie

    from django.conf import settings as django_settings
    from django.test import Client

    made = world.__dict__.setdefault("extra_clients", {})
    if key not in made:
        client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(world.own.extra[key])
        made[key] = (client, client.cookies[django_settings.SESSION_COOKIE_NAME].value)
    client, cookie = made[key]
    client.cookies = SimpleCookie()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = cookie
    return client


def actor_for(entry) -> str | None:
    cells = entry.get["own"]
    for wanted in (200, REDIRECT, "ok"):
        for role in PREFERENCE:
            if cells.get(role) == wanted:
                return role
    if entry.post:
        for role in PREFERENCE:
            # 400: a POST-only form answered with its errors (e.g. the coordination forms).
            if entry.post["own"].get(role) in (200, REDIRECT, "ok", 400):
                return role
    return None


@pytest.fixture(scope="module")
def discovered(world, django_db_blocker):
    """route name → {field name: FormField}, from the forms on every page every role can see."""
    found: dict[str, dict] = {}
    multipart: set[str] = set()

    def collect(client, url: str, only: str | None = None) -> None:
        """The POST forms on ``url`` as ``client`` sees it (in a rolled-back block), into ``found``."""
        with transaction.atomic():
            response = client.get(url)
            transaction.set_rollback(True)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            return
        for form in post_forms(response.content.decode(), url):
            name = route_name(form.action)
            if name is None or (only is not None and name != only):
                continue
            fields = found.setdefault(name, {})
            for field_name, field in form.fields.items():
                fields.setdefault(field_name, field).values.update(field.values)
            if form.multipart:
                multipart.add(name)

    with django_db_blocker.unblock():
        for route in fuzz_routes():
            entry = EXPECTATIONS[route.name]
            for side in entry.sides[:1]:
                url = url_for(route, entry.kwargs(world, world.side(side)) if entry.kwargs else {})
                for role, status in entry.get[side].items():
                    if status in (200, "ok"):
                        collect(fresh_client(world, role), url)
        for name, key in FUZZ_ACTORS.items():
            route = next(r for r in ROUTES if r.name == name)
            entry = EXPECTATIONS[name]
            url = url_for(route, entry.kwargs(world, world.own) if entry.kwargs else {})
            # signed in outside the rolled-back block: the session stays
            collect(extra_client(world, key), url, only=name)
        # --- Pages of objects in other states (EXTRA_PAGES of tests/security/access/<app>.py) ---------------
        from tests.security.access import extra_pages

        for _name, kwargs, roles in extra_pages():
            url = reverse(_name, kwargs=kwargs(world, world.own))
            for role in roles:
                collect(fresh_client(world, role), url)
    return found, multipart


def fingerprint() -> tuple:
    """Row counts of every table but sessions/cache, in one query."""
    tables = sorted(t for t in connection.introspection.table_names() if t not in SKIP_TABLES)
    qn = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {qn(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(zip(tables, cursor.fetchone(), strict=True))


def foreign_fingerprint(world) -> tuple:
    b = world.foreign.committee
    return (
        Ballot.objects.filter(committee=b).count(),
        tuple(Ballot.objects.filter(committee=b).order_by("pk").values_list("status", "title")),
        Participation.objects.filter(ballot__committee=b).count(),
        PaperBatch.objects.filter(ballot__committee=b).count(),
        Role.objects.filter(committee=b).count(),
        Membership.objects.filter(household__building__compound__committee=b).count(),
        Household.objects.filter(building__compound__committee=b).count(),
    )


def privileged() -> tuple:
    return (User.objects.filter(is_staff=True).count(), User.objects.filter(is_superuser=True).count(),
            Role.objects.filter(kind=Role.Kind.SITE_ADMIN).count())


# --- Values -----------------------------------------------------------------------------------

NUMBERS = st.one_of(
    st.integers(min_value=-(2 ** 70), max_value=2 ** 70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["NaN", "nan", "Infinity", "-Infinity", "-1", "0", "-0", "0.5", "1e9999", "1e-9999",
                     "9" * 40, "0x1F", "１２", "٣", "1_000", " 1 ", "+1", "1,5", "１.５"]),
)
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=10).map(lambda s: s + "\x00" + s),
    st.integers(min_value=1_000, max_value=100_000).map(lambda n: "长" * n),
    st.sampled_from(["", " ", "\x00", "\u202e", "\ufeff", "<script>alert(1)</script>", "' OR 1=1 --",
                     "{{ 7*7 }}", "%(name)s", "../../etc/passwd", "\r\n\r\n"]),
)
RAW = st.binary(max_size=40)  # invalid UTF-8 among them


def mass_assignment(world) -> dict:
    """Fields no form has: what an attacker adds to take over someone else's vote or place."""
    other = world.foreign
    return {
        "voter": str(other.resident.pk), "user": str(other.resident.pk), "user_id": str(other.resident.pk),
        "voice": "1", "holder": str(other.resident.pk), "weight": "1000", "floor_area": "99999",
        "committee": str(other.committee.pk), "committee_id": str(other.committee.pk),
        "street": str(other.street.pk), "ballot": str(other.ballot_open.pk), "status": "published",
        "is_staff": "on", "is_superuser": "1", "role": "site_admin", "kind": "site_admin",
        "channel": "paper", "entered_by": str(other.organizer.pk), "version": "0", "receipt": "AAAA-BBBB-CCCC",
    }


@st.composite
def bodies(draw, fields: dict, extras: dict):
    """A list of (name, bytes) pairs for one POST."""
    pairs = []
    for name, field in sorted(fields.items()):
        choice = draw(st.integers(min_value=0, max_value=9))
        if choice == 0:
            continue  # missing field
        offered = sorted(v for v in field.values if v is not None)
        count = draw(st.integers(min_value=1, max_value=3)) if choice == 9 else 1  # repeated field
        for _ in range(count):
            if offered and choice in (1, 2, 3):
                value = draw(st.sampled_from(offered)).encode()
            elif choice == 4:
                value = draw(NUMBERS).encode()
            elif choice == 5:
                value = draw(RAW)
            else:
                value = draw(TEXT).encode("utf-8", "surrogatepass")
            pairs.append((name, value))
    for name in draw(st.lists(st.sampled_from(sorted(extras)), max_size=4, unique=True)):
        pairs.append((name, extras[name].encode()))
    if draw(st.booleans()):
        pairs.append((draw(st.text(min_size=1, max_size=12)), draw(RAW)))
    return pairs


def urlencode_raw(pairs) -> bytes:
    return "&".join(f"{quote_from_bytes(k.encode('utf-8', 'surrogatepass'))}={quote_from_bytes(v)}"
                    for k, v in pairs).encode()


def _refused_with_message(response) -> bool:
    """A redirect that carries an error message (the view refused and said why)."""
    request = getattr(response, "wsgi_request", None)
    storage = getattr(request, "_messages", None)
    queued = getattr(storage, "_queued_messages", []) if storage is not None else []
    return any(m.level >= message_constants.ERROR for m in queued)


def _acted(response) -> bool:
    """The view did what was asked: a redirect without an error message, or a page that shows a secret
    once: a scrutineer's card (a secret ballot opened with no scrutineer named shows its opener's card
    instead of redirecting) or a new API token. Neither is stored, so neither can wait behind a redirect."""
    if response.status_code in (301, 302, 303):
        return not _refused_with_message(response)
    return response.status_code == 200 and any(
        t.name in ("decisions/box_card.html", "api/token_created.html")
        for t in getattr(response, "templates", []) or [])


# --- The test ---------------------------------------------------------------------------------

@pytest.mark.parametrize("route", fuzz_routes(), ids=lambda r: r.name)
def test_fuzz_post(world, discovered, route):
    entry = EXPECTATIONS[route.name]
    extra = FUZZ_ACTORS.get(route.name)
    role = actor_for(entry) if extra is None else None
    if role is None and extra is None:
        pytest.skip("no role may use this URL")
    client_for = (lambda: fresh_client(world, role)) if extra is None else (lambda: extra_client(world, extra))
    url = url_for(route, entry.kwargs(world, world.own) if entry.kwargs else {})
    forms, multipart = discovered
    fields = forms.get(route.name, {})
    probe = client_for()
    with transaction.atomic():
        first = probe.post(url)
        transaction.set_rollback(True)
    if first.status_code == 405 and not fields:
        figures.add("fuzz_get_only_urls")
        return  # the view takes no POST at all
    actor = world.users[role] if extra is None else world.own.extra[extra]
    extras = mass_assignment(world)
    seen = {"rejected": 0, "accepted": 0}
    # Every example starts from the same state (each is rolled back): measure it once.
    before, before_foreign, before_priv = fingerprint(), foreign_fingerprint(world), privileged()
    last_participation = Participation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(pairs=bodies(fields, extras))
    def run(pairs):
        client = client_for()
        with transaction.atomic():
            if route.name in multipart:
                data = {k: v.decode("utf-8", "replace") for k, v in pairs}
                for name, field in fields.items():
                    if field.kind == "file" and name in data:
                        data[name] = SimpleUploadedFile("upload.csv", pairs and dict(pairs)[name] or b"",
                                                        content_type="text/csv")
                response = client.post(url, data)
            else:
                response = client.generic("POST", url, urlencode_raw(pairs),
                                          content_type="application/x-www-form-urlencoded")
            status = response.status_code
            assert status < 500, f"{status} from POST {url} as {role or extra} with {pairs!r}"
            if _acted(response):
                seen["accepted"] += 1
                assert foreign_fingerprint(world) == before_foreign, f"foreign committee changed: {pairs!r}"
                assert privileged() == before_priv, f"privileges changed: {pairs!r}"
                for p in Participation.objects.filter(pk__gt=last_participation):
                    assert p.user_id == actor.pk or p.entered_by_id == actor.pk, f"vote for another: {pairs!r}"
            else:
                seen["rejected"] += 1
                after = fingerprint()
                changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
                assert not changed, f"{status} but rows changed {changed} with {pairs!r}"
            transaction.set_rollback(True)
        figures.add("fuzz_examples")

    run()
    figures.add("fuzz_endpoints")
    figures.add("fuzz_rejected", seen["rejected"])
    figures.add("fuzz_accepted", seen["accepted"])
