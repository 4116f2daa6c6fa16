"""Every write around a hearing's session: registrations and written opinions, check-in, statements and
votes, the minutes (versioned, hashed, confirmed) and objections during the public notice.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from decisions import services as ballots
from decisions.models import Ballot
from hearings import selectors
from hearings.models import (
    Hearing,
    HearingAttendance,
    HearingMinutes,
    HearingMinutesConfirmation,
    HearingObjection,
    HearingOpinion,
    HearingRegistration,
    HearingStatement,
)
from hearings.services.lifecycle import (
    _locked,
    _require_affected,
    _require_status,
    _require_text,
)
from members.models import Notification, User
from members.notifications import notify
from members.services import require_organizer_or_system as _require_organizer
from members.services import stamp as _stamp

# --- Registration and written opinions -----------------------------------------------------

@transaction.atomic
def hearing_register(*, hearing: Hearing, user: User, kind: str, topic: str = "",
                     contact: str = "") -> HearingRegistration:
    """Register a resident of the affected area to speak or to observe."""
    hearing = _locked(hearing)
    if not hearing.registration_open(timezone.now()):
        raise ValidationError(_("Registration is closed: the hearing is %(s)s.")
                              % {"s": hearing.get_status_display()}, code="registration_closed")
    _require_affected(hearing, user)
    if kind not in HearingRegistration.Kind.values:
        raise ValidationError(_("Choose to speak or to observe."), code="invalid_kind")
    if hearing.registrations.filter(user=user).exists():
        raise ValidationError(_("You have already registered for this hearing."), code="already_registered")
    registration = HearingRegistration(hearing=hearing, user=user, kind=kind, topic=(topic or "").strip()[:500],
                                       contact=(contact or user.phone or "").strip()[:30])
    try:
        with transaction.atomic():
            _stamp(registration, user).save()
    except IntegrityError as error:
        raise ValidationError(_("You have already registered for this hearing."),
                              code="already_registered") from error
    return registration


@transaction.atomic
def hearing_registration_decide(*, registration: HearingRegistration, by: User | None,
                                confirm: bool) -> HearingRegistration:
    """Confirm or decline a registration; confirmed observers stay within the quota."""
    hearing = _locked(registration.hearing)
    _require_organizer(by, hearing.committee)
    _require_status(hearing, Hearing.Status.ANNOUNCED, Hearing.Status.IN_SESSION,
                    what=_("Deciding on registrations"))
    registration = HearingRegistration.objects.select_for_update().get(pk=registration.pk)
    status = HearingRegistration.Status.CONFIRMED if confirm else HearingRegistration.Status.DECLINED
    if confirm and registration.kind == HearingRegistration.Kind.OBSERVER and registration.status != status:
        confirmed = hearing.registrations.filter(kind=HearingRegistration.Kind.OBSERVER,
                                                 status=HearingRegistration.Status.CONFIRMED).count()
        if confirmed >= hearing.observer_quota:
            raise ValidationError(_("All %(n)s observer places are taken.") % {"n": hearing.observer_quota},
                                  code="quota_full")
    registration.status = status
    registration.decided_at = timezone.now()
    registration.decided_by = by
    _stamp(registration, by).save(update_fields=["status", "decided_at", "decided_by"])
    return registration


@transaction.atomic
def hearing_opinion_save(*, hearing: Hearing, user: User, text: str, hide_name: bool = False) -> HearingOpinion:
    """Give or change one's written opinion while the window is open (every version is kept)."""
    hearing = _locked(hearing)
    now = timezone.now()
    if not hearing.opinion_window_open(now):
        raise ValidationError(_("Written opinions are accepted from %(start)s until %(end)s.")
                              % {"start": timezone.localtime(hearing.opinion_opens_at).strftime("%Y-%m-%d %H:%M"),
                                 "end": timezone.localtime(hearing.opinion_closes_at).strftime("%Y-%m-%d %H:%M")},
                              code="window_closed")
    _require_affected(hearing, user)
    text = _require_text(text, _("Write your opinion."), "text_required")
    opinion = HearingOpinion.objects.select_for_update().filter(hearing=hearing, user=user).first()
    opinion = opinion or HearingOpinion(hearing=hearing, user=user)
    opinion.text, opinion.hide_name = text, bool(hide_name)
    _stamp(opinion, user).save()
    return opinion


# --- Session -------------------------------------------------------------------------------

@transaction.atomic
def hearing_check_in(*, hearing: Hearing, by: User | None, role: str, user: User | None = None,
                     name: str = "", organisation: str = "", phone: str = "") -> HearingAttendance:
    """Record someone as present at the session: a person with an account, or anyone by name (with their
    organisation, and a phone for the organizers only), who then confirms the minutes on paper."""
    hearing = _locked(hearing)
    _require_organizer(by, hearing.committee)
    _require_status(hearing, Hearing.Status.IN_SESSION, what=_("Checking in"))
    if role not in HearingAttendance.Role.values:
        raise ValidationError(_("Choose how the person is present."), code="invalid_role")
    name = (name or "").strip() or (user.display_name if user else "")
    if not name:
        raise ValidationError(_("Name the person checked in."), code="name_required")
    if user is not None and hearing.attendance.filter(user=user).exists():
        raise ValidationError(_("%(name)s is already checked in.") % {"name": name}, code="already_present")
    attendance = HearingAttendance(hearing=hearing, user=user, name=name[:120], role=role, checked_in_by=by,
                                   organisation=" ".join((organisation or "").split())[:120],
                                   phone=(phone or "").strip()[:30])
    _stamp(attendance, by).save()
    return attendance


@transaction.atomic
def hearing_statement_add(*, hearing: Hearing, by: User | None, text: str, kind: str = "statement",
                          speaker: User | None = None, speaker_name: str = "",
                          attendee: HearingAttendance | None = None) -> HearingStatement:
    """Record a statement, question or answer of one speaker during the session (``attendee``: someone
    checked in, with or without an account, named with their organisation)."""
    hearing = _locked(hearing)
    _require_organizer(by, hearing.committee)
    _require_status(hearing, Hearing.Status.IN_SESSION, what=_("Recording statements"))
    if kind not in HearingStatement.Kind.values:
        raise ValidationError(_("Choose statement, question or answer."), code="invalid_kind")
    text = _require_text(text, _("Write what was said."), "text_required")
    if attendee is not None:
        if attendee.hearing_id != hearing.pk:
            raise ValidationError(_("Choose someone checked in at this hearing."), code="foreign_attendee")
        speaker, speaker_name = attendee.user, attendee.display_name
    speaker_name = (speaker_name or "").strip() or (speaker.display_name if speaker else "")
    if not speaker_name:
        raise ValidationError(_("Name the speaker."), code="name_required")
    statement = HearingStatement(hearing=hearing, speaker=speaker, speaker_name=speaker_name[:120], kind=kind,
                                 text=text, recorded_by=by, attendee=attendee)
    _stamp(statement, by).save()
    return statement


@transaction.atomic
def hearing_vote_create(*, hearing: Hearing, by: User | None, question: str, households: bool,
                        rule: str = Ballot.Rule.ART278, secrecy: str = Ballot.Secrecy.SECRET,
                        quorum: Decimal | None = None, quorum_reason: str = "") -> Ballot:
    """Draft a ballot of the panel or of the affected households through the decision core, with the
    rule's default quorum unless a lower one comes with its reason (``ballots.ballot_create``)."""
    hearing = _locked(hearing)
    _require_organizer(by, hearing.committee)
    _require_status(hearing, Hearing.Status.ANNOUNCED, Hearing.Status.IN_SESSION, what=_("Starting a vote"))
    question = _require_text(question, _("Write the question put to the vote."), "question_required")
    place = {}
    if households:
        compounds, buildings = list(hearing.compounds.all()), list(hearing.buildings.select_related("compound"))
        if hearing.scope == Hearing.Scope.BUILDINGS:
            if len(buildings) != 1:
                raise ValidationError(_("A household vote covers the whole committee, one compound or one "
                                        "building: hold one vote per building."), code="area_too_wide")
            place = {"building": buildings[0]}
        elif hearing.scope == Hearing.Scope.COMPOUNDS:
            if len(compounds) != 1:
                raise ValidationError(_("A household vote covers the whole committee, one compound or one "
                                        "building: hold one vote per compound."), code="area_too_wide")
            place = {"compound": compounds[0]}
        ballot = ballots.ballot_create(committee=hearing.committee, by=by, title=hearing.title, description=question,
                                       secrecy=secrecy, electorate=Ballot.Electorate.HOUSEHOLDS, rule=rule,
                                       quorum=quorum, quorum_reason=quorum_reason, subject=hearing,
                                       question=question, **place)
    else:
        members = [m.user for m in hearing.panel.select_related("user") if m.user_id]
        if not members:
            raise ValidationError(_("No panel member has an account to vote with."), code="empty_panel")
        if rule in Ballot.AREA_RULES:
            raise ValidationError(_("Civil Code art. 278 counts floor area: put it to the households."),
                                  code="art278_needs_households")
        ballot = ballots.ballot_create(committee=hearing.committee, by=by, title=hearing.title, description=question,
                                       secrecy=secrecy, electorate=Ballot.Electorate.NAMED_LIST, rule=rule,
                                       quorum=quorum, quorum_reason=quorum_reason, subject=hearing,
                                       question=question)
        ballots.ballot_set_named_voters(ballot=ballot, by=by, users=members)
    return ballot


# --- Minutes -------------------------------------------------------------------------------

@transaction.atomic
def hearing_minutes_save(*, hearing: Hearing, by: User | None, record: str, summary: str) -> HearingMinutes:
    """Write or change the draft minutes (the first version, or an open correction)."""
    hearing = _locked(hearing)
    _require_organizer(by, hearing.committee)
    record = _require_text(record, _("Write the record of the hearing."), "record_required")
    summary = _require_text(summary, _("Write the summary."), "summary_required")
    latest = hearing.minutes.select_for_update().order_by("-version").first()
    if latest is None:
        _require_status(hearing, Hearing.Status.MINUTES, what=_("Writing the minutes"))
        latest = HearingMinutes(hearing=hearing, version=1, created_by=by)
    elif latest.is_frozen:
        raise ValidationError(_("Version %(v)s of the minutes is %(s)s and cannot be edited: make a correction.")
                              % {"v": latest.version, "s": latest.get_status_display()}, code="minutes_frozen")
    latest.record, latest.summary = record, summary
    _stamp(latest, by).save()
    return latest


@transaction.atomic
def hearing_minutes_circulate(*, minutes: HearingMinutes, by: User | None) -> HearingMinutes:
    """Freeze the draft and send it to the attendees to confirm."""
    hearing = _locked(minutes.hearing)
    _require_organizer(by, hearing.committee)
    minutes = HearingMinutes.objects.select_for_update().get(pk=minutes.pk)
    if minutes.status != HearingMinutes.Status.DRAFT:
        raise ValidationError(_("Version %(v)s of the minutes is %(s)s, not a draft.")
                              % {"v": minutes.version, "s": minutes.get_status_display()}, code="not_draft")
    minutes.status = HearingMinutes.Status.CIRCULATED
    minutes.content_hash = minutes.compute_hash()
    minutes.circulated_at = timezone.now()
    _stamp(minutes, by).save(update_fields=["status", "content_hash", "circulated_at"])
    return minutes


@transaction.atomic
def hearing_minutes_confirm(*, minutes: HearingMinutes, user: User) -> HearingMinutesConfirmation:
    """An attendee confirms the circulated minutes: their name and the time are their signature."""
    minutes = HearingMinutes.objects.select_for_update().select_related("hearing").get(pk=minutes.pk)
    if minutes.status != HearingMinutes.Status.CIRCULATED:
        raise ValidationError(_("Version %(v)s of the minutes is %(s)s: it cannot be confirmed now.")
                              % {"v": minutes.version, "s": minutes.get_status_display()}, code="not_circulated")
    if not selectors.confirms_minutes(minutes.hearing, user):
        raise PermissionDenied(_("Only people checked in at the hearing confirm its minutes."))
    if minutes.confirmations.filter(user=user).exists():
        raise ValidationError(_("You have already confirmed these minutes."), code="already_confirmed")
    confirmation = HearingMinutesConfirmation(minutes=minutes, user=user, content_hash=minutes.content_hash)
    _stamp(confirmation, user).save()
    return confirmation


@transaction.atomic
def hearing_minutes_record_paper(*, minutes: HearingMinutes, by: User | None,
                                 attendee: HearingAttendance) -> HearingMinutesConfirmation:
    """Record that an attendee without an account signed the printed minutes (the organizer keeps the paper)."""
    hearing = _locked(minutes.hearing)
    _require_organizer(by, hearing.committee)
    minutes = HearingMinutes.objects.select_for_update().get(pk=minutes.pk)
    if minutes.status != HearingMinutes.Status.CIRCULATED:
        raise ValidationError(_("Version %(v)s of the minutes is %(s)s: it cannot be confirmed now.")
                              % {"v": minutes.version, "s": minutes.get_status_display()}, code="not_circulated")
    if attendee.hearing_id != hearing.pk:
        raise ValidationError(_("Choose someone checked in at this hearing."), code="foreign_attendee")
    if attendee.user_id:
        raise ValidationError(_("%(name)s has an account and confirms the minutes online.")
                              % {"name": attendee.display_name}, code="has_account")
    if minutes.confirmations.filter(attendee=attendee).exists():
        raise ValidationError(_("%(name)s has already confirmed.") % {"name": attendee.display_name},
                              code="already_confirmed")
    confirmation = HearingMinutesConfirmation(minutes=minutes, attendee=attendee, on_paper=True, recorded_by=by,
                                              content_hash=minutes.content_hash)
    _stamp(confirmation, by).save()
    return confirmation


@transaction.atomic
def hearing_minutes_finalize(*, minutes: HearingMinutes, by: User | None) -> HearingMinutes:
    """Finalize the circulated minutes: from now on they are frozen, with their content hash shown."""
    hearing = _locked(minutes.hearing)
    _require_organizer(by, hearing.committee)
    minutes = HearingMinutes.objects.select_for_update().get(pk=minutes.pk)
    if minutes.status != HearingMinutes.Status.CIRCULATED:
        raise ValidationError(_("Version %(v)s of the minutes is %(s)s: send it to the attendees first.")
                              % {"v": minutes.version, "s": minutes.get_status_display()}, code="not_circulated")
    if minutes.compute_hash() != minutes.content_hash:
        raise ValidationError(_("The minutes were changed after they were sent for confirmation."),
                              code="hash_mismatch")
    minutes.status = HearingMinutes.Status.FINAL
    minutes.finalized_at = timezone.now()
    _stamp(minutes, by).save(update_fields=["status", "finalized_at"])
    return minutes


@transaction.atomic
def hearing_minutes_correct(*, hearing: Hearing, by: User | None, reason: str, record: str,
                            summary: str) -> HearingMinutes:
    """Correct final minutes: a new draft version with a reason; the final one stays as it was."""
    hearing = _locked(hearing)
    _require_organizer(by, hearing.committee)
    reason = _require_text(reason, _("Give the reason for the correction."), "reason_required")
    record = _require_text(record, _("Write the record of the hearing."), "record_required")
    summary = _require_text(summary, _("Write the summary."), "summary_required")
    latest = hearing.minutes.select_for_update().order_by("-version").first()
    if latest is None or latest.status != HearingMinutes.Status.FINAL:
        raise ValidationError(_("Only final minutes are corrected; a draft is simply edited."), code="not_final")
    minutes = HearingMinutes(hearing=hearing, version=latest.version + 1, record=record, summary=summary,
                             correction_reason=reason[:500], created_by=by)
    _stamp(minutes, by).save()
    return minutes


# --- Public notice -------------------------------------------------------------------------

@transaction.atomic
def hearing_objection_file(*, hearing: Hearing, user: User, text: str) -> HearingObjection:
    """File an objection to the outcome during the public notice."""
    hearing = _locked(hearing)
    if not hearing.objections_open(timezone.now()):
        raise ValidationError(_("Objections are accepted during the public notice only; the hearing is %(s)s.")
                              % {"s": hearing.get_status_display()}, code="notice_closed")
    _require_affected(hearing, user)
    text = _require_text(text, _("Write your objection."), "text_required")
    objection = HearingObjection(hearing=hearing, user=user, text=text)
    _stamp(objection, user).save()
    return objection


@transaction.atomic
def hearing_objection_answer(*, objection: HearingObjection, by: User | None, answer: str) -> HearingObjection:
    """Answer an objection publicly and tell the objector."""
    hearing = _locked(objection.hearing)
    _require_organizer(by, hearing.committee)
    _require_status(hearing, Hearing.Status.PUBLIC_NOTICE, what=_("Answering objections"))
    answer = _require_text(answer, _("Write the answer."), "answer_required")
    objection = HearingObjection.objects.select_for_update().get(pk=objection.pk)
    if objection.answered_at is not None:
        raise ValidationError(_("This objection has already been answered."), code="already_answered")
    objection.answer, objection.answered_at, objection.answered_by = answer, timezone.now(), by
    _stamp(objection, by).save(update_fields=["answer", "answered_at", "answered_by"])
    notify(users=[objection.user_id], kind=Notification.Kind.OBJECTION_ANSWERED,
           message="objection_answered", params={"t": hearing.title}, body=answer,
           url=hearing.get_absolute_url(), dedupe_key=f"hearing-objection:{objection.pk}")
    return objection
