"""The floor: the cheapest possible vote, served by the same gunicorn, middleware and database.

One INSERT under a unique constraint (ballot, voter), in a transaction — what
any voting system must do at the very least. ``make bench`` compares the real cast path with it.

Mounted only when ``SANHUI_BENCH=1`` (config/urls.py); its table is created by the bench set-up
(``ensure_table``), never by a migration, so a production database does not have it.
"""

from django.db import IntegrityError, connection, transaction
from django.http import HttpResponse
from django.views.decorators.http import require_POST

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
