"""Follow-up items of party resolutions and floor agreed opinions, tracked to done."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from config.records import follow_up_move
from deliberation.models import Consultation, FollowUp, FollowUpNote, Topic
from deliberation.permissions import can_update_follow_up
from members.models import User


@transaction.atomic
def follow_up_add(*, parent: Topic | Consultation, by: User, what: str, owner: str, due_on: date) -> FollowUp:
    """Add an item to carry out a published resolution or agreed opinion."""
    parent = type(parent).objects.select_for_update(of=("self",)).get(pk=parent.pk)
    follow_up = FollowUp(topic=parent if isinstance(parent, Topic) else None,
                         consultation=parent if isinstance(parent, Consultation) else None)
    if not can_update_follow_up(by, follow_up):
        raise PermissionDenied(_("Only those who run this meeting may add follow-up items."))
    done = Topic.Status.DECIDED if isinstance(parent, Topic) else Consultation.Status.AGREED
    if parent.status != done:
        raise ValidationError(_("Follow-up items are added once the outcome is published (it is %(s)s now).")
                              % {"s": parent.get_status_display()}, code="not_published")
    what, owner = (what or "").strip(), (owner or "").strip()
    if not what or not owner or due_on is None:
        raise ValidationError(_("Say what is to be done, who does it and by when."), code="incomplete")
    follow_up.what, follow_up.owner, follow_up.due_on = what[:300], owner[:120], due_on
    follow_up._history_user = by
    follow_up.save()
    return follow_up


@transaction.atomic
def follow_up_note_add(*, follow_up: FollowUp, by: User, text: str, status: str) -> FollowUpNote:
    """Record progress (and the new status) on a follow-up item; members see every note."""
    follow_up = FollowUp.objects.select_for_update(of=("self",)).select_related(
        "topic__committee", "consultation__building__compound__committee").get(pk=follow_up.pk)
    if not can_update_follow_up(by, follow_up):
        raise PermissionDenied(_("Only those who run this meeting may record progress."))
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write what has been done."), code="empty")
    if status not in FollowUp.Status.values:
        raise ValidationError(_("Choose a status among those offered."), code="invalid_choice")
    if status != follow_up.status:
        follow_up_move(follow_up, status, by=by)
    return FollowUpNote.objects.create(follow_up=follow_up, text=text[:2000], status=status, written_by=by)
