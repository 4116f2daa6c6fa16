"""Rectification (整改): plans due after publication, filed and confirmed by the agency, followed by the committee."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.lifecycle import guard_move
from config.records import follow_up_move
from evaluations.models import Campaign, Progress, Rectification, Result
from evaluations.permissions import can_run, contact_agency_ids
from members.calendar import add_working_days
from members.models import Notification, Role, User
from members.notifications import notify
from members.services import stamp as _stamp


def _locked(task: Rectification) -> Rectification:
    return (Rectification.objects.select_for_update(of=("self",))
            .select_related("campaign__committee__street", "agency").get(pk=task.pk))


def _require_contact(by: User, task: Rectification) -> None:
    if task.agency_id not in contact_agency_ids(by):
        raise PermissionDenied(_("Only contacts of %(a)s may do this.") % {"a": task.agency})


@transaction.atomic
def rectifications_create(*, campaign: Campaign, by: User | None) -> list[Rectification]:
    """One task per agency evaluatee over the dissatisfaction threshold (or every one), due in 15 working days."""
    due = add_working_days(timezone.localdate(campaign.published_at), Rectification.WORKING_DAYS)
    overall = (Result.objects.filter(campaign=campaign, dimension__isnull=True, evaluatee__agency__isnull=False)
               .select_related("evaluatee__agency"))
    tasks = []
    for row in overall:
        over = row.dissatisfaction is not None and row.dissatisfaction > Decimal(campaign.rectification_threshold)
        if not (campaign.rectify_all or over):
            continue
        reason = (_("Dissatisfaction %(d)s%% is over the threshold of %(t)s%%.")
                  % {"d": row.dissatisfaction, "t": f"{campaign.rectification_threshold:g}"}) if over else \
            _("This campaign asks every evaluatee for a plan.")
        task, created = Rectification.objects.get_or_create(
            evaluatee=row.evaluatee, defaults={"campaign": campaign, "agency": row.evaluatee.agency,
                                               "reason": reason[:200], "due_on": due})
        if created:
            tasks.append(task)
    if tasks:
        contacts = Role.objects.filter(kind=Role.Kind.AGENCY_CONTACT, agency__in=[t.agency_id for t in tasks])
        for task in tasks:
            notify(users=[r.user_id for r in contacts if r.agency_id == task.agency_id], kind=Notification.Kind.ACTION,
                   message="rectification_due", params={"d": str(task.due_on), "t": campaign.title},
                   url=task.get_absolute_url(), dedupe_key=f"rectification-due:{task.pk}")
    return tasks


@transaction.atomic
def rectification_file(*, task: Rectification, by: User, targets: str, measures: str, head_name: str
                       ) -> Rectification:
    """The agency's contact files the written plan: targets, measures, and the head who answers for it."""
    task = _locked(task)
    _require_contact(by, task)
    guard_move(task, Rectification.Status.FILED)
    targets, measures, head_name = (targets or "").strip(), (measures or "").strip(), (head_name or "").strip()
    if not targets or not measures or not head_name:
        raise ValidationError(_("Write the targets, the measures and the name of the agency's head."),
                              code="plan_incomplete")
    task.targets, task.measures, task.head_name = targets, measures, head_name[:60]
    task.filed_at, task.filed_by = timezone.now(), by
    follow_up_move(task, Rectification.Status.FILED, by=by,
                   fields=("targets", "measures", "head_name", "filed_at", "filed_by"))
    return task


@transaction.atomic
def rectification_confirm(*, task: Rectification, by: User) -> Rectification:
    """The agency's head confirms the filed plan through an agency-contact account."""
    task = _locked(task)
    _require_contact(by, task)
    task.confirmed_at, task.confirmed_by = timezone.now(), by
    follow_up_move(task, Rectification.Status.CONFIRMED, by=by, fields=("confirmed_at", "confirmed_by"))
    organizers = Role.objects.filter(kind=Role.Kind.ORGANIZER, committee=task.campaign.committee)
    notify(users=list(organizers.values_list("user_id", flat=True)), kind=Notification.Kind.ACTION,
           message="rectification_confirmed", params={"a": str(task.agency)}, url=task.get_absolute_url(),
           dedupe_key=f"rectification-confirmed:{task.pk}")
    return task


@transaction.atomic
def rectification_return(*, task: Rectification, by: User) -> Rectification:
    """Send a filed plan back to be rewritten (before the head confirms it)."""
    task = _locked(task)
    _require_contact(by, task)
    follow_up_move(task, Rectification.Status.WAITING, by=by)
    return task


@transaction.atomic
def progress_record(*, task: Rectification, by: User, note: str) -> Progress:
    """The committee records how the rectification goes."""
    task = _locked(task)
    if not can_run(by, task.campaign.committee):
        raise PermissionDenied(_("Only organizers of %(c)s may record progress.") % {"c": task.campaign.committee})
    if task.status not in Rectification.PROGRESS_IN:
        raise ValidationError(_("Progress is recorded once the plan is confirmed (now: %(s)s).")
                              % {"s": task.get_status_display()}, code="plan_not_confirmed")
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Write what has been done."), code="note_required")
    progress = _stamp(Progress(rectification=task, note=note[:2000], recorded_by=by), by)
    progress.save()
    return progress


@transaction.atomic
def rectification_complete(*, task: Rectification, by: User) -> Rectification:
    """The committee records that the rectification is completed."""
    task = _locked(task)
    if not can_run(by, task.campaign.committee):
        raise PermissionDenied(_("Only organizers of %(c)s may do this.") % {"c": task.campaign.committee})
    follow_up_move(task, Rectification.Status.DONE, by=by)
    return task
