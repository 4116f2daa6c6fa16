"""Fill in a sheet: the ratings go into the core's secret ballot, the comments into an anonymous table."""

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation import services as core
from deliberation.models import Participation
from evaluations.models import Campaign, Comment, Evaluatee
from members.models import User

COMMENT_MAX = 1000


def comment_tag(campaign: Campaign, voice_key: str) -> str:
    """Ties one voice's comments together across changes, for a purpose of its own (not the core's tag)."""
    message = f"sanhui-evaluation-comment:{campaign.pk}:{voice_key}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


@transaction.atomic
def sheet_submit(*, campaign: Campaign, voter: User, ratings: dict[int, int], comments: dict[int, str],
                 expected_version: int | None = None) -> Participation:
    """Cast (or change) ``voter``'s secret sheet: one level per question, an optional comment per evaluatee."""
    campaign = Campaign.objects.select_related("ballot", "committee").get(pk=campaign.pk)
    if campaign.status != Campaign.Status.OPEN:
        raise ValidationError(_("This evaluation is %(s)s: sheets are not taken now.")
                              % {"s": campaign.get_status_display()}, code="not_open")
    now = timezone.now()
    if campaign.opens_at and now < campaign.opens_at:
        raise ValidationError(_("The online window has not opened yet."), code="window_not_open")
    if campaign.closes_at and now >= campaign.closes_at:
        raise ValidationError(_("The online window has closed."), code="window_closed")
    evaluatee_ids = set(campaign.evaluatees.values_list("pk", flat=True))
    texts = {int(pk): (text or "").strip() for pk, text in comments.items()}
    if not set(texts) <= evaluatee_ids:
        raise ValidationError(_("A comment was given for someone who is not evaluated here."), code="foreign_evaluatee")
    if any(len(text) > COMMENT_MAX for text in texts.values()):
        raise ValidationError(_("A comment may be at most %(n)s characters long.") % {"n": COMMENT_MAX},
                              code="comment_too_long")
    participation = core.vote_cast(ballot=campaign.ballot, voter=voter,
                                   choices={qid: [oid] for qid, oid in ratings.items()},
                                   expected_version=expected_version)
    tag = comment_tag(campaign, participation.voice.key)
    # A changed sheet replaces its comments; no comment row says who wrote it or when, beyond the day.
    Comment.objects.filter(campaign=campaign, tag=tag).delete()
    today = timezone.localdate()
    Comment.objects.bulk_create([Comment(campaign=campaign, evaluatee=Evaluatee(pk=pk), tag=tag, text=text,
                                         cast_on=today) for pk, text in sorted(texts.items()) if text])
    return participation


def comments_seal(campaign: Campaign) -> int:
    """At close: rewrite the campaign's comments in text order, with new random ids and no tag.

    Called in the closing transaction. Rows written while sheets were taken sit in the order they
    were cast (SQLite rowid, PostgreSQL heap order), which matches the register's order; rewritten
    sorted by text, they keep nothing of when or by whom.
    """
    rows = sorted(Comment.objects.filter(campaign=campaign).values_list("evaluatee_id", "text", "cast_on"),
                  key=lambda row: (row[0], row[1], row[2]))
    Comment.objects.filter(campaign=campaign).delete()
    Comment.objects.bulk_create([Comment(campaign=campaign, evaluatee_id=evaluatee_id, tag="", text=text,
                                         cast_on=cast_on) for evaluatee_id, text, cast_on in rows])
    return len(rows)
