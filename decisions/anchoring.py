"""Lifecycle events leave the database: an RFC 3161 time-stamp over each, checked by verify_audit.

A forger who drops the triggers can rewrite a ballot's chains, rows and history consistently; only
a copy kept outside the database shows it. The printed heads are such a copy if someone keeps the
print. This one needs nobody: a time-stamp authority (TSA) signs, with its own clock, the hash of
each lifecycle entry (``imprint``), and the token is stored beside the ledger (``Anchor``). A
rewritten entry then has a token for another hash, or a token obtained now, later than the event's
own time ("at" in its payload) by more than ``ANCHOR_TOLERANCE``; and a deleted token leaves an
anchored event without one.

The TSA is asked after the commit, never inside the transaction: a slow or absent authority must
not hold the ballot's lock nor fail a close. What could not be had is asked again by the scheduled
job (``fetch_pending`` in ``run_ballot_schedule``, every minute). With ``TSA_URL`` unset nothing is
sent and nothing is stored.

The token's message imprint is SHA-256 over ``sanhui-anchor:<chain>:<seq>:<entry hash>``, so
anyone can check one with ``openssl ts -verify -digest <imprint hex> -in <token> -token_in
-CAfile <root>`` without this code.
"""

import hashlib
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from decisions.models import Anchor, Ballot, LedgerEntry

logger = logging.getLogger(__name__)

# The lifecycle events that get a token: every move of a ballot's status and the box's opening.
ANCHORED_EVENTS = frozenset({"opened", "closed", "published", "box_opened", "box_recounted", "cancelled",
                             "not_counted"})
MAX_REPLY_BYTES = 64 * 1024  # a token with a certificate chain is a few kilobytes


def _message(chain: str, seq: int, entry_hash: str) -> bytes:
    return f"sanhui-anchor:{chain}:{seq}:{entry_hash}".encode()


def imprint(chain: str, seq: int, entry_hash: str) -> bytes:
    """The digest the TSA signs for one chain entry (the token's message imprint)."""
    return hashlib.sha256(_message(chain, seq, entry_hash)).digest()


# --- Asking -------------------------------------------------------------------------------------

def anchor_event(ballot: Ballot, entry: LedgerEntry) -> Anchor | None:
    """Record ``entry`` as to be time-stamped, and ask the TSA once the transaction commits.

    Call inside the transaction that appended ``entry``. Does nothing without ``TSA_URL`` or for an
    entry that is not an anchored event.
    """
    if not settings.TSA_URL:
        return None
    event = json.loads(entry.payload).get("event")
    if event not in ANCHORED_EVENTS:
        return None
    anchor = Anchor.objects.create(ballot=ballot, event=event, chain=entry.chain, seq=entry.seq,
                                   entry_hash=entry.hash, requested_at=timezone.now())
    # robust: whatever happens there, the event is committed and the caller's answer stands.
    transaction.on_commit(lambda: fetch_pending([anchor.pk]), robust=True)
    return anchor


class _Unreachable(Exception):
    """The TSA could not be reached or did not answer in time (worth no second try this run)."""


class _Refused(Exception):
    """The TSA answered, but not with a token for this request."""


def _obtain(anchor: Anchor) -> None:
    """Ask the TSA for ``anchor``'s token and store it; raise ``_Unreachable`` or ``_Refused``."""
    if anchor.token is not None:
        return
    digest = imprint(anchor.chain, anchor.seq, anchor.entry_hash)
    request = (TimestampRequestBuilder().data(_message(anchor.chain, anchor.seq, anchor.entry_hash))
               .hash_algorithm(HashAlgorithm.SHA256).nonce(nonce=True).cert_request(cert_request=True).build())
    if not settings.TSA_URL.startswith(("https://", "http://")):  # urllib would also open file: URLs
        raise _Refused("TSA_URL is not an http(s) URL")
    http = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        settings.TSA_URL, data=request.as_bytes(), method="POST",
        headers={"Content-Type": "application/timestamp-query", "Accept": "application/timestamp-reply"})
    try:
        with urllib.request.urlopen(http, timeout=settings.TSA_TIMEOUT) as reply:  # noqa: S310
            body = reply.read(MAX_REPLY_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise _Refused(f"HTTP status {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:  # refused, unresolvable, timed out, TLS
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        if not isinstance(reason, BaseException):
            reason = exc
        # The class and errno text only: an exception's text may repeat the URL, which can hold a key.
        text = getattr(reason, "strerror", None) or ("timed out" if isinstance(reason, TimeoutError) else "")
        raise _Unreachable(f"{type(reason).__name__} {text}".strip()) from None
    if len(body) > MAX_REPLY_BYTES:
        raise _Refused("the reply is larger than a time-stamp response")
    try:
        response = decode_timestamp_response(body)
    except ValueError:
        raise _Refused("the reply is not a time-stamp response") from None
    if response.status != PKIStatus.GRANTED:
        raise _Refused(f"PKI status {response.status}")
    info = response.tst_info
    if info.nonce != request.nonce or info.message_imprint.message != digest:
        raise _Refused("the token is for another request")
    token = response.time_stamp_token()
    # Filled once: if the job and an on-commit request both got a token, the first one stays.
    Anchor.objects.filter(pk=anchor.pk, token__isnull=True).update(token=token, gen_time=info.gen_time)
    anchor.token, anchor.gen_time = token, info.gen_time
    problem = _token_problem(token, digest)
    if problem:  # kept all the same: the operator may fix TSA_CERTIFICATE, the token stays good
        logger.warning("time-stamp for %s#%s does not verify: %s", anchor.chain, anchor.seq, problem)


def fetch(anchor: Anchor) -> bool:
    """Ask the TSA for ``anchor``'s token and store it; False if it could not be had (logged, never raised)."""
    return _try(anchor) == "ok"


def _try(anchor: Anchor) -> str:
    try:
        _obtain(anchor)
    except _Unreachable as exc:
        logger.warning("time-stamp for %s#%s not obtained, TSA unreachable: %s", anchor.chain, anchor.seq, exc)
        return "unreachable"
    except Exception as exc:  # a close or the schedule must never fail because of the TSA
        reason = str(exc) if isinstance(exc, _Refused) else type(exc).__name__
        logger.warning("time-stamp for %s#%s not obtained: %s", anchor.chain, anchor.seq, reason)
        return "refused"
    return "ok"


def fetch_pending(anchor_ids: Iterable[int] | None = None) -> int:
    """Ask for every token still missing (or those of ``anchor_ids``); return how many were obtained.

    Stops at the first TSA that cannot be reached: the rest wait for the next run instead of each
    waiting out the timeout.
    """
    if not settings.TSA_URL:
        return 0
    pending = Anchor.objects.filter(token__isnull=True).order_by("pk")
    if anchor_ids is not None:
        pending = pending.filter(pk__in=list(anchor_ids))
    obtained = 0
    for anchor in pending:
        outcome = _try(anchor)
        if outcome == "unreachable":
            break
        obtained += outcome == "ok"
    return obtained


# --- Checking -----------------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _trust(path: str, modified: int) -> tuple[list[x509.Certificate], list[x509.Certificate],
                                             list[x509.Certificate]]:
    """(roots, intermediates, the TSA's own certificates) from the PEM file at ``path``."""
    roots, intermediates, tsas = [], [], []
    for cert in x509.load_pem_x509_certificates(Path(path).read_bytes()):
        try:
            usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        except x509.ExtensionNotFound:
            usage = []
        if x509.ExtendedKeyUsageOID.TIME_STAMPING in usage:
            tsas.append(cert)
        if cert.issuer == cert.subject:
            roots.append(cert)
        elif x509.ExtendedKeyUsageOID.TIME_STAMPING not in usage:
            intermediates.append(cert)
    return roots, intermediates, tsas


def _response(token: bytes) -> TimeStampResponse:
    """A granted TimeStampResp around a stored token (the verifier reads responses, not tokens)."""
    body = bytes.fromhex("3003020100") + token  # status: PKIStatusInfo { granted }

    size = len(body)
    length = bytes([size]) if size < 0x80 else (
        bytes([0x80 | (size.bit_length() + 7) // 8]) + size.to_bytes((size.bit_length() + 7) // 8, "big"))
    return decode_timestamp_response(b"\x30" + length + body)


def _token_problem(token: bytes, digest: bytes) -> str | None:
    """Why ``token`` is not a valid time-stamp over ``digest`` by the configured TSA, or None."""
    path = settings.TSA_CERTIFICATE
    if not path:
        return _("no TSA certificate configured (TSA_CERTIFICATE): the time-stamp cannot be checked")
    try:
        roots, intermediates, tsas = _trust(path, Path(path).stat().st_mtime_ns)
    except (OSError, ValueError) as exc:
        return _("the TSA certificate file cannot be read: %(error)s") % {"error": exc}
    if not roots:
        return _("the TSA certificate file holds no root (self-signed) certificate")
    # A TSA certificate in the file is pinned: a token signed by another TSA under the same root is
    # refused. Several (one renewed) pin any of them.
    error = None
    for tsa in tsas or [None]:
        builder = VerifierBuilder(roots=list(roots), intermediates=list(intermediates), tsa_certificate=tsa)
        try:
            builder.build().verify(_response(token), digest)
        except (ValueError, VerificationError) as exc:
            error = error or exc
        else:
            return None
    return _("the time-stamp token does not verify: %(error)s") % {"error": error}


def entry_problem(anchor: Anchor, entry) -> str | None:
    """Whether ``anchor`` still belongs to ``entry`` (a LedgerEntry or ledger.Entry, or None)."""
    if entry is None:
        return _("a time-stamp for an entry that no longer exists")
    if entry.hash != anchor.entry_hash:
        return _("the entry's hash is %(now)s, the time-stamp was requested for %(then)s: "
                 "the chain was rewritten") % {"now": entry.hash[:12] + "…", "then": anchor.entry_hash[:12] + "…"}
    try:
        event = json.loads(entry.payload).get("event")
    except (ValueError, AttributeError):
        event = None
    if event != anchor.event:
        return _("the time-stamp is for a “%(anchored)s” event, the entry is “%(event)s”") % {
            "anchored": anchor.event, "event": event}
    return None


def verify(anchor: Anchor, entry=None) -> str | None:
    """What is wrong with ``anchor``, or None: its token must be the TSA's over its entry's hash now,
    obtained within ``ANCHOR_TOLERANCE`` of the event's own time.

    ``entry``: the chain entry at the anchor's (chain, seq), if the caller has read it already.
    """
    if entry is None:
        entry = LedgerEntry.objects.filter(chain=anchor.chain, seq=anchor.seq).first()
    problem = entry_problem(anchor, entry)
    if problem:
        return problem
    if anchor.token is None:
        return _("no time-stamp token yet")
    token = bytes(anchor.token)
    problem = _token_problem(token, imprint(anchor.chain, anchor.seq, anchor.entry_hash))
    if problem:
        return problem
    gen_time = _response(token).tst_info.gen_time
    if anchor.gen_time != gen_time:
        return _("the time-stamp row says %(row)s, its token %(token)s") % {
            "row": anchor.gen_time.isoformat() if anchor.gen_time else "-", "token": gen_time.isoformat()}
    try:
        at = datetime.fromisoformat(json.loads(entry.payload)["at"])
    except (ValueError, KeyError, TypeError):
        return _("the entry has no valid time (“at”) to compare with its time-stamp")
    if timezone.is_naive(at):
        return _("the entry has no valid time (“at”) to compare with its time-stamp")
    if gen_time - at > settings.ANCHOR_TOLERANCE:
        return _("time-stamped %(late)s after the event's own time (%(at)s): the entry was written or "
                 "rewritten later than it says") % {"late": duration_text(gen_time - at), "at": at.isoformat()}
    return None


def duration_text(delta: timedelta) -> str:
    """``2 h 05 min``."""
    minutes = round(delta.total_seconds() / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"
