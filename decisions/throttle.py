"""A per-person limit on vote submissions, shared by every worker process and host (settings.VOTE_THROTTLE).

Keyed on the account, never on the IP address: neighbours behind one home router or the community
centre's Wi-Fi do not slow each other down. A fixed window: at most N POSTs in each window of S
seconds; past it the answer is 429 with a page asking to wait, and nothing is recorded.

Where it counts (settings.VOTE_THROTTLE_STORE):

- ``cache``: the ``throttle`` cache, Redis (shared by every host) when REDIS_URL is set; its
  ``incr`` is atomic on the Redis server.
- ``database``: a row per person and window in ``ThrottleCount``, counted by one statement,
  ``INSERT … ON CONFLICT … DO UPDATE SET hits = hits + 1 RETURNING hits`` (PostgreSQL, and SQLite
  3.35 and later). The database makes concurrent upserts of one row wait for each other, so two
  workers never both see 20. Django's database cache is not used: its ``incr`` is a read then a
  write (two requests in two processes can both read 19) and costs several statements a vote.
  Windows that have ended are deleted by the scheduled job (``throttle_prune``), not on the vote's path.

If the shared cache cannot be reached (Redis restarting, failing over), the vote is not throttled
rather than refused with a 500: the limit only slows a person down, while one vote per voice is
kept by the database's row lock and unique constraints (docs/SECURITY.md). The failure is logged.

This module is the one place that writes SQL by hand for the throttle; a cast pays one statement.
"""

import logging
import sqlite3
import time
from functools import wraps

from django.conf import settings
from django.core import checks
from django.core.cache import caches
from django.db import connections, router
from django.shortcuts import render

from decisions.models import ThrottleCount

logger = logging.getLogger(__name__)


def parse_rate(rate: str) -> tuple[int, int]:
    """"20/60" → (20, 60): at most 20 in 60 seconds."""
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 60)


def _cache_hit(subject: str, window_start: int, period: int) -> int:
    """Count one more in the window; the count so far (0 if the cache cannot be reached)."""
    cache = caches["throttle"]
    key = f"sanhui:throttle:{subject}:{window_start}"
    try:
        cache.add(key, 0, timeout=period + 5)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=period + 5)
            return 1
    except Exception:  # noqa: BLE001 - any cache client's connection error: fail open (module docstring)
        logger.warning("vote throttle: the %s cache is unreachable; this vote is not counted", "throttle",
                       exc_info=True)
        return 0


def _upsert_sql(connection) -> str:
    meta = ThrottleCount._meta
    q = connection.ops.quote_name
    table = q(meta.db_table)
    subject, start, hits = (q(meta.get_field(name).column) for name in ("subject", "window_start", "hits"))
    # Names from the model only; the values are bound.
    return (f"INSERT INTO {table} ({subject}, {start}, {hits}) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT ({subject}, {start}) DO UPDATE SET {hits} = {table}.{hits} + 1 "
            f"RETURNING {hits}")


def _database_hit(subject: str, window_start: int) -> int:
    connection = connections[router.db_for_write(ThrottleCount)]
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(connection), [subject, window_start])
        return cursor.fetchone()[0]


def throttle_hit(subject: str, *, period: int, now: float | None = None) -> int:
    """Count one more request of ``subject`` in the current window of ``period`` seconds; the count so far."""
    window_start = int((time.time() if now is None else now) // period) * period
    if settings.VOTE_THROTTLE_STORE == "cache":
        return _cache_hit(subject, window_start, period)
    return _database_hit(subject, window_start)


def throttle_prune(*, period: int | None = None, now: float | None = None) -> int:
    """Delete the database counts of windows that have ended; how many were deleted."""
    if period is None:
        period = parse_rate(settings.VOTE_THROTTLE)[1]
    current = int((time.time() if now is None else now) // period) * period
    deleted, _ = ThrottleCount.objects.filter(window_start__lt=current).delete()
    return deleted


def check_upsert_support(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A system check: the database count needs SQLite 3.35 or later (``ON CONFLICT … RETURNING``)."""
    if settings.VOTE_THROTTLE_STORE != "database":
        return []
    connection = connections[router.db_for_write(ThrottleCount)]
    if connection.vendor == "sqlite" and sqlite3.sqlite_version_info < (3, 35):
        return [checks.Error(
            f"SQLite {sqlite3.sqlite_version} cannot count the vote throttle (INSERT … ON CONFLICT … "
            "RETURNING needs 3.35 or later).", hint="Use a newer SQLite or Python, PostgreSQL, or set REDIS_URL.",
            id="decisions.E001")]
    return []


def throttle_votes(view):
    """Limit POSTs to ``view`` per signed-in person (apply inside @login_required).

    Votes, evaluation sheets, party-topic votes and floor-consultation answers share one count per
    person: each is a cast on a ballot.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST" and request.user.is_authenticated:
            limit, period = parse_rate(settings.VOTE_THROTTLE)
            now = time.time()
            if throttle_hit(f"vote:{request.user.pk}", period=period, now=now) > limit:
                wait = max(1, period - int(now) % period)
                response = render(request, "429.html", {"wait": wait}, status=429)
                response["Retry-After"] = str(wait)
                return response
        return view(request, *args, **kwargs)

    return wrapped
