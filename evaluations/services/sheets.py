"""Fill in a sheet: the ratings and the comments go sealed into the core's secret ballot box.

The comments are sealed in the sheet's paper beside the ratings (``extra``), so that nothing of
them is stored in the clear while sheets are taken. When the scrutineers open the box, the core
hands over the comments of the papers that count (``Campaign.sealed_extras_received``) and they
are written out at once, in random order, with no link to anyone.
"""

import json
import random
import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from decisions import frozen
from decisions import services as core
from decisions.models import Ballot, Participation
from evaluations.models import Campaign, Comment, Evaluatee
from evaluations.selectors import sheet_of
from members.models import User

COMMENT_MAX = 1000


def comment_length(text: str) -> int:
    """A comment's length in UTF-16 code units: a character outside the BMP (an emoji) counts twice.

    Measured so because the paper is UTF-8 JSON where, control characters aside (``comment_clean``
    drops them), each unit takes at most three bytes: COMMENT_MAX units always fit in the room
    ``comments_paper_bytes`` keeps.
    """
    return len(text.encode("utf-16-le")) // 2


def comment_clean(text: str) -> str:
    """A comment as typed, trimmed, without control characters but line breaks and tabs (JSON would
    write each as six bytes, and none means anything in a comment)."""
    return "".join(ch for ch in (text or "").strip() if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def comments_paper_bytes(campaign_id: int) -> int:
    """The largest the comments of one sheet can be in its paper: COMMENT_MAX units per evaluatee."""
    widest = {str(pk): "\u4e00" * COMMENT_MAX  # three bytes each in the paper, the most any unit takes
              for pk in Evaluatee.objects.filter(campaign_id=campaign_id).values_list("pk", flat=True)}
    return len(json.dumps(widest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def sheet_submit(*, campaign: Campaign, voter: User, ratings: dict[int, int | str], comments: dict[int, str],
                 expected_version: int | None = None) -> Participation:
    """Cast (or change) ``voter``'s secret sheet: one level per question, an optional comment per evaluatee.

    The one check of a sheet handed in: the campaign open and within its online window (read as
    stored now: only ``campaign.pk`` is used), the comments, then the core's own (a voice held on
    the campaign's ballot, every question rated among its levels, a change allowed, a double
    submit recorded once). Nothing is written unless every check passes.
    """
    fresh = (Campaign.objects.filter(pk=campaign.pk)
             .values("status", "opens_at", "closes_at", "ballot_id", "ballot__opened_at", "ballot__box_key").first())
    if fresh is None:
        raise ValidationError(_("This evaluation does not exist."), code="not_found")
    if fresh["status"] != Campaign.Status.OPEN:
        raise ValidationError(_("This evaluation is %(s)s: sheets are not taken now.")
                              % {"s": Campaign.Status(fresh["status"]).label}, code="not_open")
    now = timezone.now()
    if fresh["opens_at"] and now < fresh["opens_at"]:
        raise ValidationError(_("The online window has not opened yet."), code="window_not_open")
    if fresh["closes_at"] and now >= fresh["closes_at"]:
        raise ValidationError(_("The online window has closed."), code="window_closed")
    opening = frozen.opening(fresh["ballot_id"], fresh["ballot__opened_at"], fresh["ballot__box_key"])
    evaluatee_ids = {block.evaluatee.pk for block in sheet_of(campaign.pk, opening)}
    texts = {int(pk): comment_clean(text) for pk, text in comments.items()}
    if not set(texts) <= evaluatee_ids:
        raise ValidationError(_("A comment was given for someone who is not evaluated here."), code="foreign_evaluatee")
    if any(comment_length(text) > COMMENT_MAX for text in texts.values()):
        raise ValidationError(_("A comment may be at most %(n)s characters long.") % {"n": COMMENT_MAX},
                              code="comment_too_long")
    # Sealed with the ratings: a changed sheet's paper carries its own comments, and only the
    # papers that count are opened, so earlier comments are never written out.
    extra = {str(pk): text for pk, text in sorted(texts.items()) if text} or None
    return core.vote_cast(ballot=Ballot.by_id(fresh["ballot_id"]), voter=voter,
                          choices={qid: [oid] for qid, oid in ratings.items()},
                          expected_version=expected_version, extra=extra)


@transaction.atomic
def comments_unseal(*, campaign_id: int, extras: list) -> list[Comment]:
    """Write the comments of the counted sheets, opened from the box (in the box's opening transaction).

    ``extras`` come shuffled from the core; the comments are shuffled once more one by one, so that
    neither the order of rows nor their neighbours tell which comments came from the same sheet.
    One insert, random ids, no day: nothing lines a comment up with the register.
    """
    evaluatee_ids = set(Evaluatee.objects.filter(campaign_id=campaign_id).values_list("pk", flat=True))
    found = []
    for extra in extras:
        if not isinstance(extra, dict):
            continue
        for key, text in extra.items():
            # Papers are sealed by this server only; anything else is skipped, never half-written.
            if (str(key).isdigit() and int(key) in evaluatee_ids and isinstance(text, str) and text.strip()
                    and comment_length(text) <= COMMENT_MAX):
                found.append((int(key), text.strip()))
    random.SystemRandom().shuffle(found)
    return Comment.objects.bulk_create([Comment(campaign_id=campaign_id, evaluatee_id=evaluatee_id, text=text)
                                        for evaluatee_id, text in found])
