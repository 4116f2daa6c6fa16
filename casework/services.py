"""Every write to a residents' request: one function per move, guard clauses first, a record line each.

new → answered at once by the committee, or routed → accepted by the handler → answered → closed by
the requester's rating (满意 / 基本满意) or, after ``UNREACHABLE_DAYS`` without one, by the committee
with a reason. The committee may send a handler's answer back once; 不满意 reopens it (twice at
most: the second time it also climbs a level; a third 不满意 closes it with that rating). A late
request climbs the 三不 levels (handler → committee → street) through ``escalate_overdue``, run by
the scheduled job ``casework_reminders``.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import selectors as sel
from casework import wording
from casework.models import (
    DAYS_AFTER_RETURN,
    DAYS_AT_LEVEL,
    DAYS_TO_HANDLE,
    DAYS_TO_ROUTE,
    Case,
    CaseEvent,
    CasePhoto,
    Category,
)
from config.records import follow_up_move
from members.calendar import add_working_days
from members.models import Agency, Building, Committee, Compound, Notification, User
from members.notifications import notify
from members.services import stamp
from members.uploads import validate_attachment

Status = Case.Status
Level = Case.Level
Side = CaseEvent.Side
MAX_HANDLING_DAYS = 30


def _locked(case: Case) -> Case:
    return (Case.objects.select_for_update(of=("self",))
            .select_related("committee__street", "compound", "building", "handler", "requester").get(pk=case.pk))


def _text(value: str, code: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message, code=code)
    return value


def _event(case: Case, kind: str, side: str, by: User | None, text: str = "", photo=None) -> CaseEvent:
    event = CaseEvent.objects.create(case=case, kind=kind, side=side, by=by, text=text)
    if photo:
        validate_attachment(photo)
        CasePhoto.objects.create(case=case, event=event, file=photo, name=photo.name[:200])
    return event


def _side(by: User, case: Case) -> str:
    if sel.is_handler(by, case) and not sel.is_committee(by, case):
        return Side.HANDLER
    if sel.is_committee(by, case):
        return Side.COMMITTEE
    if sel.is_street(by, case):
        return Side.STREET
    return Side.REQUESTER


def _tell(user_ids, kind: str, case: Case, words: wording.Words, *, by: User | None = None,
          dedupe_key: str = "") -> int:
    ids = set(user_ids) - ({by.pk} if by is not None else set())
    return len(notify(users=ids, kind=kind, message=words.message, params=words.params, body=words.body,
                      url=case.get_absolute_url(), dedupe_key=dedupe_key, committee=case.committee_id))


def _level_people(case: Case) -> set[int]:
    """Who answers for the level a request is at."""
    if case.level == Level.HANDLER:
        return sel.agency_contact_ids(case.handler_id)
    if case.level == Level.COMMITTEE:
        return sel.organizer_ids(case.committee_id)
    return sel.street_officer_ids(case.committee.street_id) | sel.organizer_ids(case.committee_id)


def _save(case: Case, by: User | None, fields: list[str]) -> None:
    stamp(case, by).save(update_fields=fields)


# --- Receiving ---------------------------------------------------------------------------------


@transaction.atomic
def case_file(*, by: User, committee: Committee, compound: Compound, category: str, description: str,
              building: Building | None = None, spot: str = "", named_to_handler: bool = False,
              channel: str | None = None, requester_name: str = "", requester_phone: str = "",
              photo=None) -> Case:
    """Record a request: a resident's own, or one taken by a floor leader or the committee for someone else."""
    if not sel.may_file(by, committee):
        raise PermissionDenied(_("Only residents, floor leaders and organizers of %(c)s may file a request here.")
                               % {"c": committee})
    if compound.committee_id != committee.pk:
        raise ValidationError(_("That compound is not served by this committee."), code="foreign_compound")
    if building is not None and building.compound_id != compound.pk:
        raise ValidationError(_("That building is not in the compound chosen."), code="foreign_building")
    if category not in Category.values:
        raise ValidationError(_("Choose a category."), code="category_required")
    description = _text(description, "description_required", _("Say what the matter is."))
    on_behalf = bool((requester_name or "").strip())
    if on_behalf:
        if not sel.files_for_others(by, committee):
            raise PermissionDenied(_("Only floor leaders and organizers record requests for someone else."))
        if not sel.is_committee_member(by, committee) and (building is None
                                                            or building.pk not in sel.led_building_ids(by)):
            raise PermissionDenied(_("A floor leader records requests for the buildings they lead."))
        channel = channel if channel in (Case.Channel.PHONE, Case.Channel.VISIT) and \
            sel.is_committee_member(by, committee) else Case.Channel.FLOOR_LEADER
        requester = None
    else:
        if not sel.is_resident(by, committee):
            raise ValidationError(_("Give the name of the resident the request is for."), code="requester_required")
        channel, requester = Case.Channel.ONLINE, by
    case = Case(committee=committee, compound=compound, building=building, spot=(spot or "").strip()[:80],
                category=category, description=description, channel=channel, requester=requester,
                requester_name=(requester_name or "").strip()[:60] if on_behalf else "",
                requester_phone=(requester_phone or "").strip()[:20] if on_behalf else "",
                named_to_handler=bool(named_to_handler), recorded_by=by, status=Status.NEW, level=Level.COMMITTEE,
                due_on=add_working_days(timezone.localdate(), DAYS_TO_ROUTE))
    stamp(case, by).save()
    _event(case, CaseEvent.Kind.FILED, Side.COMMITTEE if channel in (Case.Channel.PHONE, Case.Channel.VISIT)
           else Side.REQUESTER, by, description, photo)
    _tell(sel.organizer_ids(committee.pk), Notification.Kind.CASE_NEW, case, wording.received(case), by=by)
    return case


@transaction.atomic
def case_route(*, case: Case, by: User, handler: Agency, days: int = DAYS_TO_HANDLE, note: str = "") -> Case:
    """Route a request on a 流转单 to the handler it belongs to, due in ``days`` working days."""
    case = _locked(case)
    if not sel.is_committee(by, case):
        raise PermissionDenied(_("Only the committee's organizers route requests."))
    if not sel.routable_agencies(case).filter(pk=handler.pk).exists():
        raise ValidationError(_("That handler does not serve this compound."), code="foreign_handler")
    if not 1 <= int(days) <= MAX_HANDLING_DAYS:
        raise ValidationError(_("Give between 1 and %(m)d working days.") % {"m": MAX_HANDLING_DAYS},
                              code="days_out_of_range")
    case.handler, case.level, case.routed_at = handler, Level.HANDLER, timezone.now()
    case.due_on = add_working_days(timezone.localdate(), int(days))
    follow_up_move(case, Status.ROUTED, by=by, fields=("handler", "level", "routed_at", "due_on"))
    _event(case, CaseEvent.Kind.ROUTED, Side.COMMITTEE, by, (note or "").strip())
    _tell(sel.agency_contact_ids(handler.pk), Notification.Kind.CASE_NEW, case, wording.routed(case), by=by)
    return case


@transaction.atomic
def case_accept(*, case: Case, by: User) -> Case:
    """The handler takes the request on."""
    case = _locked(case)
    if not sel.is_handler(by, case):
        raise PermissionDenied(_("Only the handler's contacts accept a request routed to it."))
    case.accepted_at = timezone.now()
    follow_up_move(case, Status.ACCEPTED, by=by, fields=("accepted_at",))
    _event(case, CaseEvent.Kind.ACCEPTED, Side.HANDLER, by)
    return case


@transaction.atomic
def case_progress(*, case: Case, by: User, text: str, photo=None) -> CaseEvent:
    """Report progress on a request, optionally with a photo."""
    case = _locked(case)
    if not sel.may_report_progress(by, case):
        raise PermissionDenied(_("Only whoever handles this request now may report progress on it."))
    text = _text(text, "text_required", _("Write what was done."))
    return _event(case, CaseEvent.Kind.PROGRESS, _side(by, case), by, text, photo)


@transaction.atomic
def case_answer(*, case: Case, by: User, text: str, photo=None) -> Case:
    """Answer the request (the handler, or the committee or street it was escalated to) and ask for the rating."""
    case = _locked(case)
    if not sel.may_answer(by, case):
        if case.status in (Status.ANSWERED, Status.CLOSED):
            raise ValidationError(_("This request is already %(s)s.") % {"s": case.get_status_display()},
                                  code="invalid_transition")
        raise PermissionDenied(_("Only whoever handles this request now may answer it."))
    text = _text(text, "answer_required", _("Write the answer."))
    side = _side(by, case)
    now = timezone.now()
    today = timezone.localdate()
    by_handler = side == Side.HANDLER
    start = case.routed_at if by_handler and case.routed_at else case.created_at
    case.answer, case.answered_at, case.answered_by_handler = text, now, by_handler
    case.answer_days = max(0, (today - timezone.localtime(start).date()).days)
    # On time: answered by its due date while still at the level that owed it (not after an escalation).
    case.answered_on_time = today <= case.due_on and (not by_handler or case.level == Level.HANDLER)
    follow_up_move(case, Status.ANSWERED, by=by, fields=("answer", "answered_at", "answered_by_handler",
                                                         "answer_days", "answered_on_time"))
    _event(case, CaseEvent.Kind.ANSWERED, side, by, text, photo)
    if case.requester_id:
        _tell({case.requester_id}, Notification.Kind.CASE_ANSWERED, case, wording.answered(case), by=by)
    return case


@transaction.atomic
def case_return(*, case: Case, by: User, reason: str) -> Case:
    """Send a handler's answer back once, saying why; it is due again in a few working days."""
    case = _locked(case)
    if not sel.is_committee(by, case):
        raise PermissionDenied(_("Only the committee's organizers send an answer back."))
    if not case.answered_by_handler or case.status != Status.ANSWERED:
        raise ValidationError(_("Only a handler's answer waiting for the rating can be sent back."),
                              code="invalid_transition")
    if case.returned_count >= Case.MAX_RETURNS:
        raise ValidationError(_("This answer was already sent back once."), code="already_returned")
    reason = _text(reason, "reason_required", _("Say why the answer is sent back."))
    case.returned_count += 1
    case.due_on = add_working_days(timezone.localdate(), DAYS_AFTER_RETURN)
    follow_up_move(case, Status.ACCEPTED, by=by, fields=("returned_count", "due_on"))
    _event(case, CaseEvent.Kind.RETURNED, Side.COMMITTEE, by, reason)
    _tell(sel.agency_contact_ids(case.handler_id), Notification.Kind.CASE_NEW, case, wording.returned(case, reason),
          by=by)
    return case


@transaction.atomic
def case_rate(*, case: Case, by: User, rating: str, comment: str = "") -> Case:
    """Record the requester's rating: satisfied closes it, dissatisfied reopens it (see the module's rules)."""
    case = _locked(case)
    if not sel.may_rate(by, case):
        if case.status != Status.ANSWERED:
            raise ValidationError(_("Only an answered request can be rated; this one is %(s)s.")
                                  % {"s": case.get_status_display()}, code="invalid_transition")
        raise PermissionDenied(_("Only the requester rates the answer (or the committee, for them)."))
    if rating not in Case.Rating.values:
        raise ValidationError(_("Choose a rating."), code="rating_required")
    side = Side.REQUESTER if by.pk == case.requester_id else Side.COMMITTEE
    case.rating, case.rated_at = rating, timezone.now()
    label = str(Case.Rating(rating).label)
    _event(case, CaseEvent.Kind.RATED, side, by, "\n".join(filter(None, [label, (comment or "").strip()])))
    fields = ["rating", "rated_at"]
    if rating in Case.SATISFIED_RATINGS or case.reopen_count >= Case.MAX_REOPENS:
        follow_up_move(case, Status.CLOSED, by=by, fields=tuple(fields))
        return case
    case.reopen_count += 1
    case.due_on = add_working_days(timezone.localdate(), DAYS_AFTER_RETURN)
    back = Status.ACCEPTED if case.answered_by_handler else Status.NEW
    follow_up_move(case, back, by=by, fields=(*fields, "reopen_count", "due_on"))
    _event(case, CaseEvent.Kind.REOPENED, Side.SYSTEM, None)
    if case.reopen_count >= Case.MAX_REOPENS and case.level != Level.STREET:
        _escalate(case, reason=_("Reopened twice: the requester was not satisfied."))
    else:
        _tell(_level_people(case), Notification.Kind.CASE_NEW, case, wording.reopened(case), by=by)
    return case


@transaction.atomic
def case_close_unreached(*, case: Case, by: User, reason: str) -> Case:
    """Close an answered request whose requester could not be reached for a rating, saying why."""
    case = _locked(case)
    if not sel.is_committee(by, case):
        raise PermissionDenied(_("Only the committee's organizers close a request without a rating."))
    if case.status != Status.ANSWERED:
        raise ValidationError(_("Only an answered request waiting for its rating can be closed this way."),
                              code="invalid_transition")
    if not sel.unreachable_since_passed(case):
        raise ValidationError(_("Wait %(d)d days after the answer for the requester's rating before closing it.")
                              % {"d": sel.UNREACHABLE_DAYS}, code="too_early")
    case.close_reason = _text(reason, "reason_required", _("Say how you tried to reach the requester."))[:300]
    follow_up_move(case, Status.CLOSED, by=by, fields=("close_reason",))
    _event(case, CaseEvent.Kind.CLOSED, Side.COMMITTEE, by, case.close_reason)
    return case


# --- Escalation and reminders (the scheduled job) ---------------------------------------------


@transaction.atomic
def case_escalate(*, case: Case, by: User, reason: str) -> Case:
    """Send a hard request to the street office (疑难复杂矛盾不出街镇), saying why."""
    case = _locked(case)
    if not sel.is_committee(by, case):
        raise PermissionDenied(_("Only the committee's organizers send a request to the street."))
    if case.status not in Case.LATE_IN or case.level == Level.STREET:
        raise ValidationError(_("Only an open request not yet with the street can be sent there."),
                              code="invalid_transition")
    reason = _text(reason, "reason_required", _("Say why the street must take it up."))
    return _escalate(case, reason=reason, to=Level.STREET, by=by)


def _escalate(case: Case, *, reason: str, to: str | None = None, by: User | None = None) -> Case:
    """Move a locked request one 三不 level up (or to ``to``), with the new level's time to answer."""
    up = to or Case.LEVELS[Case.LEVELS.index(case.level) + 1]
    case.level, case.escalated_at = up, timezone.now()
    case.due_on = add_working_days(timezone.localdate(), DAYS_AT_LEVEL[up])
    _save(case, by, ["level", "escalated_at", "due_on"])
    _event(case, CaseEvent.Kind.ESCALATED, Side.SYSTEM if by is None else Side.COMMITTEE, by, reason)
    _tell(_level_people(case), Notification.Kind.CASE_DUE, case, wording.escalated(case),
          dedupe_key=f"casework:{case.pk}:escalated:{up}")
    return case


def escalate_overdue(*, today: date | None = None) -> dict[str, int]:
    """Escalate late requests one level, remind those due tomorrow, flag late ones at the street; safe to run twice."""
    today = today or timezone.localdate()
    done = {"escalated": 0, "reminded": 0, "overdue": 0}
    late = list(Case.objects.filter(status__in=Case.LATE_IN, due_on__lt=today).values_list("pk", flat=True))
    for pk in late:
        with transaction.atomic():
            case = _locked(Case(pk=pk))
            if not case.is_overdue(today):
                continue  # answered or escalated meanwhile
            if case.level != Level.STREET:
                _escalate(case, reason=_("Not answered by %(d)s.") % {"d": case.due_on.isoformat()})
                done["escalated"] += 1
            else:
                done["overdue"] += _tell(_level_people(case), Notification.Kind.CASE_DUE, case, wording.overdue(case),
                                         dedupe_key=f"casework:{case.pk}:overdue:{case.due_on.isoformat()}")
    tomorrow = today + timedelta(days=1)
    for case in Case.objects.filter(status__in=Case.LATE_IN, due_on=tomorrow).select_related("committee__street",
                                                                                              "compound", "building"):
        with transaction.atomic():
            done["reminded"] += _tell(_level_people(case), Notification.Kind.CASE_DUE, case, wording.due_tomorrow(case),
                                      dedupe_key=f"casework:{case.pk}:due:{case.due_on.isoformat()}")
    return done
