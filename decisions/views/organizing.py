"""The organizer's pages: the committee's ballots, a new ballot, the manage page, and state changes.

Every view finds the ballot or committee first and checks that the user organizes *that*
committee (404 otherwise), then makes one service call and turns a domain error into a message.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from config.confirm import confirm_page
from config.errors import DOMAIN_ERRORS, error_text
from decisions import selectors, services
from decisions.forms import BallotCreateForm, CancelForm, NamedVotersForm, QuestionAddForm, ReceiptCheckForm
from decisions.models import Ballot
from decisions.permissions import ballot_for_organizer_or_404
from decisions.views._common import ballot_facts, percent, results
from decisions.views.box import box_facts
from members import selectors as member_selectors
from members.permissions import committee_for_organizer_or_404

PAGE_SIZE = 50
# Above this many residents the named list is chosen by phone number only: a longer list of
# checkboxes is unusable on a phone.
MAX_RESIDENT_CHECKBOXES = 400


@login_required
@require_GET
def committee_ballots(request, pk: int):
    committee = committee_for_organizer_or_404(request.user, pk)
    page = Paginator(selectors.committee_ballots(committee), PAGE_SIZE).get_page(request.GET.get("page"))
    for ballot in page:
        ballot.turnout_share = (percent(Decimal(ballot.participants) / ballot.electorate_size)
                                if ballot.electorate_size else "")
    return render(request, "decisions/committee_ballots.html", {"committee": committee, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def ballot_create(request, pk: int):
    committee = committee_for_organizer_or_404(request.user, pk)
    form = BallotCreateForm(request.POST or None, committee=committee)
    if request.method == "POST":
        if form.is_valid():
            try:
                ballot = services.ballot_create(committee=committee, by=request.user, **form.service_kwargs())
            except DOMAIN_ERRORS as error:
                messages.error(request, error_text(error))
            else:
                messages.success(request, _("The ballot was created as a draft. Check its questions, then "
                                            "open it."))
                return redirect("decisions:ballot_manage", pk=ballot.pk)
        else:
            messages.error(request, _("The ballot was not created: correct the fields marked below."))
    return render(request, "decisions/ballot_create.html", {"committee": committee, "form": form})


# --- The manage page -----------------------------------------------------------------------

def _resident_rows(ballot: Ballot) -> tuple[list, bool]:
    """(membership rows, one per person) for the named-list checkboxes, and whether the list was cut."""
    rows, seen = [], set()
    for membership in member_selectors.committee_residents(ballot.committee)[:MAX_RESIDENT_CHECKBOXES * 2]:
        if membership.user_id not in seen:
            seen.add(membership.user_id)
            rows.append(membership)
    return rows[:MAX_RESIDENT_CHECKBOXES], len(rows) > MAX_RESIDENT_CHECKBOXES


def _voters_form(ballot: Ballot, data=None) -> NamedVotersForm:
    initial = {"voters": list(selectors.named_voter_ids(ballot))} if data is None else None
    residents = selectors.committee_resident_users(ballot.committee)
    return NamedVotersForm(data, initial=initial, residents=residents)


def _manage(request, ballot: Ballot, *, question_form=None, voters_form=None):
    context = {"ballot": ballot, "facts": ballot_facts(ballot), "committee": ballot.committee,
               "questions": selectors.ballot_questions(ballot), "check_form": ReceiptCheckForm()}
    if ballot.status == Ballot.Status.DRAFT:
        context["question_form"] = question_form or QuestionAddForm()
        if ballot.electorate == Ballot.Electorate.NAMED_LIST:
            form = voters_form or _voters_form(ballot)
            rows, cut = _resident_rows(ballot)
            chosen = {str(v) for v in (form["voters"].value() or [])}
            context.update(voters_form=form, resident_rows=rows, residents_cut=cut, chosen=chosen,
                           named_voters=selectors.named_voters(ballot))
    if ballot.status == Ballot.Status.OPEN:
        context["pending_batches"] = list(selectors.pending_batches(ballot))
    context["results"] = results(request.user, ballot)
    context["box"] = box_facts(ballot, request.user)
    return render(request, "decisions/ballot_manage.html", context)


@login_required
@require_GET
def ballot_manage(request, pk: int):
    return _manage(request, ballot_for_organizer_or_404(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def question_add(request, pk: int):
    ballot = ballot_for_organizer_or_404(request.user, pk)
    if request.method == "GET":
        return redirect("decisions:ballot_manage", pk=ballot.pk)
    form = QuestionAddForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.question_add(ballot=ballot, by=request.user, text=data["text"], kind=data["kind"],
                                  max_choices=data["max_choices"], options=form.option_specs())
        except DOMAIN_ERRORS as error:
            messages.error(request, error_text(error))
            return redirect("decisions:ballot_manage", pk=ballot.pk)
        messages.success(request, _("The question was added."))
        return redirect("decisions:ballot_manage", pk=ballot.pk)
    messages.error(request, _("The question was not added: correct the fields marked below."))
    return _manage(request, ballot, question_form=form)


@login_required
@require_http_methods(["POST"])
def question_remove(request, pk: int, question_pk: int):
    """Remove a question from a draft (the manage page lists it with a remove button)."""
    ballot = ballot_for_organizer_or_404(request.user, pk)
    question = ballot.questions.filter(pk=question_pk).first()
    if question is None:
        raise Http404
    try:
        services.question_remove(question=question, by=request.user)
    except DOMAIN_ERRORS as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The question was removed."))
    return redirect("decisions:ballot_manage", pk=ballot.pk)


@login_required
@require_http_methods(["GET", "POST"])
def named_voters(request, pk: int):
    ballot = ballot_for_organizer_or_404(request.user, pk)
    if request.method == "GET":
        return redirect("decisions:ballot_manage", pk=ballot.pk)
    form = _voters_form(ballot, request.POST)
    if form.is_valid():
        users = form.users()
        try:
            services.ballot_set_named_voters(ballot=ballot, by=request.user, users=users)
        except DOMAIN_ERRORS as error:
            messages.error(request, error_text(error))
            return redirect("decisions:ballot_manage", pk=ballot.pk)
        messages.success(request, _("The named list now has %(n)s people.") % {"n": len(users)})
        return redirect("decisions:ballot_manage", pk=ballot.pk)
    messages.error(request, _("The named list was not changed: correct the fields marked below."))
    return _manage(request, ballot, voters_form=form)


# --- State changes: GET confirms, POST acts -------------------------------------------------

def _transition_texts(action: str) -> dict:
    return {
        "open": {"title": _("Open voting"), "button": _("Open voting now"),
                 "explain": _("From now on the questions, the options, the electorate, the secrecy and the "
                              "decision rule are frozen. The electorate is recorded as it stands now.")},
        "close": {"title": _("Close voting"), "button": _("Close voting now"),
                  "explain": _("Nobody can vote or change a vote after this. Paper batches still waiting "
                               "for confirmation will not be counted.")},
        "publish": {"title": _("Publish the result"), "button": _("Publish now"),
                    "explain": _("Everyone who can see this ballot will see the result, and residents can "
                                 "check their receipts. A published result cannot be changed.")},
        "cancel": {"title": _("Cancel the ballot"), "button": _("Cancel the ballot"),
                   "explain": _("The ballot stops for good; its votes are kept but never counted. Everyone "
                                "who can see the ballot will read your reason.")},
    }[action]


TARGETS = {"open": Ballot.Status.OPEN, "close": Ballot.Status.CLOSED, "publish": Ballot.Status.PUBLISHED,
           "cancel": Ballot.Status.CANCELLED}


def _transition(request, pk: int, action: str, act):
    ballot = ballot_for_organizer_or_404(request.user, pk)
    texts = _transition_texts(action)
    allowed = ballot.can_move_to(TARGETS[action])
    manage = reverse("decisions:ballot_manage", args=[ballot.pk])

    def card(done):
        if not getattr(done, "new_cards", None):
            return None
        # Opened with no scrutineer named: the organizer is the only one; their card, once.
        from decisions.cards import card_page

        messages.success(request, _("Voting is open. You are the only scrutineer of this ballot: keep this card."))
        return card_page(request, done, done.new_cards[request.user.pk])

    return confirm_page(
        request, title=texts["title"], question=texts["explain"], button=texts["button"], cancel_url=manage,
        form=CancelForm(request.POST or None) if action == "cancel" else None,
        invalid=_("Give a reason for cancelling."), act=lambda data: act(ballot, data), respond=card,
        success=lambda _done: _("Done: the ballot is now %(s)s.")
        % {"s": Ballot.objects.get(pk=ballot.pk).get_status_display()}, done_url=manage,
        context={"ballot": ballot, "action": action, "allowed": allowed, "subject": ballot.title,
                 "status_template": "decisions/_status.html", "details": "decisions/_transition_details.html",
                 "refusal": "" if allowed else _("This cannot be done to a %(s)s ballot.")
                 % {"s": ballot.get_status_display()},
                 "facts": ballot_facts(ballot), "box": box_facts(ballot, request.user),
                 "results": results(request.user, ballot) if action == "publish" else None,
                 "pending_batches": list(selectors.pending_batches(ballot)) if action == "close" else []})


@login_required
@require_http_methods(["GET", "POST"])
def ballot_open(request, pk: int):
    return _transition(request, pk, "open",
                       lambda b, _f: services.ballot_open(ballot=b, by=request.user))


@login_required
@require_http_methods(["GET", "POST"])
def ballot_close(request, pk: int):
    return _transition(request, pk, "close",
                       lambda b, _f: services.ballot_close(ballot=b, by=request.user))


@login_required
@require_http_methods(["GET", "POST"])
def ballot_publish(request, pk: int):
    return _transition(request, pk, "publish",
                       lambda b, _f: services.ballot_publish(ballot=b, by=request.user))


@login_required
@require_http_methods(["GET", "POST"])
def ballot_cancel(request, pk: int):
    return _transition(request, pk, "cancel", lambda b, data: services.ballot_cancel(
        ballot=b, by=request.user, reason=data["reason"]))
