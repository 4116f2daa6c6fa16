"""The sealed ballot box's pages: naming the scrutineers, taking a card, presenting it, the box list."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from config.errors import DOMAIN_ERRORS, error_text
from decisions import ledger, services
from decisions.cards import back_links, card_page
from decisions.forms import CardCodeForm, ScrutineersForm
from decisions.models import Ballot, LedgerEntry, Scrutineer
from decisions.permissions import ballot_for_organizer_or_404, ballot_for_viewer_or_404
from decisions.services.box import box_list, box_presentation_refusal, box_recount_matches
from members.models import Role, User
from members.permissions import can_manage_committee


def _candidates(ballot: Ballot):
    """Who may be named: people holding a role in the ballot's committee, and its street's officers."""
    committee = ballot.committee
    return (User.objects.filter(Q(roles__committee=committee, roles__kind__in=Role.COMMITTEE_KINDS)
                                | Q(roles__street_id=committee.street_id, roles__kind=Role.Kind.STREET_OFFICER))
            .distinct().order_by("full_name", "pk"))


@login_required
@require_http_methods(["GET", "POST"])
def scrutineers(request, pk: int):
    """The organizer names the scrutineers of a secret ballot in draft, and how many open the box."""
    ballot = ballot_for_organizer_or_404(request.user, pk)
    named = list(ballot.scrutineers.select_related("user").order_by("position"))
    initial = {"scrutineers": [s.user_id for s in named], "threshold": ballot.box_threshold or 2}
    form = ScrutineersForm(request.POST or None, initial=initial, candidates=_candidates(ballot))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.scrutineers_set(ballot=ballot, by=request.user, users=list(form.cleaned_data["scrutineers"]),
                                         threshold=form.cleaned_data["threshold"])
            except DOMAIN_ERRORS as error:
                messages.error(request, error_text(error))
            else:
                messages.success(request, _("The scrutineers are named and were sent a notification. Each of "
                                            "them now takes their card on their own phone, with its link."))
                return redirect("decisions:ballot_scrutineers", pk=ballot.pk)
        else:
            messages.error(request, _("The scrutineers were not named: correct the fields marked below."))
    card_url = request.build_absolute_uri(reverse("decisions:ballot_card", args=[ballot.pk]))
    return render(request, "decisions/box_scrutineers.html",
                  {"ballot": ballot, "form": form, "named": named, "card_url": card_url})


def _opened_by(ballot: Ballot, scrutineers: list[Scrutineer]) -> list[str]:
    """The names of the scrutineers whose cards opened the box, from its "box_opened" ledger entry."""
    payload = (LedgerEntry.objects.filter(chain=ledger.ballot_chain(ballot.pk), payload__contains='"box_opened"')
               .order_by("seq").values_list("payload", flat=True).first())
    ids = set(json.loads(payload).get("scrutineers") or []) if payload else set()
    return [s.user.display_name for s in scrutineers if s.user_id in ids]


def _scrutineer_or_404(user: User, pk: int) -> tuple[Ballot, Scrutineer]:
    scrutineer = (Scrutineer.objects.select_related("ballot__committee", "user")
                  .filter(ballot_id=pk, user=user).first() if user.is_authenticated else None)
    if scrutineer is None:
        raise Http404
    return scrutineer.ballot, scrutineer


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def card(request, pk: int):
    """A scrutineer takes their card for this ballot (before it opens); the code is shown only now."""
    ballot, scrutineer = _scrutineer_or_404(request.user, pk)
    if request.method == "POST":
        try:
            code = services.scrutineer_take_card(ballot=ballot, user=request.user)
        except DOMAIN_ERRORS as error:
            messages.error(request, error_text(error))
            return redirect("decisions:ballot_card", pk=ballot.pk)
        return card_page(request, ballot, code)
    return render(request, "decisions/box_take_card.html",
                  {"ballot": ballot, "scrutineer": scrutineer, **back_links(request.user, ballot)})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def ballot_box(request, pk: int):
    """The box: who has presented their card, and (for a scrutineer) the form to present theirs."""
    scrutineer = Scrutineer.objects.filter(ballot_id=pk, user=request.user).first() \
        if request.user.is_authenticated else None
    ballot = scrutineer.ballot if scrutineer else ballot_for_organizer_or_404(request.user, pk)
    if not ballot.is_sealed:
        raise Http404
    form = CardCodeForm(request.POST or None)
    if request.method == "POST":
        if scrutineer is None:
            raise Http404
        if form.is_valid():
            try:
                opened = services.box_present(ballot=ballot, by=request.user, code=form.cleaned_data["code"])
            except DOMAIN_ERRORS as error:
                messages.error(request, error_text(error))
            else:
                messages.success(request, _("The box is open and counted.") if opened else
                                 _("Your card is accepted. The box opens when enough scrutineers have "
                                   "presented theirs."))
                return redirect("decisions:ballot_box", pk=ballot.pk)
        else:
            messages.error(request, _("Type the code printed on your card."))
    ballot.refresh_from_db()
    everyone = list(ballot.scrutineers.select_related("user").order_by("position"))
    presented = [s for s in everyone if s.presented_at]
    expired = ballot.box_expires_at is not None and timezone.now() >= ballot.box_expires_at
    opened = ballot.box_opened_at is not None
    may_present = scrutineer is not None and box_presentation_refusal(ballot, scrutineer) is None
    return render(request, "decisions/box.html", {
        "ballot": ballot, "form": form, "me": scrutineer, "scrutineers": everyone, "may_present": may_present,
        **back_links(request.user, ballot), "organizer": can_manage_committee(request.user, ballot.committee),
        "opened_by": _opened_by(ballot, everyone) if opened else [],
        "recount": box_recount_matches(ballot) if opened else None, "expired": expired,
        "presented": len(presented), "still_needed": max(0, (ballot.box_threshold or 1) - len(presented))})


@login_required
@require_GET
def box_hashes(request, pk: int):
    """The hashes of the sealed papers in the box, one per line, sorted: published beside the result."""
    ballot = ballot_for_viewer_or_404(request.user, pk)
    if not ballot.is_sealed or ballot.status in (Ballot.Status.DRAFT, Ballot.Status.OPEN):
        raise Http404
    body = "".join(f"{digest}\n" for digest in box_list(ballot))
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ballot-{ballot.pk}-box.txt"'
    return response


def box_facts(ballot: Ballot, user) -> dict:
    """What the ballot page says of its box (and whether ``user`` is a scrutineer with something to do)."""
    if not ballot.is_secret or not ballot.is_sealed and ballot.status != Ballot.Status.DRAFT:
        return {}
    named = list(ballot.scrutineers.select_related("user").order_by("position"))
    mine = next((s for s in named if s.user_id == getattr(user, "pk", None)), None)
    return {"scrutineers": named, "threshold": ballot.box_threshold, "mine": mine,
            "single": ballot.is_sealed and ballot.box_threshold == 1}
