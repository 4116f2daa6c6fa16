"""The resident's pages: my ballots, the ballot page, vote → confirm → receipt, results, receipt check."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from config.errors import DOMAIN_ERRORS, error_text
from config.spreadsheets import csv_response
from decisions import bulletin, exports, selectors, services
from decisions.forms import ReceiptCheckForm, VoteForm
from decisions.models import Ballot, Channel, Option, Participation, Question, Voice
from decisions.permissions import ballot_for_viewer_or_404, can_assist
from decisions.services.casting import change_refusal
from decisions.throttle import throttle_votes
from decisions.views._common import ballot_facts, results
from decisions.views.box import box_facts
from members.permissions import can_manage_committee


@dataclass
class VoteState:
    """What the page knows about the user's own voice on a ballot."""

    voice: Voice | None
    versions: list[Participation] = field(default_factory=list)  # every version of the voice, newest first
    mine: list[Participation] = field(default_factory=list)  # versions cast by (or for) this user
    may_vote: bool = False
    reason: str = ""  # why the user may not vote (or change) now

    @property
    def latest_version(self) -> int:
        return self.versions[0].version if self.versions else 0

    @property
    def household_voted(self) -> bool:
        return bool(self.versions) and not self.mine


def vote_state(user, ballot: Ballot) -> VoteState:
    voice, versions = selectors.voice_history(ballot, user)
    state = VoteState(voice, versions, [p for p in versions if p.user_id == user.pk])
    latest = versions[0] if versions else None
    if voice is None:
        if ballot.status == Ballot.Status.OPEN:
            state.reason = _("You are not on the electorate of this ballot, so you cannot vote on it.")
        return state
    if ballot.status != Ballot.Status.OPEN:
        return state
    refusal = change_refusal(ballot, latest, voter_id=user.pk, channel=Channel.ONLINE) if latest else None
    if refusal is not None:
        state.reason = refusal.messages[0]
    state.may_vote = not state.reason
    return state


def _detail(request, ballot: Ballot, *, form: VoteForm | None = None, questions=None):
    questions = questions if questions is not None else selectors.ballot_questions(ballot)
    state = vote_state(request.user, ballot)
    if state.may_vote and form is None:
        form = VoteForm(questions=questions)
    return render(request, "decisions/ballot_detail.html", {
        "ballot": ballot, "questions": questions, "facts": ballot_facts(ballot), "state": state,
        "form": form if state.may_vote else None, "results": results(request.user, ballot),
        "is_organizer": can_manage_committee(request.user, ballot.committee),
        "can_assist": ballot.status == Ballot.Status.OPEN and can_assist(request.user, ballot),
        "check_form": ReceiptCheckForm(), "box": box_facts(ballot, request.user),
    })


@login_required
def my_ballots(request):
    waiting, voted, finished = [], [], []
    for voice in selectors.my_voices(request.user):
        ballot = voice.ballot
        if ballot.status == Ballot.Status.OPEN and not voice.all_versions:
            waiting.append(voice)
        if voice.all_versions:
            newest = voice.all_versions[0].pk
            voice.receipts = [(p, p.pk == newest) for p in voice.mine]
            voted.append(voice)
        if ballot.status != Ballot.Status.OPEN:
            finished.append(voice)
    return render(request, "decisions/my_ballots.html",
                  {"waiting": waiting, "voted": voted, "finished": finished})


@login_required
@require_GET
def ballot_detail(request, pk: int):
    return _detail(request, ballot_for_viewer_or_404(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
@throttle_votes
def ballot_vote(request, pk: int):
    """POST the choices → confirmation page; POST action=confirm → cast; action=change → back to the form."""
    if request.method == "POST" and request.POST.get("action") == "confirm":
        return _confirm(request, pk)
    ballot = ballot_for_viewer_or_404(request.user, pk)
    if request.method == "GET":
        return redirect(ballot)
    state = vote_state(request.user, ballot)
    if not state.may_vote:
        messages.error(request, state.reason or _("This ballot is not open for voting."))
        return redirect(ballot)
    questions = selectors.ballot_questions(ballot)
    form = VoteForm(request.POST, questions=questions)
    if not form.is_valid():
        messages.error(request, _("Your vote was not recorded: answer every question with one of the "
                                  "options shown."))
        return _detail(request, ballot, form=form, questions=questions)
    if request.POST.get("action") == "change":
        return _detail(request, ballot, form=form, questions=questions)
    rows, fields = _ticket(form)
    return render(request, "decisions/vote_confirm.html", {
        "ballot": ballot, "form": form, "after": state.latest_version, "state": state, "rows": rows,
        "fields": fields})


def _ticket(form: VoteForm) -> tuple[list[tuple[Question, list[Option], list[Option]]], list[tuple[str, int]]]:
    """The confirmation page's content, written so that its size does not depend on what was chosen.

    Its size crosses the network (TLS hides the bytes, not their number) and lands in access logs,
    so it must say nothing on a secret ballot. Rather than pad the page to a size computed from
    its longest rendering (a bound that every template or translation change could break), the
    page holds the same bytes in another order whatever the choice: every option of every question
    once, its label in the list of chosen options or in a hidden list of the others, and its id
    in a hidden input named ``q<question id>`` when chosen and ``x<question id>`` (which nothing
    reads) when not. Returns (question, chosen, others) rows and the (name, option id) inputs.
    """
    chosen = form.choices()
    rows, fields = [], []
    for question in form.questions:
        picked = set(chosen.get(question.pk, []))
        options = list(question.options.all())
        rows.append((question, [o for o in options if o.pk in picked], [o for o in options if o.pk not in picked]))
        name = form.field_name(question)
        fields += [(name if o.pk in picked else f"x{name[1:]}", o.pk) for o in options]
    return rows, fields


def _posted_choices(post) -> dict[int, list[str]]:
    """The ``q<question id>`` fields of the vote form; the service checks them against the ballot."""
    return {int(name[1:]): post.getlist(name) for name in post if name[:1] == "q" and name[1:].isdigit()}


def _confirm(request, pk: int):
    """Cast: the service is the one check (voice held, ballot open, options, double submit).

    A cast succeeds only for someone holding a voice on an open ballot, who may view it
    (``selectors.can_view``), so the scope check is done only when the service refuses — and then
    fully, before anything is said: 404 outside the scope, else the page's own explanation.
    """
    ballot = Ballot.by_id(pk)  # only its id: vote_cast reads the ballot as stored, and refuses an unknown one
    seen = request.POST.get("after", "").strip()
    try:
        participation = services.vote_cast(ballot=ballot, voter=request.user, choices=_posted_choices(request.POST),
                                           expected_version=int(seen) if seen.isdigit() else -1)
    except DOMAIN_ERRORS as error:
        return _refused(request, pk, error)
    # The receipt page says the vote is recorded (no flash message: no cookie to sign here and read there).
    return redirect("decisions:ballot_receipt", pk=ballot.pk, code=participation.receipt)


def _refused(request, pk: int, error: Exception):
    """A refused cast, answered as the vote page answers one: scope, the voter's state, the form, the error."""
    ballot = ballot_for_viewer_or_404(request.user, pk)
    state = vote_state(request.user, ballot)
    if not state.may_vote:
        messages.error(request, state.reason or _("This ballot is not open for voting."))
        return redirect(ballot)
    questions = selectors.ballot_questions(ballot)
    form = VoteForm(request.POST, questions=questions)
    if not form.is_valid():
        messages.error(request, _("Your vote was not recorded: answer every question with one of the "
                                  "options shown."))
        return _detail(request, ballot, form=form, questions=questions)
    messages.error(request, error_text(error))
    return redirect(ballot)


@login_required
@require_GET
def ballot_receipt(request, pk: int, code: str):
    """The voter's own receipt (404 for anyone else's)."""
    ballot = ballot_for_viewer_or_404(request.user, pk)
    participation = selectors.my_receipt(ballot, request.user, code)
    if participation is None:
        raise Http404
    status = selectors.receipt_status(ballot, participation.receipt)
    return render(request, "decisions/receipt.html",
                  {"ballot": ballot, "participation": participation, "status": status})


@login_required
@require_GET
def receipt_check(request, pk: int):
    ballot = ballot_for_viewer_or_404(request.user, pk)
    form = ReceiptCheckForm(request.GET if "code" in request.GET else None)
    status, paper, in_box = None, None, False
    if ballot.status != Ballot.Status.PUBLISHED:
        if form.is_bound:
            messages.warning(request, _("Receipts can be checked once the result is published."))
    elif form.is_bound:
        if form.is_valid():
            status = selectors.receipt_status(ballot, form.cleaned_data["code"]) or "unknown"
            paper = selectors.paper_of_receipt(ballot, form.cleaned_data["code"]) if ballot.is_sealed else None
            # A counted receipt's paper is in the list of counted papers by definition (box_list):
            # no need to read and hash the whole box for each check.
            in_box = paper is not None and status == "counted"
        else:
            messages.error(request, " ".join(form.errors["code"]))
    return render(request, "decisions/receipt_check.html",
                  {"ballot": ballot, "form": form, "status": status, "paper": paper, "in_box": in_box})


@login_required
@require_GET
def ballot_results(request, pk: int):
    ballot = ballot_for_viewer_or_404(request.user, pk)
    return render(request, "decisions/ballot_results.html", {
        "ballot": ballot, "facts": ballot_facts(ballot), "results": results(request.user, ballot),
        "is_organizer": can_manage_committee(request.user, ballot.committee),
        "check_form": ReceiptCheckForm(),
    })



@login_required
@require_GET
def ballot_export(request, pk: int):
    """The published result as CSV: counts, verdict lines, ledger heads and counted receipts."""
    ballot = ballot_for_viewer_or_404(request.user, pk)
    if ballot.status != Ballot.Status.PUBLISHED or not selectors.can_see_result(request.user, ballot):
        raise Http404
    return csv_response(exports.result_csv(ballot), f"ballot-{ballot.pk}-result.csv")


@login_required
@require_GET
def ballot_bulletin(request, pk: int):
    """The published ballot's bulletin (docs/BULLETIN.md), for the independent verifier."""
    ballot = ballot_for_viewer_or_404(request.user, pk)
    if not bulletin.has_bulletin(ballot) or not selectors.can_see_result(request.user, ballot):
        raise Http404
    response = JsonResponse(bulletin.bulletin_for(ballot), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="ballot-{ballot.pk}-bulletin.json"'
    return response
