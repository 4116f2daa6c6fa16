"""Heads that leave the database: the printed results notice (公示) and the messages at each step.

Whoever holds the database can rewrite a ballot's chains consistently; a copy of the heads kept
outside it shows the rewrite. Besides the time-stamps (``anchoring``), two copies are made here:

* at opening, close and publication, once the transaction has committed, the heads of every chain
  go to the ballot's scrutineers and to the officers of its street: by SMS (the first 16 hex digits
  of each hash, to stay short) and by e-mail (whole hashes, ready for ``verify_audit
  --expect-head``). Only the ballot's id and title, the step and the heads are sent: nothing
  secret. A failure to send is logged and never undoes the step;
* the A4 results notice the organizers print and post (``notice_context``): dates, counts, the
  sealed box, every head at opening, close and publication written in full, the time-stamps, and
  a QR code of the ballot's page.
"""

import json
import logging
from io import BytesIO

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from decisions import ledger, selectors, subjects
from decisions.models import Anchor, Ballot, LedgerEntry, Scrutineer
from members.models import Role, User
from members.permissions import can_manage_committee
from members.phone import send_sms

logger = logging.getLogger(__name__)

SMS_HASH_DIGITS = 16
SMS_TITLE_CHARS = 20
# The steps whose heads are sent out, as the messages name them.
EVENTS = {"opened": gettext_lazy("voting opened"), "closed": gettext_lazy("voting closed"),
          "published": gettext_lazy("result published")}


def grouped(digest: str, size: int = 4) -> list[str]:
    """``digest`` in groups of ``size`` characters, the way one reads it aloud or compares it."""
    return [digest[i:i + size] for i in range(0, len(digest), size)]


def expect_head(chain: str, head: dict) -> str:
    """The head as ``verify_audit --expect-head`` reads it: ``CHAIN:SEQ:HASH``."""
    return f"{chain}:{head['seq']}:{head['hash']}"


# --- Sending the heads ------------------------------------------------------------------------

def heads_send(*, ballot: Ballot, event: str, heads: dict) -> None:
    """Send ``heads`` (as they stand after ``event``) to the scrutineers and the street office, after the commit.

    Call inside the transaction that appended the event. Nothing is scheduled when nobody can be
    reached. robust: whatever happens while sending, the step is committed and the caller's answer stands.
    """
    user_ids = [user.pk for user in heads_recipients(ballot)]
    if not user_ids:
        return
    heads = {chain: {"seq": head["seq"], "hash": head["hash"]} for chain, head in heads.items()}
    transaction.on_commit(lambda: heads_deliver(ballot_id=ballot.pk, event=event, heads=heads, user_ids=user_ids),
                          robust=True)


def heads_recipients(ballot: Ballot) -> list[User]:
    """The scrutineers of ``ballot`` and the officers of its committee's street who have a phone or an
    e-mail address, each once."""
    officers = Role.objects.filter(kind=Role.Kind.STREET_OFFICER, street_id=ballot.committee.street_id)
    return list(User.objects.filter(Q(pk__in=Scrutineer.objects.filter(ballot=ballot).values("user_id"))
                                    | Q(pk__in=officers.values("user_id")), is_active=True)
                .exclude(Q(phone__isnull=True) | Q(phone=""), email="").order_by("pk"))


def _sms_params(ballot: Ballot, event: str, heads: dict, *, titled: bool) -> tuple[str, list[str]]:
    """The approved template ("heads" or "heads_titled") and its parameters."""
    heads_text = "; ".join(f"{chain}#{head['seq']} {head['hash'][:SMS_HASH_DIGITS]}"
                           for chain, head in sorted(heads.items()))
    if titled:
        return "heads_titled", [str(ballot.pk), Truncator(ballot.title).chars(SMS_TITLE_CHARS), str(EVENTS[event]),
                                heads_text]
    return "heads", [str(ballot.pk), str(EVENTS[event]), heads_text]


def _email(ballot: Ballot, event: str, heads: dict, *, titled: bool, to: str) -> EmailMessage:
    at = {"opened": ballot.opened_at, "closed": ballot.closed_at, "published": ballot.published_at}[event]
    params = {"id": ballot.pk, "event": EVENTS[event], "title": ballot.title, "committee": ballot.committee.name,
              "at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""}
    lines = [_("%(committee)s, ballot %(id)s “%(title)s”: %(event)s at %(at)s.") % params if titled
             else _("Ballot %(id)s: %(event)s at %(at)s.") % params, "",
             _("The heads of its audit chains now (chain, entry number, hash):")]
    lines += [f"  {chain} #{head['seq']} {head['hash']}" for chain, head in sorted(heads.items())]
    lines += ["", _("Keep this message: it is a copy of the audit record outside the database. Anyone can "
                    "check the record against it at any time with:"),
              f"  python manage.py verify_audit --ballot {ballot.pk} "
              + " ".join(f"--expect-head {expect_head(chain, head)}" for chain, head in sorted(heads.items()))]
    if titled:
        lines += ["", settings.SITE_URL.rstrip("/") + ballot.get_absolute_url()]
    return EmailMessage(subject=_("Ballot %(id)s, %(event)s: chain heads") % params, body="\n".join(lines), to=[to])


def heads_deliver(*, ballot_id: int, event: str, heads: dict, user_ids: list[int]) -> int:
    """Send the heads now, in the site's language; return how many messages went out.

    Each failure is logged (never the number or the address) and the others still go. The title is
    left out for a person who may not see the ballot (a party vote, for an officer of the street).
    """
    ballot = Ballot.objects.select_related("committee").get(pk=ballot_id)
    sent, mails = 0, []
    with translation.override(settings.LANGUAGE_CODE):
        for user in User.objects.filter(pk__in=user_ids).order_by("pk"):
            titled = subjects.of(ballot).may_see_ballot(user, ballot)
            if user.phone:
                template, params = _sms_params(ballot, event, heads, titled=titled)
                try:
                    # Through the outbox: sent at once, retried by the scheduled job, once per key.
                    message = send_sms(phone=user.phone, template=template, params=params, kind="heads",
                                       dedupe_key=f"heads:{ballot_id}:{event}:{user.pk}", user_id=user.pk,
                                       committee_id=ballot.committee_id)
                    sent += message is not None and message.status != message.Status.REFUSED
                except Exception as exc:  # one gateway error must not keep the heads from the others
                    logger.warning("heads of ballot %s (%s) not sent by SMS: %s", ballot_id, event,
                                   type(exc).__name__)
            if user.email:
                mails.append(_email(ballot, event, heads, titled=titled, to=user.email))
    if mails:
        try:
            sent += get_connection().send_messages(mails) or 0
        except Exception as exc:
            logger.warning("heads of ballot %s (%s) not sent by e-mail: %s", ballot_id, event, type(exc).__name__)
    return sent


# --- The results notice -----------------------------------------------------------------------

def may_see_notice(user: User, ballot: Ballot) -> bool:
    """From opening on for the organizers; once published for everyone who may view the ballot.

    The caller has checked that ``user`` may view ``ballot`` (``ballot_for_viewer_or_404``).
    """
    if ballot.opened_at is None:  # a draft, or cancelled as one: no heads yet
        return False
    return ballot.status == Ballot.Status.PUBLISHED or can_manage_committee(user, ballot.committee)


def _chain_label(chain: str) -> str:
    part = chain.partition(":")[2]
    return {"": _("Lifecycle"), "register": _("Register of who took part"),
            "contents": _("Anonymous papers")}.get(part, chain)


def _hash_lines(digest: str) -> list[str]:
    """A 64-digit hash as two printed lines of eight groups of four."""
    groups = grouped(digest)
    return [" ".join(groups[i:i + 8]) for i in range(0, len(groups), 8)]


def head_rows(heads: dict) -> list[dict]:
    """Heads as the notice prints them, sorted by chain; each hash whole and in groups of four."""
    return [{"chain": chain, "label": _chain_label(chain), "seq": head["seq"], "hash": head["hash"],
             "lines": _hash_lines(head["hash"]), "expect": expect_head(chain, head)}
            for chain, head in sorted((heads or {}).items())]


def _late_events(ballot: Ballot) -> dict[str, tuple[LedgerEntry, dict]]:
    """The lifecycle entries from the "closed" event on (or the "cancelled" one of a ballot cancelled
    while open), by event, with their payloads: the only ones whose heads the ballot row does not keep."""
    chain = ledger.ballot_chain(ballot.pk)
    closed = (ballot.heads_at_close or {}).get(chain)
    entries = LedgerEntry.objects.filter(chain=chain)
    if closed:
        entries = entries.filter(seq__gte=closed["seq"]).order_by("seq")
    elif ballot.status == Ballot.Status.CANCELLED:
        entries = entries.order_by("-seq")[:1]
    else:
        return {}
    found = {}
    for entry in entries:
        try:
            payload = json.loads(entry.payload)
        except ValueError:
            continue
        if isinstance(payload, dict) and payload.get("event"):
            found[payload["event"]] = (entry, payload)
    return found


def qr_svg(url: str) -> str:
    """An inline SVG QR code of ``url`` (one path; no XML declaration, so it sits in HTML)."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    out = BytesIO()
    qrcode.make(url, image_factory=SvgPathImage, box_size=10, border=4).save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg"):]


def notice_context(user: User, ballot: Ballot) -> dict:
    """What the results notice prints besides the core's facts and results blocks (the view adds
    those when ``counts``), read with a fixed number of queries.

    ``steps``: each step the ballot went through, with its time, its time-stamp (``Anchor``) and the
    heads it left: every chain's at opening and close (as the ballot row keeps them), the lifecycle
    entry's for the later steps; and at close the sealed papers that count and the hash of their list.
    """
    late = _late_events(ballot)
    anchors = {anchor.event: anchor for anchor in
               Anchor.objects.filter(ballot=ballot).only("event", "chain", "seq", "gen_time").order_by("seq")}
    steps = []
    for event, label, at in (("opened", pgettext("notice step", "Voting opened"), ballot.opened_at),
                             ("closed", pgettext("notice step", "Voting closed"), ballot.closed_at),
                             ("box_opened", pgettext("notice step", "Ballot box opened by the scrutineers"),
                              ballot.box_opened_at),
                             ("published", pgettext("notice step", "Result published"), ballot.published_at),
                             ("cancelled", pgettext("notice step", "Ballot cancelled"), ballot.cancelled_at)):
        if at is None:
            continue
        step = {"event": event, "label": label, "at": at, "anchor": anchors.get(event), "box": None}
        if event == "opened":
            step["heads"] = head_rows(ballot.heads_at_open)
        elif event == "closed":
            step["heads"] = head_rows(ballot.heads_at_close)
            box = late.get("closed", (None, {}))[1].get("box")
            if isinstance(box, dict):
                step["box"] = {"papers": box.get("papers"), "list": str(box.get("list", "")),
                               "lines": _hash_lines(str(box.get("list", "")))}
        else:
            entry = late.get(event, (None, None))[0]
            step["heads"] = head_rows({entry.chain: {"seq": entry.seq, "hash": entry.hash}}) if entry else []
        steps.append(step)
    url = settings.SITE_URL.rstrip("/") + ballot.get_absolute_url()
    return {
        "ballot": ballot,
        "complete": ballot.status == Ballot.Status.PUBLISHED,
        "counts": selectors.can_see_result(user, ballot),  # never for a subject that shows its own results
        "steps": steps,
        "tsa": bool(settings.TSA_URL) or bool(anchors),
        "absolute_url": url,
        "qr": qr_svg(url),
        "is_organizer": can_manage_committee(user, ballot.committee),
        "printed_on": timezone.localdate(),
    }
