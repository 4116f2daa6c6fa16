"""Campaign pages: lists, create and launch, the campaign page, its scrutineers and moves, results and report
(the sheet is in ``evaluations.views.sheet``)."""

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from config.confirm import confirm_page
from config.errors import DOMAIN_ERRORS, error_text
from decisions.models import Channel
from decisions.services.casting import change_refusal
from evaluations import selectors, services
from evaluations.forms import CampaignForm, CancelForm, LaunchForm, ScrutineersForm
from evaluations.models import MIN_ANSWERS, Campaign
from evaluations.permissions import (
    campaign_for_runner_or_404,
    campaign_for_viewer_or_404,
    can_run,
    committee_for_runner_or_404,
)
from members.permissions import can_manage_committee, street_for_officer_or_404


@login_required
@require_GET
def committee_campaigns(request, pk: int):
    committee = committee_for_runner_or_404(request.user, pk)
    return render(request, "evaluations/committee_campaigns.html", {
        "committee": committee, "campaigns": list(selectors.committee_campaigns(committee)),
        "is_organizer": can_manage_committee(request.user, committee)})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request, pk: int):
    committee = committee_for_runner_or_404(request.user, pk)
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(committee=committee, by=request.user, settings=form.settings())
        except DOMAIN_ERRORS as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The evaluation has been drafted. Check it, then open the sheets."))
            return redirect(campaign)
    return render(request, "evaluations/campaign_create.html", {"committee": committee, "form": form})


@login_required
@require_GET
def street_campaigns(request, pk: int):
    street = street_for_officer_or_404(request.user, pk)
    tasks = list(selectors.street_rectifications(street))
    return render(request, "evaluations/street_campaigns.html", {
        "street": street, "campaigns": list(selectors.street_campaigns(street)), "tasks": tasks,
        "overdue": {t.pk for t in selectors.overdue(tasks)}})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def street_launch(request, pk: int):
    street = street_for_officer_or_404(request.user, pk)
    form = LaunchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            launch = services.campaign_launch(street=street, by=request.user, settings=form.settings(),
                                              open_now=form.cleaned_data["open_now"])
        except DOMAIN_ERRORS as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Evaluations launched in %(n)s committees.") % {"n": launch.campaigns.count()})
            if launch.new_cards:
                return _launch_cards(request, launch)
            return redirect("evaluations:street_campaigns", street.pk)
    return render(request, "evaluations/street_launch.html", {"street": street, "form": form})


def _card_qr(request, ballot_id: int, code: str) -> str:
    """The QR code of a card, as the core's card page draws it: the box page, with the code after #."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    url = request.build_absolute_uri(reverse("decisions:ballot_box", args=[ballot_id])) + "#" + code
    svg = BytesIO()
    qrcode.make(url, image_factory=SvgPathImage, box_size=8, border=2).save(svg)
    return svg.getvalue().decode()


def _launch_cards(request, launch):
    """The officer's cards, one per committee opened at launch: shown now, once, to print."""
    campaigns = list(launch.campaigns.filter(pk__in=launch.new_cards).select_related("committee")
                     .order_by("committee__name"))
    cards = [{"campaign": c, "groups": launch.new_cards[c.pk].split("-"),
              "qr": _card_qr(request, c.ballot_id, launch.new_cards[c.pk])} for c in campaigns]
    response = render(request, "evaluations/launch_cards.html", {"street": launch.street, "cards": cards})
    response["Cache-Control"] = "no-store"
    return response


def sheet_state(request, campaign: Campaign) -> dict:
    """The evaluator's voice, their sheets handed in so far, and whether they may fill in a sheet now."""
    voice, versions = selectors.my_voice(campaign, request.user)
    # Whether a new sheet may follow the latest is the core's one rule, the one the casting service applies.
    refused = versions and change_refusal(campaign.ballot, versions[0], voter_id=request.user.pk,
                                          channel=Channel.ONLINE)
    return {"voice": voice, "versions": versions,
            "may_fill": voice is not None and campaign.status == Campaign.Status.OPEN and not refused}


@login_required
@require_GET
def campaign_detail(request, pk: int):
    campaign = campaign_for_viewer_or_404(request.user, pk)
    return render(request, "evaluations/campaign_detail.html", {
        "campaign": campaign, "turnout": selectors.turnout(campaign), "state": sheet_state(request, campaign),
        "is_runner": can_run(request.user, campaign.committee),
        "is_organizer": can_manage_committee(request.user, campaign.committee),
        "box": selectors.box_state(campaign, request.user),
        "evaluatees": list(campaign.evaluatees.order_by("position")),
        "dimensions": list(campaign.dimensions.order_by("kind", "position")),
        "levels": selectors.result_levels(campaign)})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_scrutineers(request, pk: int):
    """Name the scrutineers of the campaign's ballot box (before the sheets open), and how many open it."""
    campaign = campaign_for_runner_or_404(request.user, pk)
    box = selectors.box_state(campaign, request.user)
    named = box.scrutineers if box else []
    form = ScrutineersForm(request.POST or None, candidates=selectors.scrutineer_candidates(campaign.committee),
                           initial={"scrutineers": [s.user_id for s in named],
                                    "threshold": (box.threshold if box and box.threshold else 2)})
    if request.method == "POST":
        if form.is_valid():
            try:
                services.campaign_scrutineers_set(campaign=campaign, by=request.user, users=form.users(),
                                                  threshold=form.cleaned_data["threshold"])
            except DOMAIN_ERRORS as error:
                messages.error(request, error_text(error))
            else:
                messages.success(request, _("The scrutineers are named and told. Each of them now takes their card "
                                            "on their own phone; the sheets can open once every one has a card."))
                return redirect(campaign)
        else:
            messages.error(request, _("The scrutineers were not named: correct the fields marked below."))
    return render(request, "evaluations/campaign_scrutineers.html", {
        "campaign": campaign, "form": form, "box": box})


MOVES = {"open": (Campaign.Status.OPEN, gettext_lazy("Open the sheets")),
         "close": (Campaign.Status.CLOSED, gettext_lazy("Close the sheets")),
         "publish": (Campaign.Status.PUBLISHED, gettext_lazy("Publish the results")),
         "cancel": (Campaign.Status.CANCELLED, gettext_lazy("Cancel the evaluation"))}


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def campaign_transition(request, pk: int, move: str):
    """GET: the confirmation page; POST: the move."""
    campaign = campaign_for_runner_or_404(request.user, pk)
    if move not in MOVES:
        raise Http404
    target, label = MOVES[move]

    def act(data):
        if move == "cancel":
            return services.campaign_cancel(campaign=campaign, by=request.user, reason=data["reason"])
        service = {"open": services.campaign_open, "close": services.campaign_close,
                   "publish": services.campaign_publish}[move]
        return service(campaign=campaign, by=request.user)

    def card(done):
        if not getattr(done, "new_card", None):
            return None
        # The opener's card, made as the sheets opened (the only scrutineer, or one without a card yet):
        # shown now, once, on the core's card page.
        from decisions.cards import card_page

        messages.success(request, _("The sheets are open. You are the only scrutineer of this evaluation's "
                                    "ballot box: keep this card.") if done.ballot.box_threshold == 1
                         and done.ballot.scrutineers.count() == 1 else
                         _("The sheets are open. Here is your scrutineer card: keep it."))
        return card_page(request, done.ballot, done.new_card)

    return confirm_page(
        request, title=label, button=label, cancel_url=campaign.get_absolute_url(),
        form=CancelForm(request.POST or None) if move == "cancel" else None, act=act, respond=card,
        success=_("Done: the evaluation is now %(s)s.") % {"s": Campaign.Status(target).label},
        done_url=campaign.get_absolute_url(),
        context={"campaign": campaign, "move": move, "stylesheet": "css/evaluations.css",
                 "subject": f"{campaign.title} · {campaign.committee.name}",
                 "status_template": "evaluations/_status.html", "details": "evaluations/_transition_details.html",
                 "turnout": selectors.turnout(campaign), "box": selectors.box_state(campaign, request.user)})


@login_required
@require_GET
def campaign_results(request, pk: int):
    campaign = campaign_for_viewer_or_404(request.user, pk)
    published = campaign.status == Campaign.Status.PUBLISHED
    return render(request, "evaluations/campaign_results.html", {
        "campaign": campaign, "turnout": selectors.turnout(campaign), "published": published,
        "results": selectors.campaign_results(campaign) if published else [],
        "levels": selectors.result_levels(campaign) if published else [], "min_answers": MIN_ANSWERS,
        "is_runner": can_run(request.user, campaign.committee)})


@login_required
@require_GET
def campaign_report(request, pk: int):
    """The printable A4 report for the street office and the supervising departments."""
    campaign = campaign_for_runner_or_404(request.user, pk)
    if campaign.status != Campaign.Status.PUBLISHED:
        raise Http404
    return render(request, "evaluations/campaign_report.html", {
        "campaign": campaign, "turnout": selectors.turnout(campaign),
        "results": selectors.campaign_results(campaign), "levels": selectors.result_levels(campaign),
        "heads": sorted((campaign.ballot.heads_at_close or {}).items()), "min_answers": MIN_ANSWERS})
