"""The WeChat outbox: every official-account message is a row, sent after commit, retried, never twice.

    wechat_enqueue_many([WeChat(user_id=..., openid=..., data=..., url=..., kind="opening",
                                dedupe_key=f"notice:{notification.pk}", notification_id=notification.pk)])

- The rows are written in the caller's transaction (a rolled-back change sends nothing) and sent by
  ``transaction.on_commit`` when there are at most ``WECHAT_SEND_AT_ONCE``; a larger batch (a
  ballot's whole electorate), and whatever WeChat asked to try later, is sent by ``wechat_send_due``
  (the scheduled job ``messages_send_due``), after 1, 2, 4 … times ``WECHAT_RETRY_SECONDS``, up to
  ``WECHAT_MAX_ATTEMPTS`` attempts.
- ``dedupe_key`` is unique, and a row is claimed before it is sent (``members.messaging.claims``,
  the SMS outbox's own claiming), so no key is sent twice, however many senders run.
- A message WeChat finally does not take (the person no longer follows the account, the openid is
  invalid, the template is refused, or WeChat stayed busy through the last attempt) goes by SMS
  instead: its notification's SMS copy, through the SMS outbox and its caps, once (the SMS key is
  the notification's). The row records it. A row a crash left "being sent" is failed as
  ``interrupted`` and neither resent nor texted: WeChat may have delivered it.
- The openid is kept only while the message may be sent; logs name the row and the masked openid,
  never the template data.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.messaging import claims
from members.messaging.channels import sms_copy
from members.messaging.outbox import sms_enqueue_many
from members.models import Notification, SmsMessage, WeChatMessage
from members.wechat import messages
from members.wechat.messages import SendResult, mask_openid

logger = logging.getLogger(__name__)


@dataclass
class WeChat:
    """One official-account message to put in the outbox."""

    openid: str
    data: dict[str, str]
    kind: str
    dedupe_key: str
    url: str = ""
    user_id: int | None = None
    committee_id: int | None = None
    notification_id: int | None = None
    template_id: str = field(default_factory=lambda: settings.WECHAT_MP_TEMPLATE_ID)


# --- Writing ---------------------------------------------------------------------------------

def wechat_enqueue_many(batch: list[WeChat]) -> list[WeChatMessage]:
    """Put each message in the outbox in the caller's transaction (skipped if its key was used); send after commit."""
    if not batch:
        return []
    try:
        with transaction.atomic():
            created = _insert(batch)
    except IntegrityError:
        # A parallel writer committed one of these keys first (its savepoint above was rolled back
        # alone): write only the others.
        created = _insert(batch)
    ids = [row.pk for row in created]
    # A few messages go as soon as the change commits; a whole electorate is left to the scheduled
    # job, so that no request waits on hundreds of calls to WeChat.
    if ids and len(ids) <= settings.WECHAT_SEND_AT_ONCE:
        transaction.on_commit(lambda: wechat_send(ids=ids), robust=True)
    return created


def _insert(batch: list[WeChat]) -> list[WeChatMessage]:
    used = set(WeChatMessage.objects.filter(dedupe_key__in=[m.dedupe_key for m in batch])
               .values_list("dedupe_key", flat=True))
    now = timezone.now()
    rows = []
    for message in batch:
        if message.dedupe_key in used:
            continue
        used.add(message.dedupe_key)
        rows.append(WeChatMessage(
            kind=message.kind, user_id=message.user_id, committee_id=message.committee_id,
            notification_id=message.notification_id, openid=message.openid, recipient=mask_openid(message.openid),
            template_id=message.template_id, data=dict(message.data), url=message.url,
            dedupe_key=message.dedupe_key, next_attempt_at=now))
    return WeChatMessage.objects.bulk_create(rows)


# --- Sending ---------------------------------------------------------------------------------

def _send_one(row: WeChatMessage, *, now: datetime) -> None:
    try:
        result = messages.template_message_send(openid=row.openid, template_id=row.template_id,
                                                data=dict(row.data), url=row.url)
    except Exception as exc:  # a surprise must not leave the row claimed forever
        logger.exception("WeChat message %s raised", row.pk)
        result = SendResult(messages.RETRY, type(exc).__name__)
    _finish(row, result, now=now)


def _finish(row: WeChatMessage, result: SendResult, *, now: datetime) -> None:
    """Write what became of one claimed message; the openid goes once it is final."""
    changes: dict = {"reason": result.reason[:120], "errcode": result.errcode}
    if result.status == messages.SENT:
        changes.update(status=WeChatMessage.Status.SENT, sent_at=now, msgid=result.msgid[:40], openid="",
                       next_attempt_at=None)
        claims.finish(row, **changes)
    elif result.status == messages.RETRY and row.attempts < settings.WECHAT_MAX_ATTEMPTS:
        changes.update(status=WeChatMessage.Status.QUEUED,
                       next_attempt_at=now + claims.backoff(row.attempts, base_seconds=settings.WECHAT_RETRY_SECONDS))
        claims.finish(row, **changes)
    else:
        with transaction.atomic():
            changes.update(status=WeChatMessage.Status.FAILED, failed_at=now, openid="", next_attempt_at=None)
            if claims.finish(row, **changes):
                _fall_back_to_sms(row)
    log = logger.info if row.status == WeChatMessage.Status.SENT else logger.warning
    log("WeChat %s %s to %s: %s (attempt %d)%s%s", row.kind, row.pk, row.recipient, row.status, row.attempts,
        f" {row.reason}" if row.reason else "", f", then {row.fallback}" if row.fallback else "")


def _fall_back_to_sms(row: WeChatMessage) -> None:
    """Send the row's notification by SMS instead (within the SMS caps), once; record it on the row."""
    notification = (Notification.objects.select_related("user").filter(pk=row.notification_id).first()
                    if row.notification_id else None)
    if notification is None:
        fallback, sms = WeChatMessage.Fallback.NOT_A_NOTICE, None
    elif not (notification.user.phone and notification.user.is_active):
        fallback, sms = WeChatMessage.Fallback.NO_PHONE, None
    else:
        copy = sms_copy(notification, committee_id=row.committee_id)
        created = sms_enqueue_many([copy])
        sms = created[0] if created else SmsMessage.objects.filter(dedupe_key=copy.dedupe_key).first()
        fallback = WeChatMessage.Fallback.SMS
    WeChatMessage.objects.filter(pk=row.pk).update(fallback=fallback, fallback_sms=sms)
    row.fallback, row.fallback_sms = fallback, sms


def wechat_send(*, ids: list[int]) -> int:
    """Send the given messages now if they are still queued and due; return how many were sent."""
    rows = claims.claim(WeChatMessage, now=timezone.now(), ids=ids, limit=len(ids))
    for row in rows:
        _send_one(row, now=timezone.now())
    return sum(row.status == WeChatMessage.Status.SENT for row in rows)


def wechat_send_due(*, now: datetime | None = None, limit: int = 50) -> dict[str, int]:
    """Fail messages a crash left half sent, then send those due (first tries and retries).

    Claims ``limit`` messages at a time, until none is due or ``WECHAT_JOB_SECONDS`` have passed
    (the job runs every minute; the next run goes on where this one stopped).
    """
    until = time.monotonic() + settings.WECHAT_JOB_SECONDS
    now = now or timezone.now()
    interrupted = claims.give_up_interrupted(
        WeChatMessage, now=now, timeout=settings.WECHAT_SENDING_TIMEOUT,
        changes=lambda row: {"status": WeChatMessage.Status.FAILED, "failed_at": now, "reason": "interrupted",
                             "openid": "", "next_attempt_at": None})
    tried = claims.drain(WeChatMessage, send=lambda row: _send_one(row, now=now), now=now, limit=limit,
                         until=until)
    return {"interrupted": interrupted, "tried": len(tried),
            "sent": sum(row.status == WeChatMessage.Status.SENT for row in tried),
            "by_sms": sum(row.fallback == WeChatMessage.Fallback.SMS for row in tried)}
