"""Every write to a coordination meeting's lifecycle: one function per move, guard clauses first.

requested → scheduling (accepted) | declined; scheduling → noticed → in session → concluding
(record and agreement confirmed) → follow-up → closed, or escalated to the street → closed;
scheduling and noticed may be cancelled. The record and agreement are in ``documents``, the agreed
actions and their follow-up in ``actions``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from config.lifecycle import guard_move
from coordination import selectors as sel
from coordination.models import (
    CoordinationAction,
    CoordinationDocument,
    CoordinationMeeting,
    CoordinationNotice,
    CoordinationParticipant,
    CoordinationSettings,
    CoordinationStatement,
)
from members import timing
from members.models import Agency, Committee, Household, Notification, User
from members.notifications import notify
from members.permissions import can_manage_committee, can_view_street
from members.selectors import is_verified_resident
from members.services import require_organizer_or_system as _require_organizer
from members.services import stamp as _stamp

Status = CoordinationMeeting.Status
Kind = CoordinationParticipant.Kind
Doc = CoordinationDocument.Kind


def _save(instance: Model, by: User | None, fields: list[str] | None = None) -> None:
    _stamp(instance, by).save(update_fields=fields)


def _locked(meeting: CoordinationMeeting) -> CoordinationMeeting:
    return (CoordinationMeeting.objects.select_for_update(of=("self",))
            .select_related("committee__street").get(pk=meeting.pk))


def _move(meeting: CoordinationMeeting, status: str, by: User | None, stamp: str | None, **fields) -> None:
    guard_move(meeting, status)
    meeting.status = status
    names = ["status", *fields]
    for name, value in fields.items():
        setattr(meeting, name, value)
    if stamp:
        setattr(meeting, stamp, timezone.now())
        names.append(stamp)
    _save(meeting, by, names)


def _tell(meeting: CoordinationMeeting, user_ids, *, message: str, params: dict | None = None, body: str = "",
          kind=Notification.Kind.ACTION, by: User | None = None, dedupe_key: str = "") -> None:
    """Tell these people (not the one acting) about the meeting: ``message`` of ``members.notification_texts``,
    with the meeting's subject as ``s`` besides ``params``."""
    ids = set(user_ids) - ({by.pk} if by is not None else set())
    notify(users=ids, kind=kind, message=message, params={"s": meeting.subject, **(params or {})}, body=body,
           url=meeting.get_absolute_url(), dedupe_key=dedupe_key)


def _tell_parties(meeting: CoordinationMeeting, *, message: str, params: dict | None = None, body: str = "",
                  by: User | None = None, kind=Notification.Kind.ACTION) -> None:
    people = sel.party_people(meeting)
    if meeting.requested_by_id and meeting.status not in (Status.REQUESTED,):
        people.add(meeting.requested_by_id)
    _tell(meeting, people, message=message, params=params, body=body, by=by, kind=kind)


def _when(meeting: CoordinationMeeting) -> str:
    return timezone.localtime(meeting.scheduled_at).strftime("%Y-%m-%d %H:%M") if meeting.scheduled_at else ""


def _text(value: str, code: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message, code=code)
    return value


# --- Settings ---------------------------------------------------------------------------


@transaction.atomic
def coordination_settings_set(*, committee: Committee, by: User | None, notice_days: int) -> CoordinationSettings:
    """Set the committee's minimum notice to parties, in days."""
    _require_organizer(by, committee)
    if not 1 <= int(notice_days) <= 60:
        raise ValidationError(_("The notice period is between 1 and 60 days."), code="invalid_notice_days")
    settings_row = CoordinationSettings.objects.filter(committee=committee).first() or CoordinationSettings(
        committee=committee)
    settings_row.notice_days = int(notice_days)
    _save(settings_row, by)
    return settings_row


# --- Request, open, accept, decline --------------------------------------------------------


@transaction.atomic
def coordination_request(*, committee: Committee, by: User, subject: str, request_text: str,
                         other_parties_text: str = "", agency: Agency | None = None) -> CoordinationMeeting:
    """A resident asks the committee for a coordination meeting."""
    if not is_verified_resident(by, committee=committee):
        raise PermissionDenied(_("Only verified residents of %(c)s may ask it for a coordination meeting.")
                               % {"c": committee})
    subject = _text(subject, "subject_required", _("Say what the meeting is about."))
    request_text = _text(request_text, "request_required", _("Say what you ask for."))
    if agency is not None and not agency.committees.filter(pk=committee.pk).exists() and not (
            agency.compounds.filter(committee=committee).exists()):
        raise ValidationError(_("That agency does not serve %(c)s.") % {"c": committee}, code="foreign_agency")
    meeting = CoordinationMeeting(committee=committee, subject=subject, request_text=request_text,
                                  other_parties_text=(other_parties_text or "").strip()[:300], requested_by=by,
                                  requested_agency=agency, created_by=by, status=Status.REQUESTED)
    _save(meeting, by)
    _tell(meeting, sel.organizer_ids(committee), by=by, kind=Notification.Kind.ANNOUNCEMENT,
          message="coordination_requested")
    return meeting


@transaction.atomic
def coordination_open(*, committee: Committee, by: User | None, subject: str,
                      request_text: str = "") -> CoordinationMeeting:
    """An organizer opens a coordination meeting; parties are added next."""
    _require_organizer(by, committee)
    subject = _text(subject, "subject_required", _("Say what the meeting is about."))
    meeting = CoordinationMeeting(committee=committee, subject=subject, request_text=(request_text or "").strip(),
                                  created_by=by, status=Status.SCHEDULING)
    _save(meeting, by)
    return meeting


@transaction.atomic
def coordination_accept(*, meeting: CoordinationMeeting, by: User | None) -> CoordinationMeeting:
    """Accept a resident's request: the requester (and the agency they named) become parties."""
    meeting = _locked(meeting)
    _require_organizer(by, meeting.committee)
    _move(meeting, Status.SCHEDULING, by, "decided_at", decided_by=by)
    _add_row(meeting, by, kind=Kind.RESIDENT, user=meeting.requested_by)
    if meeting.requested_agency_id:
        agency = meeting.requested_agency
        _add_row(meeting, by, agency=agency,
                 kind=Kind.PROPERTY_FIRM if agency.kind == Agency.Kind.PROPERTY_FIRM else Kind.AGENCY)
    _tell(meeting, {meeting.requested_by_id}, by=by, kind=Notification.Kind.RESULT,
          message="coordination_accepted")
    return meeting


@transaction.atomic
def coordination_decline(*, meeting: CoordinationMeeting, by: User | None, reason: str) -> CoordinationMeeting:
    """Decline a resident's request, with a reason they will read."""
    meeting = _locked(meeting)
    _require_organizer(by, meeting.committee)
    reason = _text(reason, "reason_required", _("Give the resident the reason for declining."))
    _move(meeting, Status.DECLINED, by, "decided_at", decided_by=by, decline_reason=reason[:500])
    _tell(meeting, {meeting.requested_by_id}, by=by, kind=Notification.Kind.RESULT, body=reason,
          message="coordination_declined")
    return meeting


# --- Preparing: time, place, participants, notice -----------------------------------------------


@transaction.atomic
def coordination_schedule(*, meeting: CoordinationMeeting, by: User | None, scheduled_at: datetime,
                          place: str) -> CoordinationMeeting:
    """Set the time and place (before notice is given)."""
    meeting = _locked(meeting)
    _require_organizer(by, meeting.committee)
    if meeting.status != Status.SCHEDULING:
        raise ValidationError(_("The time and place of a meeting that is %(s)s cannot change.")
                              % {"s": meeting.get_status_display()}, code="invalid_state")
    place = _text(place, "place_required", _("Say where the meeting is held."))
    if scheduled_at <= timezone.now():
        raise ValidationError(_("The meeting must be in the future."), code="in_the_past")
    meeting.scheduled_at, meeting.place = scheduled_at, place[:200]
    _save(meeting, by, ["scheduled_at", "place"])
    return meeting


def _days_ahead(meeting: CoordinationMeeting) -> int:
    return (meeting.scheduled_at - timezone.now()) // timedelta(days=1)


def _check_notice_period(meeting: CoordinationMeeting) -> int:
    days, needed = _days_ahead(meeting), sel.notice_days(meeting.committee)
    if days < needed:
        raise ValidationError(
            _("Notice must reach each party at least %(n)d days before the meeting; the meeting is only "
              "%(d)d days away. Move the meeting later.") % {"n": needed, "d": max(days, 0)},
            code="notice_too_late")
    return days


def _add_row(meeting: CoordinationMeeting, by: User | None, *, kind: str, user: User | None = None,
             household: Household | None = None, agency: Agency | None = None,
             label: str = "", organisation: str = "", phone: str = "") -> CoordinationParticipant:
    row = CoordinationParticipant(meeting=meeting, kind=kind, is_party=kind in CoordinationParticipant.PARTY_KINDS,
                                  user=user, household=household, agency=agency, label=(label or "").strip()[:120],
                                  organisation=organisation, phone=phone)
    try:
        with transaction.atomic():
            _save(row, by)
    except IntegrityError:
        raise ValidationError(_("%(p)s already takes part in this meeting.") % {"p": row.name},
                              code="duplicate_participant") from None
    return row


@transaction.atomic
def participant_add(*, meeting: CoordinationMeeting, by: User | None, kind: str, user: User | None = None,
                    household: Household | None = None, agency: Agency | None = None,
                    label: str = "", name: str = "", organisation: str = "",
                    phone: str = "") -> CoordinationParticipant:
    """Add a party or another participant; a party added after notice is noticed at once.

    A person without an account (a mediator, a police officer, a lawyer, a firm's representative) is
    added by ``name``, with their organisation and, for the organizers only, a phone: the organizer
    gives them notice and takes their confirmation on paper.
    """
    meeting = _locked(meeting)
    _require_organizer(by, meeting.committee)
    if kind not in Kind.values:
        raise ValidationError(_("Choose what kind of participant this is."), code="invalid_kind")
    is_party = kind in CoordinationParticipant.PARTY_KINDS
    if meeting.status not in CoordinationMeeting.OPEN_FOR_PARTICIPANTS or (
            is_party and meeting.status == Status.IN_SESSION):
        raise ValidationError(_("No one can be added to a meeting that is %(s)s.")
                              % {"s": meeting.get_status_display()}, code="invalid_state")
    if kind in CoordinationParticipant.AGENCY_KINDS:
        if agency is None:
            raise ValidationError(_("Choose the agency or property firm."), code="agency_required")
        if agency.street_id != meeting.committee.street_id:
            raise ValidationError(_("That agency does not serve this street."), code="foreign_agency")
        household, user = None, None
    elif kind == Kind.HOUSEHOLD:
        if household is None or household.building.compound.committee_id != meeting.committee_id:
            raise ValidationError(_("Choose a household of this committee."), code="household_required")
        user, agency = None, None
    else:
        name = " ".join((name or "").split())[:120]
        if user is None and not name:
            raise ValidationError(_("Find the person by their phone or username, or write the name of someone "
                                    "without an account."), code="person_required")
        if user is None:
            label = name
        household, agency = None, None
    organisation = " ".join((organisation or "").split())[:120]
    phone = (phone or "").strip()[:30]
    days = _check_notice_period(meeting) if is_party and meeting.status == Status.NOTICED else None
    row = _add_row(meeting, by, kind=kind, user=user, household=household, agency=agency, label=label,
                   organisation=organisation, phone=phone)
    if meeting.status == Status.NOTICED:
        _give_notice(meeting, row, by, days if days is not None else _days_ahead(meeting))
    return row


@transaction.atomic
def participant_remove(*, participant: CoordinationParticipant, by: User | None) -> None:
    """Remove a participant before notice is given."""
    meeting = _locked(participant.meeting)
    _require_organizer(by, meeting.committee)
    if meeting.status not in (Status.SCHEDULING, Status.REQUESTED):
        raise ValidationError(_("Participants of a meeting that is %(s)s stay on record.")
                              % {"s": meeting.get_status_display()}, code="invalid_state")
    _stamp(participant, by).delete()


def _give_notice(meeting: CoordinationMeeting, row: CoordinationParticipant, by: User | None, days: int) -> None:
    _save(CoordinationNotice(meeting=meeting, participant=row, days_ahead=max(days, 0), given_by=by), by)
    when = timezone.localtime(meeting.scheduled_at).strftime("%Y-%m-%d %H:%M")
    notify(users=sel.people_of([row]), kind=Notification.Kind.ANNOUNCEMENT, message="coordination_notice",
           params={"s": meeting.subject, "when": when, "place": meeting.place,
                   "as": CoordinationParticipant.Kind(row.kind).label},
           url=meeting.get_absolute_url(), dedupe_key=f"coordination:{meeting.pk}:notice:{row.pk}")


@transaction.atomic
def coordination_give_notice(*, meeting: CoordinationMeeting, by: User | None) -> CoordinationMeeting:
    """Give written notice to every participant, at least the committee's notice period ahead."""
    meeting = _locked(meeting)
    _require_organizer(by, meeting.committee)
    guard_move(meeting, Status.NOTICED)
    if meeting.scheduled_at is None or not meeting.place:
        raise ValidationError(_("Set the time and place before giving notice."), code="not_scheduled")
    rows = sel.participants(meeting)
    if sum(1 for row in rows if row.is_party) < 2:
        raise ValidationError(_("A coordination meeting needs at least two parties."), code="too_few_parties")
    days = _check_notice_period(meeting)
    _move(meeting, Status.NOTICED, by, "noticed_at")
    for row in rows:
        _give_notice(meeting, row, by, days)
    return meeting


@transaction.atomic
def coordination_cancel(*, meeting: CoordinationMeeting, by: User | None, reason: str) -> CoordinationMeeting:
    """Call the meeting off before it is held; noticed participants are told."""
    meeting = _locked(meeting)
    _require_organizer(by, meeting.committee)
    reason = _text(reason, "reason_required", _("Give the reason for cancelling."))
    was_noticed = meeting.status == Status.NOTICED
    _move(meeting, Status.CANCELLED, by, "cancelled_at", cancel_reason=reason[:500])
    if was_noticed:
        _tell(meeting, sel.people_of(meeting.participants.all()), by=by, body=reason,
              kind=Notification.Kind.ANNOUNCEMENT,
              message="coordination_cancelled")
    return meeting


# --- Session ---------------------------------------------------------------------------------


@transaction.atomic
def coordination_start(*, meeting: CoordinationMeeting, by: User | None, reason: str = "") -> CoordinationMeeting:
    """Open the session: statements can be recorded; before the noticed time only with a reason, shown on
    the meeting's page."""
    meeting = _locked(meeting)
    _require_organizer(by, meeting.committee)
    guard_move(meeting, Status.IN_SESSION)
    early_start_reason = timing.early_reason(
        early=timing.too_early_to_start(meeting.scheduled_at), reason=reason, code="early_start_reason_required",
        message=_("The parties were told the meeting is at %(when)s: to start earlier, give the reason; it is "
                  "shown on the meeting's page.") % {"when": _when(meeting)})
    _move(meeting, Status.IN_SESSION, by, "session_started_at", early_start_reason=early_start_reason)
    return meeting


def _record_is_open(meeting: CoordinationMeeting) -> None:
    record = sel.current_document(meeting, Doc.RECORD)
    if meeting.status not in (Status.IN_SESSION, Status.CONCLUDING) or (record is not None and not record.is_draft):
        raise ValidationError(_("The record of a meeting that is %(s)s is frozen: make a correction instead.")
                              % {"s": meeting.get_status_display()}, code="frozen")


@transaction.atomic
def statement_add(*, meeting: CoordinationMeeting, by: User | None, participant: CoordinationParticipant,
                  text: str) -> CoordinationStatement:
    """Record what a party said."""
    meeting = _locked(meeting)
    _require_organizer(by, meeting.committee)
    _record_is_open(meeting)
    if participant.meeting_id != meeting.pk:
        raise ValidationError(_("Choose a participant of this meeting."), code="foreign_participant")
    text = _text(text, "text_required", _("Write the statement."))
    statement = CoordinationStatement(meeting=meeting, participant=participant, text=text, recorded_by=by)
    _save(statement, by)
    return statement


@transaction.atomic
def coordination_conclude(*, meeting: CoordinationMeeting, by: User | None, points_in_dispute: str,
                          record_text: str, agreement_reached: bool, agreement_text: str = "",
                          early_reason: str = "") -> CoordinationMeeting:
    """End the session: draft the record and, if the parties agreed, the agreement; before the day in the
    notice only with a reason, shown on the meeting's page."""
    meeting = _locked(meeting)
    _require_organizer(by, meeting.committee)
    guard_move(meeting, Status.CONCLUDING)
    record_text = _text(record_text, "record_required", _("Write the mediation record."))
    if agreement_reached:
        agreement_text = _text(agreement_text, "agreement_required", _("Write what the parties agreed."))
    early_conclusion_reason = timing.early_reason(
        early=timing.too_early_to_conclude(meeting.scheduled_at), reason=early_reason,
        code="early_conclusion_reason_required",
        message=_("The notice gave %(day)s as the day of the meeting: to conclude before it, give the reason; it "
                  "is shown on the meeting's page.")
        % {"day": timezone.localdate(meeting.scheduled_at).isoformat() if meeting.scheduled_at else ""})
    _move(meeting, Status.CONCLUDING, by, "concluded_at", agreement_reached=bool(agreement_reached),
          early_conclusion_reason=early_conclusion_reason)
    _save(CoordinationDocument(meeting=meeting, kind=Doc.RECORD, points_in_dispute=(points_in_dispute or "").strip(),
                               body=record_text, created_by=by), by)
    if agreement_reached:
        _save(CoordinationDocument(meeting=meeting, kind=Doc.AGREEMENT, body=agreement_text, created_by=by), by)
    return meeting


# --- Record and agreement: drafts, submission, confirmation, correction -------------------------


@transaction.atomic
def coordination_escalate(*, meeting: CoordinationMeeting, by: User | None, reason: str) -> CoordinationMeeting:
    """Hand an unresolved matter to the street office, which then sees the whole meeting."""
    meeting = _locked(meeting)
    _require_organizer(by, meeting.committee)
    guard_move(meeting, Status.ESCALATED)
    reason = _text(reason, "reason_required", _("Say why the matter cannot be settled in the neighbourhood."))
    if meeting.status == Status.CONCLUDING:
        record = sel.current_document(meeting, Doc.RECORD)
        if meeting.agreement_reached or record is None or not record.is_final:
            raise ValidationError(_("Escalate once the record is confirmed and no agreement was reached, or "
                                    "during the follow-up."), code="record_not_final")
    _move(meeting, Status.ESCALATED, by, "escalated_at", escalated_by=by, escalation_reason=reason)
    _tell(meeting, sel.street_officer_ids(meeting.committee.street), by=by, body=reason,
          kind=Notification.Kind.ANNOUNCEMENT,
          message="coordination_escalated_street", params={"c": str(meeting.committee)})
    _tell_parties(meeting, by=by, body=reason,
                  message="coordination_escalated")
    return meeting


@transaction.atomic
def coordination_close(*, meeting: CoordinationMeeting, by: User | None, note: str = "") -> CoordinationMeeting:
    """Close the meeting: all actions done, no agreement and not escalated, or an escalation settled."""
    meeting = _locked(meeting)
    may_close = by is None or can_manage_committee(by, meeting.committee) or (
        meeting.status == Status.ESCALATED and can_view_street(by, meeting.committee.street))
    if not may_close:
        raise PermissionDenied(_("Only organizers of %(c)s may do this.") % {"c": meeting.committee})
    guard_move(meeting, Status.CLOSED)
    note = (note or "").strip()
    if meeting.status == Status.FOLLOW_UP and meeting.actions.filter(status=CoordinationAction.Status.OPEN).exists():
        raise ValidationError(_("Some actions are not done yet: follow them up, or escalate the matter."),
                              code="actions_open")
    if meeting.status == Status.CONCLUDING:
        record = sel.current_document(meeting, Doc.RECORD)
        if meeting.agreement_reached or record is None or not record.is_final:
            raise ValidationError(_("The record and agreement must be confirmed first."), code="not_final")
    if meeting.status == Status.ESCALATED and not note:
        raise ValidationError(_("Say how the matter was settled."), code="note_required")
    _move(meeting, Status.CLOSED, by, "closed_at", close_note=note)
    _tell_parties(meeting, by=by, body=note, kind=Notification.Kind.RESULT,
                  message="coordination_closed")
    return meeting
