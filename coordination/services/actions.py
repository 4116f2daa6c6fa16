"""Every write to the agreed actions: adding them to the draft agreement, progress, reminders."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.records import follow_up_move
from coordination import selectors as sel
from coordination.models import (
    CoordinationAction,
    CoordinationMeeting,
    CoordinationParticipant,
    CoordinationProgress,
)
from coordination.services.documents import _agreement_draft
from coordination.services.meetings import (
    _locked,
    _save,
    _tell,
    _text,
)
from members.models import Agency, Notification, User
from members.notifications import notify
from members.services import require_organizer_or_system as _require_organizer
from members.services import stamp as _stamp
from members.uploads import validate_attachment


@transaction.atomic
def action_add(*, meeting: CoordinationMeeting, by: User | None, description: str, due_date: date,
               owner_participant: CoordinationParticipant | None = None,
               owner_agency: Agency | None = None) -> CoordinationAction:
    """Add an action to the draft agreement: what, by whom (a party or an agency), by when."""
    meeting = _locked(meeting)
    _require_organizer(by, meeting.committee)
    _agreement_draft(meeting)
    description = _text(description, "description_required", _("Say what is to be done."))
    if (owner_participant is None) == (owner_agency is None):
        raise ValidationError(_("Choose one owner: a party or an agency."), code="owner_required")
    if owner_participant is not None and (owner_participant.meeting_id != meeting.pk or not owner_participant.is_party):
        raise ValidationError(_("The owner must be a party to this meeting."), code="foreign_owner")
    if owner_agency is not None and owner_agency.street_id != meeting.committee.street_id:
        raise ValidationError(_("That agency does not serve this street."), code="foreign_agency")
    if due_date is None:
        raise ValidationError(_("Give a due date."), code="due_required")
    number = (meeting.actions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    action = CoordinationAction(meeting=meeting, number=number, description=description, due_date=due_date,
                                owner_participant=owner_participant, owner_agency=owner_agency)
    _save(action, by)
    return action


@transaction.atomic
def action_remove(*, action: CoordinationAction, by: User | None) -> None:
    """Remove an action from the draft agreement (not once anything was reported on it)."""
    meeting = _locked(action.meeting)
    _require_organizer(by, meeting.committee)
    _agreement_draft(meeting)
    if action.progress.exists():
        raise ValidationError(_("Progress was reported on this action: it stays on record."), code="has_progress")
    _stamp(action, by).delete()



# --- Follow-up and escalation -----------------------------------------------------------------


@transaction.atomic
def action_progress(*, action: CoordinationAction, by: User, text: str, done: bool = False,
                    attachment=None) -> CoordinationProgress:
    """Report progress on an action (optionally with a photo or PDF, optionally marking it done)."""
    meeting = _locked(action.meeting)
    action = CoordinationAction.objects.select_for_update(of=("self",)).select_related(
        "owner_participant__agency", "owner_participant__user", "owner_agency").get(pk=action.pk)
    action.meeting = meeting
    if not sel.can_post_progress(by, action):
        raise PermissionDenied(_("Only the action's owner and the organizers may report progress on it."))
    if meeting.status not in CoordinationMeeting.FOLLOWED_UP:
        raise ValidationError(_("Progress is reported during the follow-up, not while the meeting is %(s)s.")
                              % {"s": meeting.get_status_display()}, code="invalid_state")
    if action.status == CoordinationAction.Status.DONE:
        raise ValidationError(_("This action is already done."), code="already_done")
    text = _text(text, "text_required", _("Write what was done."))
    name = ""
    if attachment:
        validate_attachment(attachment)
        name = attachment.name[:200]
    progress = CoordinationProgress(action=action, author=by, text=text, marks_done=bool(done),
                                    attachment=attachment or "", attachment_name=name)
    _save(progress, by)
    if done:
        follow_up_move(action, CoordinationAction.Status.DONE, by=by)
    people = sel.party_people(meeting) | sel.organizer_ids(meeting.committee) | sel.action_owner_people(action)
    _tell(meeting, people, by=by, message="coordination_action_done" if done else "coordination_action_progress",
          params={"n": action.number}, body=text)
    return progress



def remind_due_actions(*, today: date | None = None, days_before: int = 2) -> int:
    """Tell owners of actions due soon, and owners and organizers of overdue ones; safe to run twice."""
    today = today or timezone.localdate()
    due = (CoordinationAction.objects
           .filter(status=CoordinationAction.Status.OPEN, due_date__lte=today + timedelta(days=days_before),
                   meeting__status__in=CoordinationMeeting.FOLLOWED_UP)
           .select_related("meeting__committee", "owner_participant", "owner_agency"))
    sent = 0
    for action in due:
        overdue = action.due_date < today
        people = sel.action_owner_people(action)
        if overdue:
            people |= sel.organizer_ids(action.meeting.committee)
        with transaction.atomic():
            sent += len(notify(users=people, kind=Notification.Kind.ACTION, url=action.meeting.get_absolute_url(),
                               message="coordination_action_overdue" if overdue else "coordination_action_due",
                               params={"n": action.number, "d": action.due_date.isoformat(),
                                       "s": action.meeting.subject},
                               body=action.description,
                               dedupe_key=f"coordination:action:{action.pk}:{'overdue' if overdue else 'due'}"
                                          f":{action.due_date.isoformat()}"))
    return sent
