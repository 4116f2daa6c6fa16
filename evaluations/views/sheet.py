"""The evaluator's secret sheet: one evaluatee per screen, a review of every answer, then the hand-in.

The answers so far travel with the sheet itself: each screen is a form whose POST carries every
answer (the other screens' as hidden fields) and moves to another screen, and a draft is kept on
the device (static/js/sheet-draft.js), so a reload or coming back later keeps them. The server
keeps no unfinished answers: it must hold no link between a person and ratings not handed in.
Moving between screens is not a cast and is not counted by the vote throttle; handing in is.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.errors import DOMAIN_ERRORS, error_text
from decisions.throttle import throttle_votes
from evaluations import selectors, services
from evaluations.forms import SheetForm
from evaluations.models import Campaign
from evaluations.permissions import campaign_for_viewer_or_404
from evaluations.views.campaigns import sheet_state

REVIEW = "review"
SUBMIT = "submit"


@login_required
@require_http_methods(["GET", "POST"])
def sheet_fill(request, pk: int):
    """A screen of the sheet (``go``: its number, or the review); a POST without ``go`` hands the sheet in."""
    go = request.POST.get("go", SUBMIT) if request.method == "POST" else "1"
    if go == SUBMIT:
        return _hand_in(request, pk)
    campaign = campaign_for_viewer_or_404(request.user, pk)
    state = sheet_state(request, campaign)
    closed = _sheet_closed(request, campaign, state)
    if closed:
        return closed
    screens = selectors.sheet_screens(selectors.sheet_blocks(campaign), request.POST)
    if go == REVIEW or not screens:
        return _review_page(request, campaign, state, screens)
    number = min(max(int(go) if go.isdigit() else 1, 1), len(screens))
    return _screen_page(request, campaign, state, screens, number)


@throttle_votes
def _hand_in(request, pk: int):
    """Hand in a sheet: the service is the one check (campaign open, voice held, every line rated, a change
    allowed, a double submit), as for a vote (``decisions.views.voting``).

    Only an evaluator holding a voice on the campaign's ballot can be recorded, so the scope is
    checked only when the service refuses, and then fully, before anything is said: 404 outside
    the scope, else the review screen with what is missing.
    """
    post = request.POST
    try:
        participation = services.sheet_submit(
            campaign=Campaign(pk=pk), voter=request.user, expected_version=_version(post.get("after")),
            ratings={int(name[1:]): post[name] for name in post if name[:1] == "q" and name[1:].isdigit()},
            comments={int(name[1:]): post[name] for name in post if name[:1] == "c" and name[1:].isdigit()})
    except DOMAIN_ERRORS as error:
        return _refused(request, pk, error)
    messages.success(request, _("Your sheet has been recorded. Receipt: %(r)s") % {"r": participation.receipt})
    return redirect(reverse("evaluations:campaign_detail", args=[pk]) + "?sent=1")


def _refused(request, pk: int, error: Exception):
    """A sheet the service refused: scope, the evaluator's state, then the review screen with the form's
    own message (a line not rated) or the service's."""
    campaign = campaign_for_viewer_or_404(request.user, pk)
    state = sheet_state(request, campaign)
    closed = _sheet_closed(request, campaign, state)
    if closed:
        return closed
    blocks = selectors.sheet_blocks(campaign)
    if not SheetForm(request.POST, blocks=blocks).is_valid():
        messages.error(request, _("Your sheet was not recorded: rate every line (choose “don't know” where you "
                                  "cannot say). Nothing was lost on this device."))
    else:
        messages.error(request, error_text(error))
        if getattr(error, "code", None) == "already_submitted":
            return redirect(campaign)  # a double submit: the first sheet counts, nothing to redo
    return _review_page(request, campaign, state, selectors.sheet_screens(blocks, request.POST))


def _sheet_closed(request, campaign: Campaign, state: dict):
    """Where the evaluator is sent, with why, if they may not fill in a sheet now; None if they may."""
    if state["may_fill"]:
        return None
    if state["voice"] is None:
        messages.error(request, _("You are not among the evaluators of this evaluation."))
    elif campaign.status != Campaign.Status.OPEN:
        messages.error(request, _("This evaluation is not taking sheets now."))
    else:
        messages.error(request, _("Your sheet has been counted and cannot be changed."))
    return redirect(campaign)


def _common(request, campaign: Campaign, state: dict, screens: list) -> dict:
    return {"campaign": campaign, "state": state, "screens": screens, "total": len(screens),
            "after": state["versions"][0].version if state["versions"] else 0,
            "draft_key": f"sanhui-sheet-{campaign.pk}-{request.user.pk}"}


def _screen_page(request, campaign: Campaign, state: dict, screens: list, number: int):
    screen = screens[number - 1]
    form = SheetForm(request.POST or None, blocks=[s.block for s in screens])
    return render(request, "evaluations/sheet_fill.html", {
        **_common(request, campaign, state, screens), "screen": screen, "section": form.sections[number - 1],
        "others": [s for s in screens if s.number != number],
        "casework_figures": selectors.sheet_casework_figures(campaign)})


def _review_page(request, campaign: Campaign, state: dict, screens: list):
    return render(request, "evaluations/sheet_review.html", {
        **_common(request, campaign, state, screens), "others": screens,
        "missing": sum(s.missing for s in screens)})


def _version(value: str | None) -> int | None:
    """The sheet version the evaluator saw (a double submit then records one sheet); None if garbled."""
    value = (value or "").strip()
    return int(value) if value.isdigit() else None
