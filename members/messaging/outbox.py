"""The SMS outbox: every SMS is a row, sent after commit, retried with back-off, capped, never twice.

    sms_enqueue(phone=user.phone, template="notice", params=[...], kind="reminder",
                dedupe_key=f"notice:{notification.pk}", user=user, committee=ballot.committee)

- The row is written in the caller's transaction (a rolled-back change sends nothing) and sent by
  ``transaction.on_commit``; what could not be sent is tried again by ``sms_send_due`` (the scheduled
  job), after 1, 2, 4 … minutes, up to ``SMS_MAX_ATTEMPTS``.
- ``dedupe_key`` is unique: a second message with the same key is not written. A message is claimed
  (queued → sending) before it is sent, so two senders never send one row, and a row left "sending"
  by a crash is failed as ``interrupted``, not resent (``members.messaging.claims``, shared with the
  WeChat outbox).
- Caps (``SMS_CAPS``): per number per hour and per day, per committee per day and for the whole site
  per day; over a cap the row is written as refused, with the cap's name, and nothing is sent.
  Writers of the outbox take turns (an advisory lock on PostgreSQL, the IMMEDIATE transaction on
  SQLite) so that two requests cannot both take the last message under a cap.
- The full number is kept only while the message may be sent; a login code is blanked as soon as
  it is sent or given up. Logs name the number masked (138****0001) and never a parameter.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from config.jobs import lock_key
from config.lifecycle import guard_move
from members.messaging import claims
from members.messaging.backends import Outcome, get_backend
from members.messaging.models import SmsMessage
from members.messaging.sms_templates import TEMPLATES
from members.phone import mask_phone

logger = logging.getLogger(__name__)

BLANKED = "******"
# What counts towards a cap: every message that was or may still be sent.
COUNTED = (SmsMessage.Status.QUEUED, SmsMessage.Status.SENDING, SmsMessage.Status.SENT,
           SmsMessage.Status.DELIVERED)


@dataclass
class Sms:
    """One SMS to put in the outbox."""

    phone: str
    template: str
    params: list[str] = field(default_factory=list)
    kind: str = ""
    dedupe_key: str = ""
    user_id: int | None = None
    committee_id: int | None = None
    send_before: datetime | None = None


def phone_key(phone: str) -> str:
    """A keyed hash of the number: the caps count a number's messages by it after the number is erased."""
    return hmac.new(f"sanhui-sms:{settings.SECRET_KEY}".encode(), phone.encode(), hashlib.sha256).hexdigest()


def _blank_secrets(template_name: str, params: list[str]) -> list[str]:
    template = TEMPLATES[template_name]
    return [BLANKED if name in template.secret else value for name, value in zip(template.params, params, strict=False)]


# --- Caps ------------------------------------------------------------------------------------

CAP_MESSAGES = {
    "phone_hour": lambda: _("Too many text messages were sent to this number in the last hour. "
                            "Please try again later."),
    "phone_day": lambda: _("Too many text messages were sent to this number today. Please try again tomorrow."),
    "committee_day": lambda: _("The committee has sent as many text messages today as it may. "
                               "Please try again tomorrow."),
    "site_day": lambda: _("The site has sent as many text messages today as it may. Please try again tomorrow."),
}


def _cap_counts(*, phone_keys: set[str], committee_ids: set[int], now: datetime) -> tuple[dict, dict, int]:
    day, hour = now - timedelta(days=1), now - timedelta(hours=1)
    recent = SmsMessage.objects.filter(created_at__gte=day, status__in=COUNTED)
    by_phone = {row["phone_key"]: (row["hour"], row["day"]) for row in
                recent.filter(phone_key__in=phone_keys).values("phone_key")
                .annotate(day=Count("id"), hour=Count("id", filter=Q(created_at__gte=hour)))}
    by_committee = dict(recent.filter(committee_id__in=committee_ids).values("committee_id")
                        .annotate(n=Count("id")).values_list("committee_id", "n")) if committee_ids else {}
    return by_phone, by_committee, recent.count()


def sms_cap_refusal(*, phone: str, committee_id: int | None = None) -> str:
    """The name of the first cap one more SMS to ``phone`` would pass ("" if none), for forms to ask first."""
    key = phone_key(phone)
    by_phone, by_committee, site = _cap_counts(phone_keys={key}, committee_ids={committee_id} - {None},
                                               now=timezone.now())
    return _refusal(by_phone.get(key, (0, 0)), by_committee.get(committee_id, 0) if committee_id else None, site)


def _refusal(phone_counts: tuple[int, int], committee_count: int | None, site_count: int) -> str:
    caps = settings.SMS_CAPS
    if phone_counts[0] >= caps["PHONE_HOUR"]:
        return "phone_hour"
    if phone_counts[1] >= caps["PHONE_DAY"]:
        return "phone_day"
    if committee_count is not None and committee_count >= caps["COMMITTEE_DAY"]:
        return "committee_day"
    if site_count >= caps["SITE_DAY"]:
        return "site_day"
    return ""


def cap_message(reason: str) -> str:
    """What to tell the person whose message a cap held back, in their language."""
    return CAP_MESSAGES[reason]() if reason in CAP_MESSAGES else ""


def _take_turn() -> None:
    """Let one outbox writer at a time count and write (see the module's docstring)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key("sms-outbox")])


# --- Writing ---------------------------------------------------------------------------------

def sms_enqueue_many(messages: list[Sms]) -> list[SmsMessage]:
    """Put each message in the outbox (refused if over a cap; skipped if its key was used); send after commit."""
    if not messages:
        return []
    for message in messages:
        if message.template not in TEMPLATES:
            raise ValueError(f"unknown SMS template {message.template!r}")
        if len(message.params) != len(TEMPLATES[message.template].params):
            raise ValueError(f"SMS template {message.template!r} takes {TEMPLATES[message.template].params}")
    now = timezone.now()
    with transaction.atomic():
        _take_turn()
        keyed = [(m, m.dedupe_key or f"sms:{uuid.uuid4().hex}") for m in messages]
        used = set(SmsMessage.objects.filter(dedupe_key__in=[key for _m, key in keyed])
                   .values_list("dedupe_key", flat=True))
        hashes = {id(m): phone_key(m.phone) for m, _key in keyed}
        by_phone, by_committee, site = _cap_counts(
            phone_keys=set(hashes.values()), committee_ids={m.committee_id for m, _k in keyed} - {None}, now=now)
        phone_hour = Counter({k: v[0] for k, v in by_phone.items()})
        phone_day = Counter({k: v[1] for k, v in by_phone.items()})
        committee_day = Counter(by_committee)
        rows = []
        for message, key in keyed:
            if key in used:
                continue
            used.add(key)
            pk = hashes[id(message)]
            refusal = _refusal((phone_hour[pk], phone_day[pk]),
                               committee_day[message.committee_id] if message.committee_id else None, site)
            if not refusal:
                phone_hour[pk] += 1
                phone_day[pk] += 1
                committee_day[message.committee_id] += 1
                site += 1
            template = TEMPLATES[message.template]
            rows.append(SmsMessage(
                kind=message.kind or message.template, template=template.name, template_id=template.template_id(),
                params=_blank_secrets(template.name, message.params) if refusal else list(message.params),
                phone="" if refusal else message.phone, recipient=mask_phone(message.phone), phone_key=pk,
                user_id=message.user_id, committee_id=message.committee_id, dedupe_key=key,
                status=SmsMessage.Status.REFUSED if refusal else SmsMessage.Status.QUEUED, reason=refusal,
                next_attempt_at=None if refusal else now, send_before=message.send_before,
                failed_at=now if refusal else None))
        created = SmsMessage.objects.bulk_create(rows)
    for row in created:
        if row.status == SmsMessage.Status.REFUSED:
            logger.warning("SMS %s to %s not sent: over the cap %s", row.kind, row.recipient, row.reason)
    ids = [row.pk for row in created if row.status == SmsMessage.Status.QUEUED]
    # A few messages (a login code, the heads to a ballot's scrutineers) go as soon as the change
    # commits; a large batch (a ballot's whole electorate) is left to the scheduled job, so that no
    # request waits on hundreds of calls to the provider.
    if ids and len(ids) <= settings.SMS_SEND_AT_ONCE:
        transaction.on_commit(lambda: sms_send(ids=ids), robust=True)
    return created


def sms_enqueue(*, phone: str, template: str, params: list[str] | None = None, kind: str = "",
                dedupe_key: str = "", user_id: int | None = None, committee_id: int | None = None,
                send_before: datetime | None = None) -> SmsMessage | None:
    """Put one SMS in the outbox and send it after commit; None when its key was already used."""
    created = sms_enqueue_many([Sms(phone=phone, template=template, params=list(params or []), kind=kind,
                                    dedupe_key=dedupe_key, user_id=user_id, committee_id=committee_id,
                                    send_before=send_before)])
    return created[0] if created else None


# --- Sending ---------------------------------------------------------------------------------

def _claim(*, now: datetime, ids: list[int] | None = None, limit: int = 100) -> list[SmsMessage]:
    return claims.claim(SmsMessage, now=now, ids=ids, limit=limit)


def _finish(row: SmsMessage, outcome: Outcome, *, provider: str, now: datetime) -> None:
    """Write what became of one claimed message; the number and any code go once it is final."""
    changes: dict = {"provider": provider, "reason": outcome.code}
    if outcome.status == Outcome.RETRY:
        retry_at = now + claims.backoff(row.attempts, base_seconds=settings.SMS_RETRY_SECONDS)
        if row.attempts < settings.SMS_MAX_ATTEMPTS and not (row.send_before and retry_at > row.send_before):
            changes.update(status=SmsMessage.Status.QUEUED, next_attempt_at=retry_at)
        else:
            outcome = Outcome(Outcome.FAILED, code=outcome.code)
    if outcome.status == Outcome.SENT:
        changes.update(status=SmsMessage.Status.SENT, sent_at=now, provider_id=outcome.provider_id[:80],
                       next_attempt_at=None)
    elif outcome.status == Outcome.FAILED:
        changes.update(status=SmsMessage.Status.FAILED, failed_at=now, next_attempt_at=None)
    if changes["status"] != SmsMessage.Status.QUEUED:
        changes.update(phone="", params=_blank_secrets(row.template, row.params))
    claims.finish(row, **changes)
    log = logger.info if row.status == SmsMessage.Status.SENT else logger.warning
    log("SMS %s to %s: %s (attempt %d)%s", row.kind, row.recipient, row.status, row.attempts,
        f" {outcome.code}" if outcome.code else "")


def _send_one(row: SmsMessage, *, now: datetime) -> None:
    backend = get_backend()
    template = TEMPLATES[row.template]
    if row.send_before and now > row.send_before:
        outcome = Outcome(Outcome.FAILED, code="expired")
    elif not row.template_id and backend.name in ("tencent", "aliyun"):
        outcome = Outcome(Outcome.FAILED, code="no_template_id")
    else:
        try:
            outcome = backend.send(phone=row.phone, template=template, template_id=row.template_id,
                                   params=list(row.params), reference=row.dedupe_key[:60])
        except Exception as exc:  # a gateway's surprise must not leave the row claimed forever
            logger.exception("SMS gateway %s raised on message %s", backend.name, row.pk)
            outcome = Outcome(Outcome.RETRY, code=type(exc).__name__[:80])
    _finish(row, outcome, provider=backend.name, now=now)


def sms_send(*, ids: list[int]) -> int:
    """Send the given messages now if they are still queued and due; return how many were sent."""
    rows = _claim(now=timezone.now(), ids=ids, limit=len(ids))
    for row in rows:
        _send_one(row, now=timezone.now())
    return sum(row.status == SmsMessage.Status.SENT for row in rows)


def sms_send_due(*, now: datetime | None = None, limit: int = 50) -> dict[str, int]:
    """Fail messages a crash left half sent, then send those due (first tries and retries).

    Claims ``limit`` messages at a time, until none is due or ``SMS_JOB_SECONDS`` have passed (the
    job runs every minute; the next run goes on where this one stopped).
    """
    until = time.monotonic() + settings.SMS_JOB_SECONDS
    now = now or timezone.now()
    failed = claims.give_up_interrupted(
        SmsMessage, now=now, timeout=settings.SMS_SENDING_TIMEOUT,
        changes=lambda row: {"status": SmsMessage.Status.FAILED, "failed_at": now, "reason": "interrupted",
                             "phone": "", "params": _blank_secrets(row.template, row.params),
                             "next_attempt_at": None})
    tried = claims.drain(SmsMessage, send=lambda row: _send_one(row, now=now), now=now, limit=limit, until=until)
    sent = sum(row.status == SmsMessage.Status.SENT for row in tried)
    return {"interrupted": failed, "tried": len(tried), "sent": sent, "delivered": sms_record_reports()}


def sms_record_reports() -> int:
    """Fetch the provider's delivery reports and mark the sent messages delivered; return how many.

    Tencent Cloud hands reports out on request (``PullSmsSendStatus``); a report of a message not
    delivered keeps it "sent" with the provider's reason. Alibaba Cloud sends its reports to a
    message queue this site does not read, so its messages stay "sent".
    """
    backend = get_backend()
    delivered = 0
    for report in backend.reports():
        if not report.provider_id:
            continue
        sent = SmsMessage.objects.filter(provider=backend.name, provider_id=report.provider_id,
                                         status=SmsMessage.Status.SENT)
        if report.delivered:
            delivered += sent.update(status=SmsMessage.Status.DELIVERED, delivered_at=report.at or timezone.now())
        else:
            sent.update(reason=f"undelivered {report.code}"[:80])
    return delivered


@transaction.atomic
def sms_retry(*, message: SmsMessage) -> SmsMessage:
    """Queue a failed or refused message again, to its person's number now (an administrator's retry)."""
    message = SmsMessage.objects.select_for_update(of=("self",)).select_related("user").get(pk=message.pk)
    guard_move(message, SmsMessage.Status.QUEUED, _("A message that is %(s)s cannot be tried again."))
    if TEMPLATES[message.template].secret:
        raise ValidationError(_("A login code is never sent again: the person asks for a new one."),
                              code="secret")
    if message.user is None or not message.user.phone:
        raise ValidationError(_("This message's recipient has no phone number on record any more."),
                              code="no_phone")
    now = timezone.now()
    message.status, message.phone, message.attempts = SmsMessage.Status.QUEUED, message.user.phone, 0
    message.recipient, message.phone_key = mask_phone(message.phone), phone_key(message.phone)
    message.next_attempt_at, message.failed_at, message.reason, message.send_before = now, None, "", None
    message.save(update_fields=["status", "phone", "attempts", "recipient", "phone_key", "next_attempt_at",
                                "failed_at", "reason", "send_before"])
    transaction.on_commit(lambda: sms_send(ids=[message.pk]), robust=True)
    return message
