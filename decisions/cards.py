"""The page a new scrutineer card is shown on, once, and where the box pages lead back to.

A reusable piece of the core's pages: the core's own box views render it, and so do the meeting
apps whose services hand out a card as part of their own step (an evaluation's launch, a floor
consultation's opening), right after the service returned the card's code. The code is never
stored: this response is the only place it appears.
"""

import base64
from io import BytesIO

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from decisions import subjects
from decisions.models import Ballot
from decisions.permissions import ballot_for_viewer_or_404
from members.models import User


def back_links(user: User, ballot: Ballot) -> dict[str, str]:
    """Where the box pages lead back to: the page of the ballot's subject (a hearing's, an evaluation's or
    a floor's vote is run from there), else the ballot's page if ``user`` may read it (a draft is for its
    organizers only), else the home page."""
    if ballot.subject_type_id:
        return {"back_url": subjects.of(ballot).page_url(ballot), "back_label": _("Back")}
    try:
        ballot_for_viewer_or_404(user, ballot.pk)
    except Http404:
        return {"back_url": reverse("home"), "back_label": _("Back to the home page")}
    return {"back_url": ballot.get_absolute_url(), "back_label": _("Back to the ballot")}


def card_page(request, ballot: Ballot, code: str) -> HttpResponse:
    """The card shown once: the code in large print, its QR code (the box page, with the code after #)."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    url = request.build_absolute_uri(reverse("decisions:ballot_box", args=[ballot.pk])) + "#" + code
    svg = BytesIO()
    qrcode.make(url, image_factory=SvgPathImage, box_size=10, border=2).save(svg)
    lines = [_("Scrutineer card"), _("Ballot: %(title)s") % {"title": ballot.title},
             _("Card code: %(code)s") % {"code": code}, _("Open the box at: %(url)s") % {"url": url}]
    text = "\n".join(lines) + "\n"
    response = render(request, "decisions/box_card.html", {
        "ballot": ballot, "code": code, "groups": code.split("-"), "qr": svg.getvalue().decode(),
        **back_links(request.user, ballot),
        "file": "data:text/plain;charset=utf-8;base64," + base64.b64encode(text.encode()).decode()})
    response["Cache-Control"] = "no-store"
    return response
