"""The time-stamps of a ballot's lifecycle events against its lifecycle chain (decisions.anchoring).

Only with ``TSA_URL`` set: a deployment without a time-stamp authority has no tokens to check.
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from decisions import anchoring
from decisions.models import Anchor

if TYPE_CHECKING:
    from decisions.audit.ballot import BallotAudit

TABLE = "deliberation_anchor"


def check_anchors(audit: "BallotAudit") -> None:
    """Every anchored event has a token, valid, over its entry as it is now, and obtained in time."""
    if not settings.TSA_URL:
        return
    chain = audit.lifecycle
    anchors = {(anchor.chain, anchor.seq): anchor for anchor in
               Anchor.objects.filter(Q(ballot=audit.ballot) | Q(chain=chain)).order_by("chain", "seq")}
    now = timezone.now()
    for seq, payload in audit.items(chain):
        if payload.get("event") not in anchoring.ANCHORED_EVENTS:
            continue
        anchor = anchors.pop((chain, seq), None)
        if anchor is None:
            audit.add(_("no time-stamp token: deleted, or the chain was rewritten"), chain=chain, seq=seq)
            continue
        _check(audit, anchor, audit.entries[chain][seq], now)
    # Tokens whose entry is gone, or is no longer an anchored event (its payload was rewritten).
    for anchor in anchors.values():
        _check(audit, anchor, audit.entries.get(anchor.chain, {}).get(anchor.seq), now)


def _check(audit: "BallotAudit", anchor: Anchor, entry, now) -> None:
    where = {"chain": anchor.chain, "seq": anchor.seq, "table": TABLE, "row": str(anchor.pk)}
    if anchor.ballot_id != audit.ballot.pk or anchor.chain != audit.lifecycle:
        audit.add(_("the time-stamp belongs to ballot %(ballot)s and chain %(chain)s, not to this ballot's "
                    "lifecycle chain") % {"ballot": anchor.ballot_id, "chain": anchor.chain}, **where)
        return
    if anchor.token is None:
        # Still being asked for (the TSA may be down): a problem only once it is overdue.
        problem = anchoring.entry_problem(anchor, entry)
        if problem is None and now - anchor.requested_at > settings.ANCHOR_TOLERANCE:
            problem = _("time-stamp still missing %(age)s after it was requested: is the time-stamp authority "
                        "reachable?") % {"age": anchoring.duration_text(now - anchor.requested_at)}
    else:
        problem = anchoring.verify(anchor, entry)
    if problem:
        audit.add(problem, **where)
