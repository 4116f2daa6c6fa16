"""The agency contact's pages: own agency's published aggregates and rectification tasks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from config.errors import DOMAIN_ERRORS, error_text
from evaluations import selectors, services
from evaluations.forms import PlanForm, ProgressForm
from evaluations.models import MIN_ANSWERS, Rectification
from evaluations.permissions import can_run, contact_agency_ids, rectification_for_viewer_or_404


@login_required
@require_GET
def agency_home(request):
    agency_ids = contact_agency_ids(request.user)
    if not agency_ids:
        raise Http404
    tasks = list(selectors.agency_rectifications(agency_ids))
    today = timezone.localdate()
    for task in tasks:
        task.overdue = task.is_overdue(today)
    return render(request, "evaluations/agency_home.html", {
        "results": selectors.agency_results(agency_ids), "tasks": tasks, "min_answers": MIN_ANSWERS})


@login_required
@require_GET
def rectification_detail(request, pk: int):
    task = rectification_for_viewer_or_404(request.user, pk)
    return _detail(request, task)


def _detail(request, task: Rectification, *, plan_form=None, progress_form=None):
    is_contact = task.agency_id in contact_agency_ids(request.user)
    is_committee = can_run(request.user, task.campaign.committee)
    if is_contact and task.can_move_to(Rectification.Status.FILED) and plan_form is None:
        plan_form = PlanForm(initial={"targets": task.targets, "measures": task.measures,
                                      "head_name": task.head_name})
    if is_committee and task.status in Rectification.PROGRESS_IN and progress_form is None:
        progress_form = ProgressForm()
    return render(request, "evaluations/rectification_detail.html", {
        "task": task, "is_contact": is_contact, "is_committee": is_committee,
        "overdue": task.is_overdue(timezone.localdate()), "plan_form": plan_form, "progress_form": progress_form,
        "progress": list(task.progress.select_related("recorded_by")),
        "results": [r for r in task.evaluatee.results.select_related("dimension").order_by("dimension__position")]})


MOVES = {"file", "confirm", "return", "progress", "complete"}


@login_required
@require_http_methods(["GET", "POST"])
def rectification_transition(request, pk: int, move: str):
    """GET: back to the task page (confirm and return have their button there); POST: the move."""
    task = rectification_for_viewer_or_404(request.user, pk)
    if move not in MOVES:
        raise Http404
    if request.method == "GET":
        return redirect(task)
    try:
        if move == "file":
            form = PlanForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("The plan was not filed: fill in every field."))
                return _detail(request, task, plan_form=form)
            services.rectification_file(task=task, by=request.user, **form.cleaned_data)
        elif move == "progress":
            form = ProgressForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Write what has been done."))
                return _detail(request, task, progress_form=form)
            services.progress_record(task=task, by=request.user, note=form.cleaned_data["note"])
        else:
            {"confirm": services.rectification_confirm, "return": services.rectification_return,
             "complete": services.rectification_complete}[move](task=task, by=request.user)
    except DOMAIN_ERRORS as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Saved."))
    return redirect(task)
