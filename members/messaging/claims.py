"""What every outbox shares: a row goes queued → sending → final, and no two senders send one row.

An outbox model (``SmsMessage``, ``WeChatMessage``) has ``status`` with ``queued`` and ``sending``,
``attempts``, ``next_attempt_at`` and ``claimed_at``.

- ``claim`` moves due rows from queued to sending (one more attempt) in a short transaction before
  they are sent: ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, and SQLite's IMMEDIATE
  transactions let one writer claim at a time, so two senders never get the same row.
- ``finish`` writes what became of a claimed row only while it is still "sending", so that a row
  given up meanwhile is not overwritten, and says whether it did.
- ``give_up_interrupted`` fails the rows a crash left "sending": they are not resent, because the
  provider may have sent them.
- ``drain`` is the scheduled job's loop: claim a few, send them, until none is due or time is up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import connection, models, transaction
from django.db.models import F

QUEUED, SENDING = "queued", "sending"


def claim(model: type[models.Model], *, now: datetime, ids: list[int] | None = None,
          limit: int = 100) -> list:
    """Move due rows of ``model`` from queued to sending and return them; no two senders get the same row."""
    with transaction.atomic():
        due = model.objects.filter(status=QUEUED, next_attempt_at__lte=now)
        if ids is not None:
            due = due.filter(pk__in=ids)
        due = due.order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        rows = list(due[:limit])
        if rows:
            model.objects.filter(pk__in=[row.pk for row in rows], status=QUEUED).update(
                status=SENDING, claimed_at=now, attempts=F("attempts") + 1)
    for row in rows:
        row.status, row.claimed_at, row.attempts = SENDING, now, row.attempts + 1
    return rows


def backoff(attempts: int, *, base_seconds: int) -> timedelta:
    """The wait before the next try after ``attempts`` tries: 1, 2, 4 … times ``base_seconds``."""
    return timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0))


def finish(row: models.Model, **changes) -> bool:
    """Write ``changes`` to a claimed row if it is still being sent (and to ``row``); say whether it was."""
    done = type(row).objects.filter(pk=row.pk, status=SENDING).update(**changes)
    for name, value in changes.items():
        setattr(row, name, value)
    return bool(done)


def give_up_interrupted(model: type[models.Model], *, now: datetime, timeout: int,
                        changes: Callable[[models.Model], dict]) -> int:
    """Fail the rows claimed more than ``timeout`` seconds ago and never finished; return how many."""
    given_up = 0
    for row in model.objects.filter(status=SENDING, claimed_at__lt=now - timedelta(seconds=timeout)):
        given_up += model.objects.filter(pk=row.pk, status=SENDING).update(**changes(row))
    return given_up


def drain(model: type[models.Model], *, send: Callable[[models.Model], None], now: datetime, limit: int,
          until: float) -> list:
    """Claim and send due rows ``limit`` at a time until none is due or ``time.monotonic()`` reaches ``until``.

    Returns the rows tried, as ``send`` left them.
    """
    tried = []
    while time.monotonic() < until:
        rows = claim(model, now=now, limit=limit)
        if not rows:
            break
        for row in rows:
            send(row)
        tried += rows
    return tried
