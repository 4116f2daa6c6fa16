"""When a meeting may start and end: one home for the rule that the hearing pages, the coordination pages
and their services all ask.

A hearing session or a coordination meeting may start from ``settings.MEETING_START_GRACE`` before its
announced time; a coordination meeting may conclude from the day in its notice on. Earlier is allowed
only with a reason, which the meeting's page shows to everyone who can see it.
"""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone


def too_early_to_start(announced: datetime | None, now: datetime | None = None) -> bool:
    """True before the announced time less the grace (a meeting without a time is never early)."""
    return announced is not None and (now or timezone.now()) < announced - settings.MEETING_START_GRACE


def too_early_to_conclude(noticed: datetime | None, now: datetime | None = None) -> bool:
    """True before the local day of the noticed time."""
    if noticed is None:
        return False
    return timezone.localdate(now or timezone.now()) < timezone.localdate(noticed)


def early_reason(*, early: bool, reason: str, message: str, code: str) -> str:
    """The reason to keep: required when ``early``, dropped otherwise (nothing to explain)."""
    reason = " ".join((reason or "").split())[:500]
    if not early:
        return ""
    if not reason:
        raise ValidationError(message, code=code)
    return reason
