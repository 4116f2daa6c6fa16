"""The floors: the cheapest possible vote and page, served by the same gunicorn, middleware and database.

The write floor (``floor_vote``): one INSERT under a unique constraint (ballot, voter), in a
transaction — what any voting system must do at the very least. ``make bench`` compares every POST
of a voter's path with it. The read floor (``floor_page``): the cheapest signed-in page the site can
serve — the session and its user read, the base template with its header and menu (and what they
read: the person's roles, their unread notifications), nothing else. Every GET is compared with it.

Mounted only when ``SANHUI_BENCH=1`` (config/urls.py); the write floor's table is created by the
bench set-up (``ensure_table``), never by a migration, so a production database does not have it.
"""

from functools import cache

from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, connection, transaction
from django.http import HttpResponse
from django.template import engines
from django.views.decorators.http import require_GET, require_POST

TABLE = "bench_floor_vote"


def ensure_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (voter varchar(64) NOT NULL, ballot integer NOT NULL, "
                       "choice integer NOT NULL, UNIQUE (ballot, voter))")


@require_POST
def floor_vote(request):
    """Record ``voter`` (POST) on ``ballot`` once: 201, or 409 for a second vote."""
    voter = request.POST.get("voter", "")[:64]
    ballot = int(request.POST.get("ballot", "0") or 0)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {TABLE} (voter, ballot, choice) VALUES (%s, %s, %s)",  # noqa: S608
                           [voter, ballot, 1])
    except IntegrityError:
        return HttpResponse("already voted", status=409, content_type="text/plain")
    return HttpResponse("ok", status=201, content_type="text/plain")


# A page of the site's own frame and nothing in it: made from a string, so that the product's
# templates carry nothing of the bench.
_PAGE = '{% extends "base.html" %}{% block content %}{% endblock %}'


@cache
def _page():
    return engines["django"].from_string(_PAGE)


@require_GET
@login_required
def floor_page(request):
    """The base page, signed in: what every page of the site costs before its own content."""
    return HttpResponse(_page().render({}, request))
