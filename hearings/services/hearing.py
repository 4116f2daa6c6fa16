"""Every write of a hearing: drafting, the moves of its lifecycle, and what residents send in.

One service per move of ``Hearing.TRANSITIONS``; guard clauses name the state; the history
user is stamped on every saved row; notifications are written in the same transaction
(members.notifications.notify sends e-mail on commit).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from decisions import services as ballots
from decisions.models import Ballot
from hearings import timing
from hearings.models import (
    Hearing,
    HearingAttachment,
    HearingAttendance,
    HearingMinutes,
    HearingMinutesConfirmation,
    HearingObjection,
    HearingOpinion,
    HearingPanelMember,
    HearingRegistration,
    HearingSettings,
    HearingStatement,
)
from hearings.models.hearing import DEFAULT_NOTICE_DAYS, DEFAULT_PUBLIC_NOTICE_DAYS
from members.models import Agency, Building, Committee, Compound, Notification, User
from members.notifications import notify
from members.services import require_organizer_or_system as _require_organizer
from members.services import stamp as _stamp
from members.uploads import validate_attachment


def _locked(hearing: Hearing) -> Hearing:
    return Hearing.objects.select_for_update(of=("self",)).select_related("committee").get(pk=hearing.pk)


def _guard_move(hearing: Hearing, status: str) -> None:
    if not hearing.can_move_to(status):
        raise ValidationError(
            _("A hearing that is %(s)s cannot become %(t)s.") % {"s": hearing.get_status_display(),
                                                                  "t": Hearing.Status(status).label},
            code="invalid_transition")


def _require_status(hearing: Hearing, *statuses: str, what: str) -> None:
    if hearing.status not in statuses:
        raise ValidationError(_("%(what)s is not possible while the hearing is %(s)s.")
                              % {"what": what, "s": hearing.get_status_display()}, code="wrong_status")


def _require_text(value: str, message: str, code: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message, code=code)
    return value


# --- Settings ------------------------------------------------------------------------------

def settings_for(committee: Committee) -> HearingSettings:
    """The committee's notice periods (unsaved defaults if it never set them)."""
    found = HearingSettings.objects.filter(committee=committee).first()
    return found or HearingSettings(committee=committee, notice_days=DEFAULT_NOTICE_DAYS,
                                    public_notice_days=DEFAULT_PUBLIC_NOTICE_DAYS)


@transaction.atomic
def hearing_settings_save(*, committee: Committee, by: User | None, notice_days: int,
                          public_notice_days: int) -> HearingSettings:
    """Set the committee's notice periods for hearings."""
    _require_organizer(by, committee)
    for days in (notice_days, public_notice_days):
        if not 1 <= int(days) <= 90:
            raise ValidationError(_("A notice period is between 1 and 90 days."), code="invalid_days")
    found = HearingSettings.objects.select_for_update().filter(committee=committee).first()
    found = found or HearingSettings(committee=committee)
    found.notice_days, found.public_notice_days = int(notice_days), int(public_notice_days)
    _stamp(found, by).save()
    return found


# --- Drafting ------------------------------------------------------------------------------

def _check_area(committee: Committee, scope: str, compounds, buildings) -> tuple[list, list]:
    compounds, buildings = list(compounds or []), list(buildings or [])
    if scope not in Hearing.Scope.values:
        raise ValidationError(_("Choose the affected area among those offered."), code="invalid_scope")
    if any(c.committee_id != committee.pk for c in compounds) or any(
            b.compound.committee_id != committee.pk for b in buildings):
        raise ValidationError(_("The compounds and buildings must belong to this committee."), code="foreign_place")
    if scope == Hearing.Scope.COMPOUNDS and not compounds:
        raise ValidationError(_("Choose at least one compound."), code="area_required")
    if scope == Hearing.Scope.BUILDINGS and not buildings:
        raise ValidationError(_("Choose at least one building."), code="area_required")
    return (compounds if scope == Hearing.Scope.COMPOUNDS else [],
            buildings if scope == Hearing.Scope.BUILDINGS else [])


def _check_times(starts_at: datetime, opinion_opens_at: datetime, opinion_closes_at: datetime) -> None:
    if not (starts_at and opinion_opens_at and opinion_closes_at):
        raise ValidationError(_("Give the date of the hearing and the opinion window."), code="times_required")
    if opinion_closes_at <= opinion_opens_at:
        raise ValidationError(_("The opinion window must close after it opens."), code="window_order")


@transaction.atomic
def hearing_create(*, committee: Committee, by: User | None, title: str, starts_at: datetime, place: str,
                   opinion_opens_at: datetime, opinion_closes_at: datetime, background: str = "",
                   scope: str = Hearing.Scope.COMMITTEE, compounds: list[Compound] | None = None,
                   buildings: list[Building] | None = None, observer_quota: int = 10,
                   previous: Hearing | None = None) -> Hearing:
    """Draft a hearing (optionally a follow-up round of an earlier one)."""
    _require_organizer(by, committee)
    title = _require_text(title, _("Say what the hearing is about."), "title_required")
    place = _require_text(place, _("Say where the hearing takes place."), "place_required")
    _check_times(starts_at, opinion_opens_at, opinion_closes_at)
    compounds, buildings = _check_area(committee, scope, compounds, buildings)
    if previous is not None and previous.committee_id != committee.pk:
        raise ValidationError(_("A follow-up round must be a hearing of the same committee."),
                              code="foreign_previous")
    hearing = _stamp(Hearing(committee=committee, title=title[:200], background=background, scope=scope,
                             starts_at=starts_at, place=place[:200], opinion_opens_at=opinion_opens_at,
                             opinion_closes_at=opinion_closes_at, observer_quota=observer_quota,
                             previous=previous, created_by=by), by)
    hearing.save()
    hearing.compounds.set(compounds)
    hearing.buildings.set(buildings)
    return hearing


@transaction.atomic
def hearing_update(*, hearing: Hearing, by: User | None, title: str, starts_at: datetime, place: str,
                   opinion_opens_at: datetime, opinion_closes_at: datetime, background: str = "",
                   scope: str = Hearing.Scope.COMMITTEE, compounds: list[Compound] | None = None,
                   buildings: list[Building] | None = None, observer_quota: int = 10) -> Hearing:
    """Change a draft hearing."""
    hearing = _locked(hearing)
    _require_organizer(by, hearing.committee)
    _require_status(hearing, Hearing.Status.DRAFT, what=_("Changing the hearing"))
    hearing.title = _require_text(title, _("Say what the hearing is about."), "title_required")[:200]
    hearing.place = _require_text(place, _("Say where the hearing takes place."), "place_required")[:200]
    _check_times(starts_at, opinion_opens_at, opinion_closes_at)
    compounds, buildings = _check_area(hearing.committee, scope, compounds, buildings)
    hearing.background, hearing.scope, hearing.observer_quota = background, scope, observer_quota
    hearing.starts_at, hearing.opinion_opens_at, hearing.opinion_closes_at = (starts_at, opinion_opens_at,
                                                                              opinion_closes_at)
    _stamp(hearing, by).save()
    hearing.compounds.set(compounds)
    hearing.buildings.set(buildings)
    return hearing


@transaction.atomic
def hearing_attachment_add(*, hearing: Hearing, by: User, upload, title: str = "") -> HearingAttachment:
    """Add material (PDF or image) to a hearing that is not yet held."""
    hearing = _locked(hearing)
    _require_organizer(by, hearing.committee)
    _require_status(hearing, Hearing.Status.DRAFT, Hearing.Status.ANNOUNCED, what=_("Adding material"))
    validate_attachment(upload)
    attachment = HearingAttachment(hearing=hearing, name=upload.name[:200], title=(title or "").strip()[:200],
                                   size=upload.size, uploaded_by=by)
    attachment.file.save(upload.name, upload, save=False)
    _stamp(attachment, by).save()
    return attachment


@transaction.atomic
def hearing_panel_add(*, hearing: Hearing, by: User | None, role: str, user: User | None = None,
                      agency: Agency | None = None, name: str = "") -> HearingPanelMember:
    """Seat someone on the panel: a person, a unit (agency or property firm) or a named person."""
    hearing = _locked(hearing)
    _require_organizer(by, hearing.committee)
    _require_status(hearing, Hearing.Status.DRAFT, Hearing.Status.ANNOUNCED, what=_("Changing the panel"))
    if role not in HearingPanelMember.Role.values:
        raise ValidationError(_("Choose the role on the panel among those offered."), code="invalid_role")
    name = (name or "").strip()
    if user is None and agency is None and not name:
        raise ValidationError(_("Name the panel member."), code="name_required")
    if agency is not None and agency.street_id != hearing.committee.street_id:
        raise ValidationError(_("The unit must serve this street."), code="foreign_agency")
    if role == HearingPanelMember.Role.CHAIR and hearing.panel.filter(role=role).exists():
        raise ValidationError(_("The panel already has a chair."), code="chair_taken")
    if user is not None and hearing.panel.filter(user=user).exists():
        raise ValidationError(_("This person is already on the panel."), code="already_on_panel")
    member = HearingPanelMember(hearing=hearing, role=role, user=user, agency=agency, name=name[:120])
    _stamp(member, by).save()
    return member


@transaction.atomic
def hearing_panel_remove(*, member: HearingPanelMember, by: User | None) -> None:
    """Take someone off the panel before the session."""
    hearing = _locked(member.hearing)
    _require_organizer(by, hearing.committee)
    _require_status(hearing, Hearing.Status.DRAFT, Hearing.Status.ANNOUNCED, what=_("Changing the panel"))
    _stamp(member, by).delete()


# --- Who is affected -----------------------------------------------------------------------

def affected_households_q(hearing: Hearing, prefix: str = "") -> dict:
    """Filter arguments selecting the households of the hearing's affected area."""
    if hearing.scope == Hearing.Scope.BUILDINGS:
        return {f"{prefix}building__in": hearing.buildings.all()}
    if hearing.scope == Hearing.Scope.COMPOUNDS:
        return {f"{prefix}building__compound__in": hearing.compounds.all()}
    return {f"{prefix}building__compound__committee": hearing.committee}


def affected_user_ids(hearing: Hearing) -> set[int]:
    from members.models import Membership

    return set(Membership.objects.filter(status=Membership.Status.VERIFIED,
                                         **affected_households_q(hearing, "household__"))
               .values_list("user_id", flat=True))


def is_affected(hearing: Hearing, user: User) -> bool:
    """Whether ``user`` is a verified resident of the hearing's affected area."""
    from members.models import Membership

    if not user.is_authenticated:
        return False
    return Membership.objects.filter(user=user, status=Membership.Status.VERIFIED,
                                     **affected_households_q(hearing, "household__")).exists()


def _require_affected(hearing: Hearing, user: User) -> None:
    if not is_affected(hearing, user):
        raise PermissionDenied(_("Only verified residents of the affected area of this hearing may do this."))


# --- Lifecycle -----------------------------------------------------------------------------

@transaction.atomic
def hearing_announce(*, hearing: Hearing, by: User | None, late_reason: str = "") -> Hearing:
    """Announce the hearing; less notice than the committee requires needs a reason shown publicly."""
    hearing = _locked(hearing)
    _require_organizer(by, hearing.committee)
    _guard_move(hearing, Hearing.Status.ANNOUNCED)
    now = timezone.now()
    if hearing.starts_at <= now:
        raise ValidationError(_("The hearing's date has passed: change it before announcing."), code="in_the_past")
    if not hearing.panel.filter(role=HearingPanelMember.Role.CHAIR).exists():
        raise ValidationError(_("Seat a chair on the panel before announcing."), code="no_chair")
    days = settings_for(hearing.committee).notice_days
    late_reason = (late_reason or "").strip()
    late = now > hearing.notice_deadline(days)
    if late and not late_reason:
        raise ValidationError(
            _("The hearing is less than %(n)s days away: announce it at least %(n)s days ahead, or give the "
              "reason for the short notice (it is shown publicly).") % {"n": days}, code="notice_too_short")
    hearing.status = Hearing.Status.ANNOUNCED
    hearing.announced_at = now
    hearing.notice_days_required = days
    hearing.announced_late = late
    hearing.late_reason = late_reason[:500] if late else ""
    _stamp(hearing, by).save(update_fields=["status", "announced_at", "notice_days_required", "announced_late",
                                            "late_reason"])
    notify(users=affected_user_ids(hearing), kind=Notification.Kind.ANNOUNCEMENT,
           title=_("Hearing announced: %(t)s") % {"t": hearing.title},
           body=_("%(when)s at %(place)s. Register to speak or observe, and give your written opinion.")
           % {"when": timezone.localtime(hearing.starts_at).strftime("%Y-%m-%d %H:%M"), "place": hearing.place},
           url=hearing.get_absolute_url(), dedupe_key=f"hearing-announced:{hearing.pk}",
           committee=hearing.committee_id)
    return hearing


@transaction.atomic
def hearing_session_start(*, hearing: Hearing, by: User | None, reason: str = "") -> Hearing:
    """Open the session: check-in and the record of statements begin; before the announced time only with
    a reason, shown on the hearing's public page."""
    hearing = _locked(hearing)
    _require_organizer(by, hearing.committee)
    _guard_move(hearing, Hearing.Status.IN_SESSION)
    now = timezone.now()
    hearing.early_start_reason = timing.early_reason(
        early=timing.too_early_to_start(hearing.starts_at, now), reason=reason, code="early_start_reason_required",
        message=_("The hearing was announced for %(when)s: to open the session earlier, give the reason; it is "
                  "shown on the hearing's public page.")
        % {"when": timezone.localtime(hearing.starts_at).strftime("%Y-%m-%d %H:%M")})
    hearing.status = Hearing.Status.IN_SESSION
    hearing.session_started_at = now
    _stamp(hearing, by).save(update_fields=["status", "session_started_at", "early_start_reason"])
    return hearing


@transaction.atomic
def hearing_session_end(*, hearing: Hearing, by: User | None) -> Hearing:
    """Close the session; the minutes are written next."""
    hearing = _locked(hearing)
    _require_organizer(by, hearing.committee)
    _guard_move(hearing, Hearing.Status.MINUTES)
    hearing.status = Hearing.Status.MINUTES
    hearing.session_ended_at = timezone.now()
    _stamp(hearing, by).save(update_fields=["status", "session_ended_at"])
    return hearing


@transaction.atomic
def hearing_publish_outcome(*, hearing: Hearing, by: User | None, decision: str, reasons: str) -> Hearing:
    """Publish the committee's decision with its reasons and start the public notice (公示)."""
    hearing = _locked(hearing)
    _require_organizer(by, hearing.committee)
    _guard_move(hearing, Hearing.Status.PUBLIC_NOTICE)
    decision = _require_text(decision, _("Write the committee's decision."), "decision_required")
    reasons = _require_text(reasons, _("Give the reasons for the decision."), "reasons_required")
    latest = hearing.minutes.order_by("-version").first()
    if latest is None or latest.status != HearingMinutes.Status.FINAL:
        raise ValidationError(_("Finalize the minutes before publishing the outcome."), code="minutes_not_final")
    now = timezone.now()
    hearing.decision, hearing.decision_reasons = decision, reasons
    hearing.status = Hearing.Status.PUBLIC_NOTICE
    hearing.notice_started_at = now
    hearing.notice_ends_at = now + timedelta(days=settings_for(hearing.committee).public_notice_days)
    _stamp(hearing, by).save(update_fields=["decision", "decision_reasons", "status", "notice_started_at",
                                            "notice_ends_at"])
    notify(users=affected_user_ids(hearing), kind=Notification.Kind.RESULT,
           title=_("Outcome of the hearing: %(t)s") % {"t": hearing.title},
           body=_("Public notice until %(end)s. You may file an objection until then.")
           % {"end": timezone.localtime(hearing.notice_ends_at).strftime("%Y-%m-%d %H:%M")},
           url=hearing.get_absolute_url(), dedupe_key=f"hearing-outcome:{hearing.pk}")
    return hearing


@transaction.atomic
def hearing_archive(*, hearing: Hearing, by: User | None) -> Hearing:
    """Archive the hearing once the public notice is over and every objection is answered."""
    hearing = _locked(hearing)
    _require_organizer(by, hearing.committee)
    _guard_move(hearing, Hearing.Status.ARCHIVED)
    now = timezone.now()
    if now < hearing.notice_ends_at:
        raise ValidationError(_("The public notice runs until %(end)s: archive the hearing after that.")
                              % {"end": timezone.localtime(hearing.notice_ends_at).strftime("%Y-%m-%d %H:%M")},
                              code="notice_running")
    if hearing.objections.filter(answered_at__isnull=True).exists():
        raise ValidationError(_("Answer every objection before archiving."), code="unanswered_objections")
    hearing.status = Hearing.Status.ARCHIVED
    hearing.archived_at = now
    _stamp(hearing, by).save(update_fields=["status", "archived_at"])
    return hearing


@transaction.atomic
def hearing_cancel(*, hearing: Hearing, by: User | None, reason: str) -> Hearing:
    """Cancel a hearing before its session, with a reason everyone sees."""
    reason = _require_text(reason, _("Give a reason for cancelling."), "reason_required")
    hearing = _locked(hearing)
    _require_organizer(by, hearing.committee)
    _guard_move(hearing, Hearing.Status.CANCELLED)
    was_announced = hearing.status == Hearing.Status.ANNOUNCED
    hearing.status = Hearing.Status.CANCELLED
    hearing.cancelled_at = timezone.now()
    hearing.cancel_reason = reason[:300]
    _stamp(hearing, by).save(update_fields=["status", "cancelled_at", "cancel_reason"])
    if was_announced:
        notify(users=affected_user_ids(hearing), kind=Notification.Kind.ANNOUNCEMENT,
               title=_("Hearing cancelled: %(t)s") % {"t": hearing.title}, body=hearing.cancel_reason,
               url=hearing.get_absolute_url(), dedupe_key=f"hearing-cancelled:{hearing.pk}")
    return hearing


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
    if not minutes.hearing.attendance.filter(user=user).exists():
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
           title=_("Your objection was answered: %(t)s") % {"t": hearing.title}, body=answer,
           url=hearing.get_absolute_url(), dedupe_key=f"hearing-objection:{objection.pk}")
    return objection
