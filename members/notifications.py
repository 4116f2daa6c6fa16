"""Tell people about things: one call from any app's service, inside its transaction.

    notify(users=voters, kind=Notification.Kind.OPENING, title=..., url=ballot.get_absolute_url())

Rows are written in the caller's transaction, so a rolled-back change notifies no one; e-mail
is sent by ``transaction.on_commit``, never before the change is durable. People who turned the
kind off get nothing. ``dedupe_key`` makes a call idempotent per person (scheduled jobs that
may run twice pass e.g. ``"reminder:ballot:12"``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from members.models import Notification, NotificationOptOut, User

logger = logging.getLogger(__name__)


def notify(*, users: Iterable[User | int], kind: str, title: str, body: str = "", url: str = "",
           dedupe_key: str = "") -> list[Notification]:
    """Record a notification for each person who has not turned ``kind`` off; e-mail after commit."""
    if kind not in Notification.Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    user_ids = {u if isinstance(u, int) else u.pk for u in users}
    if not user_ids:
        return []
    user_ids -= set(NotificationOptOut.objects.filter(user_id__in=user_ids, kind=kind)
                    .values_list("user_id", flat=True))
    if dedupe_key:
        user_ids -= set(Notification.objects.filter(user_id__in=user_ids, dedupe_key=dedupe_key)
                        .values_list("user_id", flat=True))
    if not user_ids:
        return []
    with transaction.atomic():
        created = Notification.objects.bulk_create(
            Notification(user_id=user_id, kind=kind, title=title[:200], body=body, url=url[:300],
                         dedupe_key=dedupe_key)
            for user_id in sorted(user_ids)
        )
    ids = [n.pk for n in created]
    transaction.on_commit(lambda: send_notification_emails(ids))
    return created


def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail the given notifications to people who have an address; returns how many went out."""
    rows = list(Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
                .exclude(user__email="").select_related("user"))
    if not rows:
        return 0
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    messages = [
        EmailMessage(subject=n.title, body="\n\n".join(filter(None, [n.body, f"{base}{n.url}" if n.url else ""])),
                     to=[n.user.email])
        for n in rows
    ]
    try:
        sent = get_connection().send_messages(messages) or 0
    except OSError:
        # The site list still has every notification; a mail outage must not fail the request.
        logger.exception("notification e-mail failed for %d messages", len(messages))
        return 0
    Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=timezone.now())
    return sent


def set_opt_out(*, user: User, kind: str, off: bool) -> None:
    """Turn one kind of notification off (or back on) for this person."""
    if kind not in Notification.Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if off:
        NotificationOptOut.objects.get_or_create(user=user, kind=kind)
    else:
        NotificationOptOut.objects.filter(user=user, kind=kind).delete()
