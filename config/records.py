"""The meeting apps' two shared record shapes: a versioned, hashed, confirmed document and a follow-up item.

Hearings, coordination meetings, party deliberation, floor consultations and evaluations may not
import each other, so what they share sits here, below all of them; it depends on Django alone.
Both are abstract models without fields: a model that takes one keeps its table and columns.

- ``HashedVersion``: one version of a text that people confirm (hearing minutes, a coordination
  record or agreement). Submitting it freezes it with the SHA-256 of what is shown
  (``content_hash``); ``hash_ok`` tells the pages when the stored text no longer matches, which
  only an edit behind the platform's back can cause. A correction is a new version with a reason.
- ``FollowUpItem``: one thing to do by a date, with a ``TRANSITIONS`` table ending in ``DONE``
  and a ``done_at`` time (party and floor follow-ups, coordination actions, rectifications);
  ``is_overdue`` and ``follow_up_move`` are the one reading of "late" and the one way to move it.
"""

import hashlib
import json
from datetime import date

from django.db import models
from django.utils import timezone

from config.lifecycle import Lifecycle, guard_move


def content_hash(content: str | dict | list) -> str:
    """SHA-256 of a text, or of a JSON value written canonically (sorted keys, no spaces, UTF-8)."""
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False, sort_keys=True,
                                                                  separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class HashedVersion(models.Model):
    """A version frozen with the hash of its content; the model says what it hashes and when it is frozen."""

    class Meta:
        abstract = True

    def hashed_content(self) -> str | dict:
        """What the hash covers: exactly what people read and confirm."""
        raise NotImplementedError

    @property
    def is_frozen(self) -> bool:
        raise NotImplementedError

    def compute_hash(self) -> str:
        return content_hash(self.hashed_content())

    @property
    def hash_ok(self) -> bool:
        """False when frozen text no longer matches its hash: an edit behind the app's back."""
        return not self.is_frozen or self.compute_hash() == self.content_hash


class FollowUpItem(Lifecycle):
    """Something to do by a due date, moved along its ``TRANSITIONS`` until ``DONE``."""

    DONE = "done"
    DUE_FIELD = "due_on"
    # The statuses in which a passed due date makes the item overdue; None: every status but DONE.
    LATE_IN: tuple[str, ...] | None = None

    class Meta:
        abstract = True

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        late_in = self.LATE_IN if self.LATE_IN is not None else tuple(s for s in self.TRANSITIONS if s != self.DONE)
        return self.status in late_in and getattr(self, self.DUE_FIELD) < today


def follow_up_move(item: FollowUpItem, status: str, *, by, fields: tuple[str, ...] = ()) -> FollowUpItem:
    """Move a locked follow-up item: the guard, ``done_at`` set on done and cleared on reopening, history by ``by``.

    ``fields`` names further fields the caller set on the item and that are saved with the move.
    """
    guard_move(item, status)
    item.status = status
    item.done_at = timezone.now() if status == item.DONE else None
    if by is not None:
        item._history_user = by
    item.save(update_fields=["status", "done_at", *fields])
    return item
