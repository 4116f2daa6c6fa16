"""Tell people about things: one call from any app's service, inside its transaction.

    notify(users=voters, kind=Notification.Kind.OPENING, message="ballot_open",
           params={"title": ballot.title, "committee": committee.name}, url=ballot.get_absolute_url())

The kind, the message's name and its parameters are stored, not words: each reader sees the title
and text in their own language (``members.notification_texts``, the registry of every message).

Rows are written in the caller's transaction, so a rolled-back change notifies no one; the outward
copy goes by the channel each person chose (``members.messaging.channels.send_outward``: SMS through
the outbox, e-mail, or the site only), never before the change is durable. People who turned the
kind off get nothing. ``dedupe_key`` makes a call idempotent per person (scheduled jobs that
may run twice pass e.g. ``"reminder:ballot:12"``); two runs racing each other are settled by the
unique constraint on (person, key): the loser skips the people the winner already told.

The person's own list (``notification_groups``, ``unread_count``), marking read and the
preferences (``set_opt_out``, ``notification_preferences_set``) live here too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, Count, F, Max, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone, translation

from members.models import Committee, Notification, NotificationOptOut, User

logger = logging.getLogger(__name__)


def _insert(user_ids: set[int], *, kind: str, message: str, params: dict, title: str, body: str, url: str,
            dedupe_key: str) -> list[Notification]:
    with transaction.atomic():
        return Notification.objects.bulk_create(
            Notification(user_id=user_id, kind=kind, message=message, params=params, title=title[:200], body=body,
                         url=url[:300], dedupe_key=dedupe_key)
            for user_id in sorted(user_ids)
        )


def _already_told(user_ids: set[int], dedupe_key: str) -> set[int]:
    return set(Notification.objects.filter(user_id__in=user_ids, dedupe_key=dedupe_key)
               .values_list("user_id", flat=True))


def notify(*, users: Iterable[User | int], kind: str, message: str = "", params: dict | None = None,
           title: str = "", body: str = "", url: str = "", dedupe_key: str = "",
           committee: Committee | int | None = None) -> list[Notification]:
    """Record a notification for each person who has not turned ``kind`` off; send the copies by their channels.

    ``message``: the name of one of the kind's messages (``members.notification_texts.MESSAGES``),
    rendered with ``params`` in each reader's language; ``body``: the author's own words shown as the
    text of a message that has none of its own. Without a message, ``title`` and ``body`` are shown
    as written (demo data). ``committee``: the committee the notification is about, whose daily SMS
    cap the copies count against.
    """
    from members.notification_texts import message_for, stored_param

    if kind not in Notification.Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if message and message_for(kind, message) is None:
        raise ValueError(f"unknown {kind} notification message {message!r}")
    if not message and not title:
        raise ValueError("a notification needs a message or a title")
    params = {key: stored_param(value) for key, value in (params or {}).items()}
    user_ids = {u if isinstance(u, int) else u.pk for u in users}
    if not user_ids:
        return []
    user_ids -= set(NotificationOptOut.objects.filter(user_id__in=user_ids, kind=kind)
                    .values_list("user_id", flat=True))
    if dedupe_key:
        user_ids -= _already_told(user_ids, dedupe_key)
    if not user_ids:
        return []
    try:
        created = _insert(user_ids, kind=kind, message=message, params=params, title=title, body=body, url=url,
                          dedupe_key=dedupe_key)
    except IntegrityError:
        if not dedupe_key:
            raise
        # A parallel run with the same key committed first (its savepoint above was rolled back
        # alone): tell only the people it did not.
        user_ids -= _already_told(user_ids, dedupe_key)
        created = _insert(user_ids, kind=kind, message=message, params=params, title=title, body=body, url=url,
                          dedupe_key=dedupe_key) if user_ids else []
    if created:
        from members.messaging.channels import send_outward

        send_outward(created, committee_id=committee if isinstance(committee, int) or committee is None
                     else committee.pk)
    return created


def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail the given notifications to people who have an address; returns how many went out."""
    rows = list(Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
                .exclude(user__email="").select_related("user"))
    if not rows:
        return 0
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    # People have no language of their own: the copies are in the site's.
    with translation.override(settings.LANGUAGE_CODE):
        messages = [
            EmailMessage(subject=n.shown_title,
                         body="\n\n".join(filter(None, [n.shown_body, f"{base}{n.url}" if n.url else ""])),
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


# --- Preferences ------------------------------------------------------------------------

def set_opt_out(*, user: User, kind: str, off: bool) -> None:
    """Turn one kind of notification off (or back on) for this person."""
    if kind not in Notification.Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if off:
        NotificationOptOut.objects.get_or_create(user=user, kind=kind)
    else:
        NotificationOptOut.objects.filter(user=user, kind=kind).delete()


def kinds_turned_off(user: User) -> set[str]:
    return set(NotificationOptOut.objects.filter(user=user).values_list("kind", flat=True))


@transaction.atomic
def notification_preferences_set(*, user: User, off: Iterable[str]) -> set[str]:
    """Make ``off`` exactly the kinds this person receives no notification of; return them."""
    off = set(off)
    unknown = off - set(Notification.Kind.values)
    if unknown:
        raise ValueError(f"unknown notification kinds {sorted(unknown)!r}")
    NotificationOptOut.objects.filter(user=user).exclude(kind__in=off).delete()
    have = kinds_turned_off(user)
    NotificationOptOut.objects.bulk_create(NotificationOptOut(user=user, kind=kind) for kind in sorted(off - have))
    return off


# --- The person's own list --------------------------------------------------------------

# A notification without a link is a subject of its own.
_SUBJECT = Case(When(url="", then=Concat(Value("#"), Cast("id", CharField()))), default=F("url"))


def notification_groups(user: User) -> QuerySet:
    """This person's notifications grouped by what they are about (one link, one group): per group the
    newest notification's id (``latest``), how many there are and how many are unread; groups with
    something unread first, then the newest first. Pair a page of them with ``notifications_by_id``."""
    return (Notification.objects.filter(user=user).annotate(subject=_SUBJECT).values("subject")
            .annotate(latest=Max("id"), newest=Max("created_at"), count=Count("id"),
                      unread=Count("id", filter=Q(read_at__isnull=True)))
            .order_by(F("unread").desc(), "-newest", "-latest"))


def notifications_by_id(ids: Iterable[int]) -> dict[int, Notification]:
    return Notification.objects.in_bulk(list(ids))


def unread_count_after_visit(request) -> int:
    """The signed-in person's unread count for the page's header, once what the page is about is read.

    Opening the thing a notification is about (a signed-in GET of its link) marks it read, with every
    other notification about the same thing. No write at all while nothing is unread, the case of
    most pages; else one update on the partial index of unread notifications.
    """
    user = request.user
    count = unread_count(user)
    if count and request.method == "GET":
        count -= notifications_mark_read_about(user=user, urls={request.path, request.get_full_path()})
    return count

def unread_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_for_user(user: User, pk: int) -> Notification | None:
    """One of this person's own notifications (None for anybody else's)."""
    return Notification.objects.filter(user=user, pk=pk).first()


@transaction.atomic
def notification_mark_read(*, notification: Notification, user: User) -> Notification:
    """Mark one of ``user``'s notifications read (reading it twice keeps the first time)."""
    if notification.user_id != user.pk:
        raise ValueError("a person can only mark their own notifications read")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_read_about(*, user: User, urls: Iterable[str]) -> int:
    """Mark read ``user``'s unread notifications about any of ``urls``; return how many were unread."""
    return Notification.objects.filter(user=user, read_at__isnull=True, url__in=[u for u in urls if u]) \
        .update(read_at=timezone.now())


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of ``user`` read; return how many were unread."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
