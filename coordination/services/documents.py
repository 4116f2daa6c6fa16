"""Every write to a meeting's record and agreement: drafts, submission, confirmation, correction.

A submitted version is frozen with a SHA-256 hash of its content; when everyone who must confirm
it has, it is final; a correction is a new version with a reason.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import selectors as sel
from coordination.models import (
    CoordinationConfirmation,
    CoordinationDocument,
    CoordinationMeeting,
    CoordinationParticipant,
)
from coordination.services.meetings import (
    Doc,
    Status,
    _locked,
    _move,
    _save,
    _tell,
    _tell_parties,
    _text,
)
from members.models import Notification, User
from members.services import require_organizer_or_system as _require_organizer


def _locked_document(document: CoordinationDocument) -> CoordinationDocument:
    return (CoordinationDocument.objects.select_for_update(of=("self",))
            .select_related("meeting__committee__street").get(pk=document.pk))


def _require_draft(document: CoordinationDocument) -> None:
    if not document.is_draft or document.superseded_at is not None:
        raise ValidationError(
            _("Version %(v)d of the %(k)s has been submitted and is frozen: make a correction instead.")
            % {"v": document.version, "k": document.get_kind_display()}, code="frozen")


@transaction.atomic
def document_edit(*, document: CoordinationDocument, by: User | None, body: str,
                  points_in_dispute: str = "") -> CoordinationDocument:
    """Change a draft record or agreement."""
    document = _locked_document(document)
    _require_organizer(by, document.meeting.committee)
    _require_draft(document)
    document.body = _text(body, "text_required", _("The text cannot be empty."))
    document.points_in_dispute = (points_in_dispute or "").strip() if document.kind == Doc.RECORD else ""
    _save(document, by, ["body", "points_in_dispute"])
    return document


def _agreement_draft(meeting: CoordinationMeeting) -> CoordinationDocument:
    agreement = sel.current_document(meeting, Doc.AGREEMENT)
    if agreement is None:
        raise ValidationError(_("This meeting has no agreement to add actions to."), code="no_agreement")
    _require_draft(agreement)
    return agreement



def _content(document: CoordinationDocument) -> dict:
    meeting = document.meeting
    content = {"meeting": meeting.pk, "subject": meeting.subject, "kind": document.kind,
               "version": document.version, "text": document.body,
               "parties": [p.name for p in sel.participants(meeting) if p.is_party],
               "participants": [p.name for p in sel.participants(meeting) if not p.is_party]}
    if document.kind == Doc.RECORD:
        content["points_in_dispute"] = document.points_in_dispute
        content["statements"] = [{"who": s.participant.name, "text": s.text} for s in sel.statements(meeting)]
    else:
        content["actions"] = [{"number": a.number, "what": a.description, "owner": a.owner_name,
                               "due": a.due_date.isoformat()} for a in sel.actions(meeting)]
    return content


@transaction.atomic
def document_submit(*, document: CoordinationDocument, by: User | None) -> CoordinationDocument:
    """Freeze the draft's content and ask those who must confirm it."""
    document = _locked_document(document)
    meeting = document.meeting
    _require_organizer(by, meeting.committee)
    _require_draft(document)
    if document.kind == Doc.AGREEMENT and not meeting.actions.exists():
        raise ValidationError(_("An agreement lists at least one action: who does what by when."),
                              code="no_actions")
    document.content = _content(document)
    document.content_hash = document.compute_hash()
    document.submitted_at = timezone.now()
    _save(document, by, ["content", "content_hash", "submitted_at"])
    _tell(meeting, sel.people_of(sel.required_confirmers(document)), by=by, kind=Notification.Kind.RESULT,
          message="coordination_confirm", params={"k": CoordinationDocument.Kind(document.kind).label})
    return document


def _require_awaiting(document: CoordinationDocument) -> None:
    if not document.awaiting:
        raise ValidationError(_("Version %(v)d of the %(k)s is not waiting for confirmation.")
                              % {"v": document.version, "k": document.get_kind_display()}, code="not_awaiting")


def _finish_if_complete(document: CoordinationDocument, by: User | None) -> None:
    required = set(sel.required_confirmers(document).values_list("pk", flat=True))
    confirmed = set(document.confirmations.values_list("participant_id", flat=True))
    if not required <= confirmed:
        return
    document.finalized_at = timezone.now()
    _save(document, by, ["finalized_at"])
    meeting = _locked(document.meeting)
    if meeting.status != Status.CONCLUDING or not meeting.agreement_reached:
        return
    current = {d.kind: d for d in meeting.documents.filter(superseded_at__isnull=True)}
    if all(kind in current and current[kind].is_final for kind in (Doc.RECORD, Doc.AGREEMENT)):
        _move(meeting, Status.FOLLOW_UP, by, "follow_up_at")
        _tell_parties(meeting, by=by, message="coordination_agreement_final")


@transaction.atomic
def document_confirm(*, document: CoordinationDocument, by: User) -> list[CoordinationConfirmation]:
    """Confirm the submitted record or agreement for every row ``by`` speaks for."""
    document = _locked_document(document)
    _require_awaiting(document)
    required = {p.pk for p in sel.required_confirmers(document)}
    rows = [p for p in sel.participant_rows_of(by, document.meeting) if p.pk in required]
    if not rows:
        raise PermissionDenied(_("You are not asked to confirm this %(k)s.") % {"k": document.get_kind_display()})
    done = set(document.confirmations.values_list("participant_id", flat=True))
    created = []
    for row in rows:
        if row.pk not in done:
            confirmation = CoordinationConfirmation(document=document, participant=row, user=by)
            _save(confirmation, by)
            created.append(confirmation)
    if not created:
        raise ValidationError(_("You have already confirmed this %(k)s.") % {"k": document.get_kind_display()},
                              code="already_confirmed")
    _finish_if_complete(document, by)
    return created


@transaction.atomic
def document_record_paper(*, document: CoordinationDocument, by: User | None,
                          participant: CoordinationParticipant) -> CoordinationConfirmation:
    """Record that a participant signed the printed record or agreement."""
    document = _locked_document(document)
    _require_organizer(by, document.meeting.committee)
    _require_awaiting(document)
    if not sel.required_confirmers(document).filter(pk=participant.pk).exists():
        raise ValidationError(_("%(p)s is not asked to confirm this.") % {"p": participant.name},
                              code="not_required")
    if document.confirmations.filter(participant=participant).exists():
        raise ValidationError(_("%(p)s has already confirmed.") % {"p": participant.name}, code="already_confirmed")
    confirmation = CoordinationConfirmation(document=document, participant=participant, on_paper=True,
                                            recorded_by=by)
    _save(confirmation, by)
    _finish_if_complete(document, by)
    return confirmation


@transaction.atomic
def document_correct(*, document: CoordinationDocument, by: User | None, reason: str, body: str,
                     points_in_dispute: str = "") -> CoordinationDocument:
    """Correct a submitted or final document: a new draft version with a reason; the old one stays."""
    document = _locked_document(document)
    meeting = document.meeting
    _require_organizer(by, meeting.committee)
    if document.is_draft or document.superseded_at is not None:
        raise ValidationError(_("Only the current submitted version can be corrected; edit a draft directly."),
                              code="not_correctable")
    if meeting.status in (Status.CLOSED, Status.CANCELLED):
        raise ValidationError(_("The record of a meeting that is %(s)s cannot be corrected.")
                              % {"s": meeting.get_status_display()}, code="invalid_state")
    reason = _text(reason, "reason_required", _("Give the reason for the correction."))
    body = _text(body, "text_required", _("The text cannot be empty."))
    document.superseded_at = timezone.now()
    _save(document, by, ["superseded_at"])
    new = CoordinationDocument(meeting=meeting, kind=document.kind, version=document.version + 1, body=body,
                               points_in_dispute=(points_in_dispute or "").strip() if document.kind == Doc.RECORD
                               else "", correction_reason=reason, created_by=by)
    _save(new, by)
    _tell_parties(meeting, by=by, body=reason,
                  message="coordination_correcting", params={"k": CoordinationDocument.Kind(document.kind).label})
    return new
