"""Hearing pages: the public page and notice, residents' actions, and the organizer's desk.

Who sees what. An announced hearing is a public notice: its page, material, printable notice,
minutes once final, outcome and the answers to objections are open to anyone with the link
(the QR code on the notice board leads there without an account). Material about people is
not: written opinions and the list of speakers are shown to residents of the affected area
(opinion names hidden when the writer asks), the objectors' names, the registrations' contact
phones, hidden opinion names and attendance only to the committee's organizers. Drafts are the
organizers' alone (404 for everyone else).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.confirm import confirm_page
from config.errors import DOMAIN_ERRORS, error_text
from hearings import selectors, services
from hearings.forms import (
    ObjectionForm,
    OpinionForm,
    RegisterForm,
)
from hearings.models import Hearing, HearingMinutes
from members.permissions import can_manage_committee
from members.uploads import attachment_response

PAGE_SIZE = 50



def _hearing_or_404(pk: int) -> Hearing:
    hearing = selectors.hearing_for_page(pk)
    if hearing is None:
        raise Http404
    return hearing


def hearing_for_viewer_or_404(user, pk: int) -> Hearing:
    """Any announced (or later) hearing; a draft only for its committee's organizers."""
    hearing = _hearing_or_404(pk)
    if not selectors.may_see_hearing(user, hearing):
        raise Http404
    return hearing


def hearing_for_organizer_or_404(user, pk: int) -> Hearing:
    hearing = _hearing_or_404(pk)
    if not can_manage_committee(user, hearing.committee):
        raise Http404
    return hearing


def absolute_url(hearing: Hearing) -> str:
    return settings.SITE_URL.rstrip("/") + hearing.get_absolute_url()


# --- Residents' list ---------------------------------------------------------------------

@login_required
@require_GET
def hearing_mine(request):
    page = Paginator(selectors.resident_hearings(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "hearings/hearing_mine.html", {"page": page})



# --- The public page, the notice and its QR code --------------------------------------------

def _detail_context(request, hearing: Hearing) -> dict:
    user = request.user
    organizer = can_manage_committee(user, hearing.committee)
    resident = services.is_affected(hearing, user)
    affected = organizer or resident
    now = timezone.now()
    minutes = selectors.hearing_minutes(hearing)
    final = next((m for m in minutes if m.status == HearingMinutes.Status.FINAL), None)
    circulated = next((m for m in minutes if m.status == HearingMinutes.Status.CIRCULATED), None)
    context = {
        "hearing": hearing, "organizer": organizer, "affected": affected, "resident": resident, "now": now,
        "panel": selectors.hearing_panel(hearing), "attachments": selectors.hearing_attachments(hearing),
        "final_minutes": final, "follow_ups": selectors.hearing_follow_ups(hearing),
        "objections": selectors.hearing_objections(hearing) if hearing.status in (
            Hearing.Status.PUBLIC_NOTICE, Hearing.Status.ARCHIVED) else [],
        "ballots": selectors.hearing_ballots(hearing) if affected else [],
        "opinions": selectors.hearing_opinions(hearing) if affected else [],
        "speakers": selectors.confirmed_speakers(hearing) if affected else [],
        "absolute_url": absolute_url(hearing),
    }
    if resident:
        registration = selectors.my_registration(hearing, user)
        opinion = selectors.my_opinion(hearing, user)
        context.update(registration=registration, my_opinion=opinion)
        if hearing.registration_open(now) and registration is None:
            context["register_form"] = RegisterForm(initial={"contact": user.phone or ""})
        if hearing.opinion_window_open(now):
            context["opinion_form"] = OpinionForm(initial={"text": opinion.text, "hide_name": opinion.hide_name}
                                                  if opinion else None)
        if hearing.objections_open(now):
            context["objection_form"] = ObjectionForm()
    if circulated and selectors.confirms_minutes(hearing, user):
        context["to_confirm"] = circulated
        context["confirmed"] = any(c.user_id == user.pk for c in circulated.confirmations.all())
    return context


@require_GET
def hearing_detail(request, pk: int):
    hearing = hearing_for_viewer_or_404(request.user, pk)
    return render(request, "hearings/hearing_detail.html", _detail_context(request, hearing))


@require_GET
def hearing_notice(request, pk: int):
    """The printable A4 notice for the building's notice board."""
    hearing = hearing_for_viewer_or_404(request.user, pk)
    return render(request, "hearings/hearing_notice.html", {
        "hearing": hearing, "panel": selectors.hearing_panel(hearing), "absolute_url": absolute_url(hearing),
        "attachments": selectors.hearing_attachments(hearing)})


@require_GET
def hearing_qr(request, pk: int):
    """An SVG QR code of the hearing's absolute URL."""
    import io

    import qrcode
    from qrcode.image.svg import SvgImage

    hearing = hearing_for_viewer_or_404(request.user, pk)
    out = io.BytesIO()
    qrcode.make(absolute_url(hearing), image_factory=SvgImage, box_size=10, border=4).save(out)
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def hearing_attachment(request, pk: int, attachment_pk: int):
    hearing = hearing_for_viewer_or_404(request.user, pk)
    attachment = hearing.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    return attachment_response(attachment.file, attachment.name)


# --- Residents' actions -----------------------------------------------------------------------

def _back(hearing: Hearing):
    return redirect("hearings:hearing_detail", pk=hearing.pk)


@login_required
@require_POST
def hearing_register(request, pk: int):
    hearing = hearing_for_viewer_or_404(request.user, pk)
    form = RegisterForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether you want to speak or to observe."))
        return _back(hearing)
    try:
        services.hearing_register(hearing=hearing, user=request.user, **form.cleaned_data)
    except DOMAIN_ERRORS as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("You are registered. The committee will confirm your place."))
    return _back(hearing)


@login_required
@require_POST
def hearing_opinion(request, pk: int):
    hearing = hearing_for_viewer_or_404(request.user, pk)
    form = OpinionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write your opinion."))
        return _back(hearing)
    try:
        services.hearing_opinion_save(hearing=hearing, user=request.user, **form.cleaned_data)
    except DOMAIN_ERRORS as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Your opinion was saved. You can change it until the window closes."))
    return _back(hearing)


@login_required
@require_POST
def hearing_objection(request, pk: int):
    hearing = hearing_for_viewer_or_404(request.user, pk)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write your objection."))
        return _back(hearing)
    try:
        services.hearing_objection_file(hearing=hearing, user=request.user, text=form.cleaned_data["text"])
    except DOMAIN_ERRORS as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Your objection was filed. The committee answers it publicly."))
    return _back(hearing)


def hearing_confirm(request, hearing: Hearing, *, title: str, explain: str, button: str, act, success,
                    done_url: str, cancel_url: str, form=None, extra: dict | None = None):
    """A hearing's confirm-then-act page (``config.confirm``): its title and status, the move's facts."""
    return confirm_page(request, title=title, question=explain, button=button, form=form, act=act,
                        success=success, done_url=done_url, cancel_url=cancel_url,
                        context={"hearing": hearing, "subject": hearing.title, "stylesheet": "css/hearings.css",
                                 "status_template": "hearings/_status.html",
                                 "details": "hearings/_confirm_details.html", **(extra or {})})


@login_required
@require_http_methods(["GET", "POST"])
def hearing_minutes_confirm(request, pk: int, minutes_pk: int):
    hearing = hearing_for_viewer_or_404(request.user, pk)
    minutes = hearing.minutes.filter(pk=minutes_pk).first()
    if minutes is None or not selectors.confirms_minutes(hearing, request.user):
        raise Http404
    detail = reverse("hearings:hearing_detail", args=[hearing.pk])
    return hearing_confirm(
        request, hearing, title=_("Confirm the minutes"), button=_("I confirm the minutes"),
        explain=_("Your name and the time of your confirmation are your signature under version %(v)s of "
                  "the minutes.") % {"v": minutes.version},
        act=lambda _data: services.hearing_minutes_confirm(minutes=minutes, user=request.user),
        success=_("You confirmed the minutes."), done_url=detail, cancel_url=detail, extra={"minutes": minutes})
