"""Every write of a hearing up to and through its lifecycle: settings, drafting, who is affected, the moves.

One service per move of ``Hearing.TRANSITIONS``; guard clauses name the state; the history
user is stamped on every saved row; notifications are written in the same transaction
(members.notifications.notify sends e-mail on commit).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.lifecycle import guard_move
from hearings.models import (
    DEFAULT_NOTICE_DAYS,
    DEFAULT_PUBLIC_NOTICE_DAYS,
    Hearing,
    HearingAttachment,
    HearingMinutes,
    HearingPanelMember,
    HearingSettings,
)
from members import timing
from members.models import Agency, Building, Committee, Compound, Notification, User
from members.notifications import notify
from members.services import require_organizer_or_system as _require_organizer
from members.services import stamp as _stamp
from members.uploads import validate_attachment


def _locked(hearing: Hearing) -> Hearing:
    return Hearing.objects.select_for_update(of=("self",)).select_related("committee").get(pk=hearing.pk)


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
    guard_move(hearing, Hearing.Status.ANNOUNCED)
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
    notify(users=affected_user_ids(hearing), kind=Notification.Kind.ANNOUNCEMENT, message="hearing_announced",
           params={"t": hearing.title, "when": timezone.localtime(hearing.starts_at).strftime("%Y-%m-%d %H:%M"),
                   "place": hearing.place},
           url=hearing.get_absolute_url(), dedupe_key=f"hearing-announced:{hearing.pk}",
           committee=hearing.committee_id)
    return hearing


@transaction.atomic
def hearing_session_start(*, hearing: Hearing, by: User | None, reason: str = "") -> Hearing:
    """Open the session: check-in and the record of statements begin; before the announced time only with
    a reason, shown on the hearing's public page."""
    hearing = _locked(hearing)
    _require_organizer(by, hearing.committee)
    guard_move(hearing, Hearing.Status.IN_SESSION)
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
    guard_move(hearing, Hearing.Status.MINUTES)
    hearing.status = Hearing.Status.MINUTES
    hearing.session_ended_at = timezone.now()
    _stamp(hearing, by).save(update_fields=["status", "session_ended_at"])
    return hearing


@transaction.atomic
def hearing_publish_outcome(*, hearing: Hearing, by: User | None, decision: str, reasons: str) -> Hearing:
    """Publish the committee's decision with its reasons and start the public notice (公示)."""
    hearing = _locked(hearing)
    _require_organizer(by, hearing.committee)
    guard_move(hearing, Hearing.Status.PUBLIC_NOTICE)
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
    notify(users=affected_user_ids(hearing), kind=Notification.Kind.RESULT, message="hearing_outcome",
           params={"t": hearing.title,
                   "end": timezone.localtime(hearing.notice_ends_at).strftime("%Y-%m-%d %H:%M")},
           url=hearing.get_absolute_url(), dedupe_key=f"hearing-outcome:{hearing.pk}")
    return hearing


@transaction.atomic
def hearing_archive(*, hearing: Hearing, by: User | None) -> Hearing:
    """Archive the hearing once the public notice is over and every objection is answered."""
    hearing = _locked(hearing)
    _require_organizer(by, hearing.committee)
    guard_move(hearing, Hearing.Status.ARCHIVED)
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
    guard_move(hearing, Hearing.Status.CANCELLED)
    was_announced = hearing.status == Hearing.Status.ANNOUNCED
    hearing.status = Hearing.Status.CANCELLED
    hearing.cancelled_at = timezone.now()
    hearing.cancel_reason = reason[:300]
    _stamp(hearing, by).save(update_fields=["status", "cancelled_at", "cancel_reason"])
    if was_announced:
        notify(users=affected_user_ids(hearing), kind=Notification.Kind.ANNOUNCEMENT,
               message="hearing_cancelled", params={"t": hearing.title}, body=hearing.cancel_reason,
               url=hearing.get_absolute_url(), dedupe_key=f"hearing-cancelled:{hearing.pk}")
    return hearing
