"""Expected HTTP answers for every URL × role × own/foreign object: the access-control matrix.

Each app has its own module here (members.py, deliberation.py, hearings.py, ...) with a dict
``EXPECTATIONS = {"namespace:url_name": Entry(...)}``. An entry says

* how to build the URL's kwargs for an object of committee A ("own") or B ("foreign"):
  ``kwargs=lambda w, s: {"pk": s.ballot_open.pk}`` (``w`` is the World, ``s`` a Side,
  see tests/security/world.py; a new app's objects go on ``s.extra``: in its module here, call
  ``tests.security.world.register_builder(build)`` with ``build(world, side)`` making them through
  the app's services, e.g. ``side.extra["hearing"] = hearing_create(committee=side.committee, ...)``);
* the expected answer to GET for each role, written once from committee A's point of view:
  ``get=scoped({"organizer admin": 200})`` means: organizers of A and site admins get 200, anonymous
  visitors are sent to the login page, everybody else gets 404; on B's objects the "_other" roles
  take the place of A's (organizer → organizer_other, resident → resident_other, officer → officer_other)
  and A-only roles (party member, floor leader, agency contact) are refused;
* optionally the answer to POST (``post=...``). Without it POST is checked by the GET expectation:
  refused roles must stay refused (the same status, or 405), allowed roles must not be refused.
  POSTs carry no fields and run in a transaction that is rolled back.

Statuses: an int, ``LOGIN`` (302 to the sign-in page), ``ADMIN_LOGIN`` (302 to the admin's),
``REDIRECT`` (302 anywhere else), ``OK`` (200 or a 302 that is not to a sign-in page), or
``STAFF_OK`` for the site admin in Django's admin: any answer but a 5xx or a sign-in redirect (a
read-only ModelAdmin answers 403 to "add", a model without rows 404, a GET-only view 405 to POST;
what the admin rule proves is that nobody else gets in).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.security.world import ROLES

LOGIN = "login"
ADMIN_LOGIN = "admin-login"
REDIRECT = "redirect"
OK = "ok"
STAFF_OK = "staff-ok"  # the admin, for the site admin: any answer but a 5xx or a sign-in redirect
DENIED = (403, 404)

# Role of committee A → the same role in committee B, for "foreign" objects.
COUNTERPART = {"resident": "resident_other", "organizer": "organizer_other", "officer": "officer_other",
               "admin": "admin", "anonymous": "anonymous"}
AUTHENTICATED = tuple(r for r in ROLES if r != "anonymous")


def _expand(spec: dict) -> dict[str, object]:
    """{"organizer admin": 200, "resident": 302} → {"organizer": 200, "admin": 200, "resident": 302}."""
    out = {}
    for roles, status in spec.items():
        for role in roles.split():
            assert role in ROLES, f"unknown role {role!r} (roles: {', '.join(ROLES)})"
            out[role] = status
    return out


def scoped(allowed: dict, *, denied=404, anonymous=LOGIN, foreign: dict | None = None) -> dict:
    """Expectations scoped to a committee: ``{side: {role: status}}`` (see module docstring)."""
    own = {role: denied for role in ROLES} | {"anonymous": anonymous} | _expand(allowed)
    if foreign is None:
        mapped = {}
        for role, status in _expand(allowed).items():
            if role in COUNTERPART:
                mapped[COUNTERPART[role]] = status
        foreign_map = {role: denied for role in ROLES} | {"anonymous": anonymous} | mapped
    else:
        foreign_map = {role: denied for role in ROLES} | {"anonymous": anonymous} | _expand(foreign)
    return {"own": own, "foreign": foreign_map}


def everyone(status, *, anonymous=LOGIN, **exceptions) -> dict:
    """The same answer for every signed-in role (URLs without an object, or not scoped)."""
    cells = {role: status for role in ROLES} | {"anonymous": anonymous}
    cells |= _expand({k.replace("__", " "): v for k, v in exceptions.items()})
    return {"own": cells, "foreign": dict(cells)}


@dataclass(frozen=True)
class Entry:
    kwargs: Callable | None = None          # (world, side) -> dict of URL kwargs; None: no kwargs
    get: dict = field(default_factory=dict)  # {side: {role: status}}
    post: dict | None = None                 # None: derived from ``get`` (see module docstring)
    sides: tuple = ("own", "foreign")        # ("own",) for URLs that have no object


def load() -> dict[str, Entry]:
    """All modules' EXPECTATIONS merged; a name declared twice is an error."""
    merged: dict[str, Entry] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, entry in getattr(module, "EXPECTATIONS", {}).items():
            assert name not in merged, f"{name} has expectations in two modules ({info.name} and another)"
            merged[name] = entry
    return merged


def extra_pages() -> list:
    """All modules' EXTRA_PAGES: (url name, kwargs(world, side), roles) of objects in other states."""
    pages = []
    for info in pkgutil.iter_modules(__path__):
        pages.extend(getattr(importlib.import_module(f"{__name__}.{info.name}"), "EXTRA_PAGES", []))
    return pages


def module_for(route) -> str:
    """Where a missing expectation belongs."""
    if route.namespace in ("admin",):
        return "tests/security/access/thirdparty.py (admin rule)"
    if route.app in ("allauth", "django") or route.namespace == "":
        return "tests/security/access/thirdparty.py or members.py (site-wide URLs)"
    return f"tests/security/access/{route.namespace or route.app}.py"
