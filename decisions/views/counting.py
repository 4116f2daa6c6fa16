"""Votes that do not come from the voter's own phone: paper batches and assisted votes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.errors import DOMAIN_ERRORS, error_text
from decisions import selectors, services
from decisions.forms import AssistForm, HolderFilterForm, PaperBatchForm, PaperSheetForm
from decisions.models import Ballot, Channel, PaperBatch
from decisions.permissions import ballot_for_assistant_or_404, ballot_for_organizer_or_404
from decisions.views._common import ballot_facts
from members.models import User


def _filter(request) -> tuple[HolderFilterForm, str]:
    form = HolderFilterForm(request.GET or None)
    return form, (form.cleaned_data["q"] if form.is_valid() else "")


def _not_open(request, ballot: Ballot) -> bool:
    if ballot.status != Ballot.Status.OPEN:
        messages.error(request, _("This ballot is not open for voting."))
        return True
    return False


# --- Paper batches -----------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def paper_batches(request, pk: int):
    """The ballot's batches, and a form for a new one: counts and who handed in a sheet."""
    ballot = ballot_for_organizer_or_404(request.user, pk)
    filter_form, q = _filter(request)
    holder_users = User.objects.filter(pk__in=selectors.voice_holders(ballot).values("user_id"))
    form = PaperBatchForm(request.POST or None, holders=holder_users)
    if request.method == "POST":
        if _not_open(request, ballot):
            return redirect("decisions:paper_batches", pk=ballot.pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                batch = services.paper_batch_create(ballot=ballot, by=request.user, issued=data["issued"],
                                                    returned=data["returned"], void=data["void"],
                                                    voters=list(data["voters"]), note=data["note"])
            except DOMAIN_ERRORS as error:
                messages.error(request, error_text(error))
            else:
                messages.success(request, _("The batch was recorded. Now enter its valid sheets one by one."))
                return redirect("decisions:paper_batch", pk=ballot.pk, batch_pk=batch.pk)
        else:
            messages.error(request, _("The batch was not recorded: correct the fields marked below."))
    chosen = {str(v) for v in (form["voters"].value() or [])}
    return render(request, "decisions/paper_batches.html", {
        "ballot": ballot, "facts": ballot_facts(ballot), "form": form, "filter_form": filter_form,
        "holders": list(selectors.voice_holders(ballot, q=q)), "chosen": chosen,
        "batches": list(selectors.ballot_batches(ballot)),
    })


def _batch_or_404(ballot: Ballot, batch_pk: int) -> PaperBatch:
    batch = selectors.paper_batch(ballot, batch_pk)
    if batch is None:
        raise Http404
    return batch


@login_required
@require_http_methods(["GET", "POST"])
def paper_batch(request, pk: int, batch_pk: int):
    """Enter the valid sheets of a pending batch one by one."""
    ballot = ballot_for_organizer_or_404(request.user, pk)
    batch = _batch_or_404(ballot, batch_pk)
    sheets = selectors.batch_sheets(batch)
    voters = selectors.batch_voters(batch)
    entered = {sheet.voter_id for sheet in sheets}
    remaining = [v for v in voters if v.pk not in entered]
    questions = selectors.ballot_questions(ballot)
    form = PaperSheetForm(request.POST or None, questions=questions, ballot=ballot, voters=remaining)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.paper_sheet_add(batch=batch, by=request.user, choices=form.choices(),
                                         voter=form.chosen_voter(), floor_area=form.cleaned_data.get("floor_area"))
            except DOMAIN_ERRORS as error:
                messages.error(request, error_text(error))
            else:
                messages.success(request, _("Sheet %(n)s was entered.") % {"n": len(sheets) + 1})
            return redirect("decisions:paper_batch", pk=ballot.pk, batch_pk=batch.pk)
        messages.error(request, _("The sheet was not entered: correct the fields marked below."))
    expected = batch.returned - batch.void
    return render(request, "decisions/paper_batch.html", {
        "ballot": ballot, "batch": batch, "sheets": sheets, "voters": voters, "form": form,
        "expected": expected, "complete": len(sheets) >= expected,
        "pending": batch.status == PaperBatch.Status.PENDING,
        "entered_by_me": batch.entered_by_id == request.user.pk,
        # Once counted, a secret batch's sheets are not shown again: next to its list of voters
        # (and the floor areas of art. 278 sheets) they could tell who voted what.
        "show_sheets": batch.status == PaperBatch.Status.PENDING or not ballot.is_secret,
    })


@login_required
@require_http_methods(["GET", "POST"])
def paper_batch_discard(request, pk: int, batch_pk: int):
    """GET asks to confirm; POST throws away a batch waiting for confirmation."""
    ballot = ballot_for_organizer_or_404(request.user, pk)
    batch = _batch_or_404(ballot, batch_pk)
    if request.method == "POST":
        try:
            services.paper_batch_discard(batch=batch, by=request.user)
        except DOMAIN_ERRORS as error:
            messages.error(request, error_text(error))
            return redirect("decisions:paper_batch", pk=ballot.pk, batch_pk=batch.pk)
        messages.success(request, _("The batch was discarded."))
        return redirect("decisions:paper_batches", pk=ballot.pk)
    return render(request, "decisions/paper_batch_discard.html", {"ballot": ballot, "batch": batch})


@login_required
@require_http_methods(["POST"])
def paper_sheet_remove(request, pk: int, batch_pk: int, sheet_pk: int):
    """Remove a mistyped sheet from a pending batch."""
    ballot = ballot_for_organizer_or_404(request.user, pk)
    batch = _batch_or_404(ballot, batch_pk)
    sheet = batch.sheets.filter(pk=sheet_pk).first()
    if sheet is None:
        raise Http404
    try:
        services.paper_sheet_remove(sheet=sheet, by=request.user)
    except DOMAIN_ERRORS as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The sheet was removed; enter it again."))
    return redirect("decisions:paper_batch", pk=ballot.pk, batch_pk=batch.pk)


@login_required
@require_http_methods(["GET", "POST"])
def paper_batch_confirm(request, pk: int, batch_pk: int):
    """A second organizer confirms the batch: GET shows what will be counted, POST counts it."""
    ballot = ballot_for_organizer_or_404(request.user, pk)
    batch = _batch_or_404(ballot, batch_pk)
    if request.method == "POST":
        try:
            services.paper_batch_confirm(batch=batch, by=request.user)
        except DOMAIN_ERRORS as error:
            messages.error(request, error_text(error))
            return redirect("decisions:paper_batch", pk=ballot.pk, batch_pk=batch.pk)
        messages.success(request, _("The batch was confirmed and its sheets are counted."))
        return redirect("decisions:paper_batches", pk=ballot.pk)
    pending = batch.status == PaperBatch.Status.PENDING
    sheets = selectors.batch_sheets(batch) if pending or not ballot.is_secret else []
    return render(request, "decisions/paper_batch_confirm.html", {
        "ballot": ballot, "batch": batch, "sheets": sheets, "voters": selectors.batch_voters(batch),
        "expected": batch.returned - batch.void, "entered_by_me": batch.entered_by_id == request.user.pk,
    })


# --- Assisted votes -------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def assisted_vote(request, pk: int):
    """An organizer or the building's floor leader enters the vote of a resident who asked for help."""
    ballot, buildings = ballot_for_assistant_or_404(request.user, pk)
    filter_form, q = _filter(request)
    holders = selectors.voice_holders(ballot, q=q, building_ids=buildings)
    questions = selectors.ballot_questions(ballot)
    form = AssistForm(request.POST or None, questions=questions, holders=holders)
    if request.method == "POST":
        if _not_open(request, ballot):
            return redirect("decisions:assisted_vote", pk=ballot.pk)
        if form.is_valid():
            holder = form.cleaned_data["holder"]
            try:
                participation = services.vote_cast(
                    ballot=ballot, voter=holder.user, voice=holder.voice, choices=form.choices(),
                    channel=Channel.ASSISTED, entered_by=request.user,
                    consent_note=form.cleaned_data["consent_note"])
            except DOMAIN_ERRORS as error:
                messages.error(request, error_text(error))
            else:
                messages.success(request, _("The assisted vote of %(name)s was recorded. Give them this "
                                            "receipt code to keep: %(code)s")
                                 % {"name": holder.user.display_name, "code": participation.receipt})
                return redirect(request.get_full_path())
        else:
            messages.error(request, _("The vote was not recorded: correct the fields marked below."))
    return render(request, "decisions/assisted_vote.html", {
        "ballot": ballot, "facts": ballot_facts(ballot), "form": form, "filter_form": filter_form,
        "open": ballot.status == Ballot.Status.OPEN, "organizer": buildings is None,
    })
