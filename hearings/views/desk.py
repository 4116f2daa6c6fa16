"""Hearing pages of the organizer's desk: the committee's list and settings, drafting, the session, the
minutes, answers to objections and the lifecycle moves (GET confirms, POST acts). Every page is for the
hearing's committee's organizers only (404 for everyone else).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.errors import DOMAIN_ERRORS, error_text
from hearings import selectors, services
from hearings.forms import (
    AnnounceForm,
    AnswerForm,
    AttachmentForm,
    CheckInForm,
    CorrectionForm,
    EarlyStartForm,
    HearingForm,
    HearingSettingsForm,
    MinutesForm,
    OutcomeForm,
    PanelForm,
    PaperConfirmationForm,
    ReasonForm,
    StatementForm,
    VoteForm,
)
from hearings.models import Hearing, HearingMinutes
from hearings.views.public import PAGE_SIZE, hearing_confirm, hearing_for_organizer_or_404
from members import timing
from members.models import User
from members.permissions import committee_for_organizer_or_404

# --- Lists and drafting ---------------------------------------------------------------------

@login_required
@require_GET
def hearing_committee_list(request, pk: int):
    committee = committee_for_organizer_or_404(request.user, pk)
    page = Paginator(selectors.committee_hearings(committee), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "hearings/hearing_committee_list.html", {"committee": committee, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def hearing_settings(request, pk: int):
    committee = committee_for_organizer_or_404(request.user, pk)
    current = services.settings_for(committee)
    form = HearingSettingsForm(request.POST or None, initial={"notice_days": current.notice_days,
                                                              "public_notice_days": current.public_notice_days})
    if request.method == "POST" and form.is_valid():
        try:
            services.hearing_settings_save(committee=committee, by=request.user, **form.cleaned_data)
        except DOMAIN_ERRORS as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The notice periods were saved."))
            return redirect("hearings:hearing_committee_list", pk=committee.pk)
    return render(request, "hearings/hearing_settings.html", {"committee": committee, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def hearing_create(request, pk: int):
    committee = committee_for_organizer_or_404(request.user, pk)
    initial = {"scope": Hearing.Scope.COMMITTEE, "observer_quota": 10}
    previous = request.GET.get("previous")
    if previous and previous.isdigit() and selectors.committee_hearing(committee, int(previous)):
        initial["previous"] = int(previous)
    form = HearingForm(request.POST or None, committee=committee, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            hearing = services.hearing_create(committee=committee, by=request.user, **form.service_kwargs())
        except DOMAIN_ERRORS as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The hearing was drafted. Seat the panel and add the material, then "
                                        "announce it."))
            return redirect("hearings:hearing_manage", pk=hearing.pk)
    return render(request, "hearings/hearing_form.html", {"committee": committee, "form": form, "hearing": None})


@login_required
@require_http_methods(["GET", "POST"])
def hearing_edit(request, pk: int):
    hearing = hearing_for_organizer_or_404(request.user, pk)
    initial = {field: getattr(hearing, field) for field in (
        "title", "background", "scope", "place", "observer_quota")}
    initial.update({field: timezone.localtime(getattr(hearing, field)) for field in (
        "starts_at", "opinion_opens_at", "opinion_closes_at")})
    initial.update(compounds=list(hearing.compounds.all()), buildings=list(hearing.buildings.all()))
    form = HearingForm(request.POST or None, committee=hearing.committee, with_previous=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.hearing_update(hearing=hearing, by=request.user, **form.service_kwargs())
        except DOMAIN_ERRORS as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The hearing was changed."))
            return redirect("hearings:hearing_manage", pk=hearing.pk)
    return render(request, "hearings/hearing_form.html",
                  {"committee": hearing.committee, "form": form, "hearing": hearing})


# --- The organizer's desk ---------------------------------------------------------------------

def _manage(request, hearing: Hearing, **forms):
    attendance = selectors.hearing_attendance(hearing)
    committee = hearing.committee
    context = {
        "hearing": hearing, "committee": committee, "now": timezone.now(),
        "panel": selectors.hearing_panel(hearing), "attachments": selectors.hearing_attachments(hearing),
        "registrations": selectors.hearing_registrations(hearing), "opinions": selectors.hearing_opinions(hearing),
        "attendance": attendance, "statements": selectors.hearing_statements(hearing),
        "minutes": selectors.hearing_minutes(hearing), "objections": selectors.hearing_objections(hearing),
        "ballots": selectors.hearing_ballots(hearing), "settings": services.settings_for(committee),
        "panel_form": forms.get("panel_form") or PanelForm(committee=committee),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
    }
    if hearing.status == Hearing.Status.IN_SESSION:
        context["check_in_form"] = forms.get("check_in_form") or CheckInForm(
            expected=selectors.expected_attendees(hearing))
        context["statement_form"] = forms.get("statement_form") or StatementForm(attendees=attendance)
    if any(not a.user_id for a in attendance):
        context["paper_form"] = PaperConfirmationForm(attendees=attendance)
    if hearing.status == Hearing.Status.ANNOUNCED and hearing.announced_at:
        context["notice_deadline"] = hearing.notice_deadline(hearing.notice_days_required or 0)
    return render(request, "hearings/hearing_manage.html", context)


@login_required
@require_GET
def hearing_manage(request, pk: int):
    return _manage(request, hearing_for_organizer_or_404(request.user, pk))


@login_required
@require_POST
def hearing_attachment_add(request, pk: int):
    hearing = hearing_for_organizer_or_404(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.hearing_attachment_add(hearing=hearing, by=request.user, upload=form.cleaned_data["file"],
                                            title=form.cleaned_data["title"])
        except DOMAIN_ERRORS as error:
            form.add_error("file", error_text(error))
        else:
            messages.success(request, _("The material was added."))
            return redirect("hearings:hearing_manage", pk=hearing.pk)
    messages.error(request, _("The material was not added: see the message under the file."))
    return _manage(request, hearing, attachment_form=form)


@login_required
@require_POST
def hearing_panel_add(request, pk: int):
    hearing = hearing_for_organizer_or_404(request.user, pk)
    form = PanelForm(request.POST, committee=hearing.committee)
    if form.is_valid():
        data = form.cleaned_data
        person = None
        if data["phone"].strip():
            from members.phone import normalize_phone

            try:
                person = User.objects.filter(phone=normalize_phone(data["phone"])).first()
            except ValidationError:
                person = None
            if person is None:
                form.add_error("phone", _("Nobody has signed up with this phone number yet."))
        if form.is_valid():
            try:
                services.hearing_panel_add(hearing=hearing, by=request.user, role=data["role"], user=person,
                                           agency=data["agency"], name=data["name"])
            except DOMAIN_ERRORS as error:
                form.add_error(None, error_text(error))
            else:
                messages.success(request, _("The panel member was added."))
                return redirect("hearings:hearing_manage", pk=hearing.pk)
    messages.error(request, _("The panel member was not added: see the message in the panel section."))
    return _manage(request, hearing, panel_form=form)


def _confirm(request, hearing: Hearing, *, done_url: str | None = None, cancel_url: str | None = None, **page):
    """The desk's confirm-then-act pages go back to the hearing's manage page."""
    manage = reverse("hearings:hearing_manage", args=[hearing.pk])
    return hearing_confirm(request, hearing, done_url=done_url or manage, cancel_url=cancel_url or manage, **page)


@login_required
@require_http_methods(["GET", "POST"])
def hearing_panel_remove(request, pk: int, member_pk: int):
    hearing = hearing_for_organizer_or_404(request.user, pk)
    member = hearing.panel.select_related("user", "agency").filter(pk=member_pk).first()
    if member is None:
        raise Http404
    return _confirm(request, hearing, title=_("Remove from the panel"), button=_("Remove"),
                    act=lambda _data: services.hearing_panel_remove(member=member, by=request.user),
                    success=_("The panel member was removed."),
                    explain=_("Remove %(name)s from the panel?") % {"name": member.display_name})


@login_required
@require_http_methods(["GET", "POST"])
def hearing_registration_decide(request, pk: int, registration_pk: int, decision: str):
    hearing = hearing_for_organizer_or_404(request.user, pk)
    registration = hearing.registrations.select_related("user").filter(pk=registration_pk).first()
    if registration is None or decision not in ("confirm", "decline"):
        raise Http404
    verb = _("Confirm") if decision == "confirm" else _("Decline")
    return _confirm(request, hearing, title=verb, button=verb,
                    act=lambda _data: services.hearing_registration_decide(
                        registration=registration, by=request.user, confirm=decision == "confirm"),
                    success=_("The registration of %(name)s was decided.") % {"name": registration.user.display_name},
                    explain=_("%(verb)s %(name)s as %(kind)s?") % {
                        "verb": verb, "name": registration.user.display_name,
                        "kind": registration.get_kind_display()})


@login_required
@require_POST
def hearing_check_in(request, pk: int):
    hearing = hearing_for_organizer_or_404(request.user, pk)
    form = CheckInForm(request.POST, expected=selectors.expected_attendees(hearing))
    if form.is_valid():
        person = form.people.get(form.cleaned_data["person"])
        try:
            services.hearing_check_in(hearing=hearing, by=request.user, role=form.cleaned_data["role"], user=person,
                                      name=form.cleaned_data["name"], organisation=form.cleaned_data["organisation"],
                                      phone=form.cleaned_data["phone"])
        except DOMAIN_ERRORS as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("Checked in."))
            return redirect(reverse("hearings:hearing_manage", args=[hearing.pk]) + "#session")
    messages.error(request, _("Nobody was checked in: see the message in the session section."))
    return _manage(request, hearing, check_in_form=form)


@login_required
@require_POST
def hearing_statement_add(request, pk: int):
    hearing = hearing_for_organizer_or_404(request.user, pk)
    form = StatementForm(request.POST, attendees=selectors.hearing_attendance(hearing))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.hearing_statement_add(hearing=hearing, by=request.user, text=data["text"], kind=data["kind"],
                                           speaker=form.people.get(data["speaker"]), speaker_name=data["speaker_name"],
                                           attendee=form.guests.get(data.get("guest") or ""))
        except DOMAIN_ERRORS as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The statement was recorded."))
            return redirect(reverse("hearings:hearing_manage", args=[hearing.pk]) + "#session")
    messages.error(request, _("The statement was not recorded: see the message in the session section."))
    return _manage(request, hearing, statement_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def hearing_vote(request, pk: int):
    hearing = hearing_for_organizer_or_404(request.user, pk)
    form = VoteForm(request.POST or None, initial={"question": hearing.title, "electorate": "households",
                                                   "rule": "art278", "secrecy": "secret"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ballot = services.hearing_vote_create(hearing=hearing, by=request.user, question=data["question"],
                                                  households=data["electorate"] == "households", rule=data["rule"],
                                                  secrecy=data["secrecy"], quorum=form.quorum(),
                                                  quorum_reason=data["quorum_reason"])
        except DOMAIN_ERRORS as error:
            form.add_error(None, error_text(error))
        else:
            if ballot.is_secret:
                messages.success(request, _("The secret vote was drafted in the ballots. Check it and name its "
                                            "scrutineers (监票人), who take their cards; then open it. If you "
                                            "name none, you are its only scrutineer and are shown your card when "
                                            "you open it."))
            else:
                messages.success(request, _("The vote was drafted in the ballots. Check it, then open it."))
            return redirect("decisions:ballot_manage", pk=ballot.pk)
    return render(request, "hearings/hearing_vote.html", {"hearing": hearing, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def hearing_minutes_edit(request, pk: int):
    """Write the draft minutes, or (``?correct=1`` / once final) a correction with a reason."""
    hearing = hearing_for_organizer_or_404(request.user, pk)
    latest = hearing.minutes.order_by("-version").first()
    correcting = latest is not None and latest.status == HearingMinutes.Status.FINAL
    form_class = CorrectionForm if correcting else MinutesForm
    initial = {"record": latest.record, "summary": latest.summary} if latest else {
        "record": "\n".join(f"{s.speaker_name}（{s.get_kind_display()}）：{s.text}"
                            for s in selectors.hearing_statements(hearing))}
    form = form_class(request.POST or None, initial=initial)
    if latest is not None and latest.status == HearingMinutes.Status.CIRCULATED:
        messages.error(request, _("Version %(v)s is with the attendees for confirmation: finalize it first.")
                       % {"v": latest.version})
        return redirect("hearings:hearing_manage", pk=hearing.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if correcting:
                services.hearing_minutes_correct(hearing=hearing, by=request.user, **data)
            else:
                services.hearing_minutes_save(hearing=hearing, by=request.user, **data)
        except DOMAIN_ERRORS as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The minutes were saved as a draft."))
            return redirect(reverse("hearings:hearing_manage", args=[hearing.pk]) + "#minutes")
    return render(request, "hearings/hearing_minutes.html",
                  {"hearing": hearing, "form": form, "correcting": correcting, "latest": latest})


MINUTES_MOVES = {
    "circulate": (services.hearing_minutes_circulate, HearingMinutes.Status.DRAFT),
    "finalize": (services.hearing_minutes_finalize, HearingMinutes.Status.CIRCULATED),
}


def _minutes_texts(action: str) -> dict:
    return {
        "circulate": {"title": _("Send the minutes for confirmation"), "button": _("Send to the attendees"),
                      "explain": _("The text is frozen and the attendees confirm it online.")},
        "finalize": {"title": _("Finalize the minutes"), "button": _("Finalize"),
                     "explain": _("Final minutes cannot be changed; a correction makes a new version with a "
                                  "reason.")},
    }[action]


@login_required
@require_http_methods(["GET", "POST"])
def hearing_minutes_move(request, pk: int, minutes_pk: int, action: str):
    hearing = hearing_for_organizer_or_404(request.user, pk)
    minutes = hearing.minutes.filter(pk=minutes_pk).first()
    if minutes is None or action not in MINUTES_MOVES:
        raise Http404
    service, _status = MINUTES_MOVES[action]
    texts = _minutes_texts(action)
    back = reverse("hearings:hearing_manage", args=[hearing.pk]) + "#minutes"
    return _confirm(request, hearing, extra={"minutes": minutes}, **texts, done_url=back, cancel_url=back,
                    act=lambda _data: service(minutes=minutes, by=request.user),
                    success=texts["title"] + " — " + _("done."))


@login_required
@require_POST
def hearing_minutes_paper(request, pk: int, minutes_pk: int):
    hearing = hearing_for_organizer_or_404(request.user, pk)
    minutes = get_object_or_404(hearing.minutes, pk=minutes_pk)
    form = PaperConfirmationForm(request.POST, attendees=selectors.hearing_attendance(hearing))
    if not form.is_valid():
        messages.error(request, _("Choose who signed the printed minutes."))
    else:
        try:
            services.hearing_minutes_record_paper(minutes=minutes, by=request.user,
                                                  attendee=form.guests[form.cleaned_data["attendee"]])
        except DOMAIN_ERRORS as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The paper signature was recorded."))
    return redirect(reverse("hearings:hearing_manage", args=[hearing.pk]) + "#minutes")


@login_required
@require_http_methods(["GET", "POST"])
def hearing_objection_answer(request, pk: int, objection_pk: int):
    hearing = hearing_for_organizer_or_404(request.user, pk)
    objection = hearing.objections.select_related("user").filter(pk=objection_pk).first()
    if objection is None:
        raise Http404
    form = AnswerForm(request.POST or None)
    return _confirm(request, hearing, title=_("Answer the objection"), explain=objection.text,
                    button=_("Publish the answer"), form=form,
                    act=lambda data: services.hearing_objection_answer(objection=objection, by=request.user,
                                                                       answer=data["answer"]),
                    success=_("The answer was published and the objector told."),
                    done_url=reverse("hearings:hearing_manage", args=[hearing.pk]) + "#objections")


# --- Lifecycle moves: GET confirms, POST acts ------------------------------------------------

def _moves() -> dict:
    return {
        "announce": {"service": services.hearing_announce, "form": AnnounceForm, "arg": {"late_reason": "late_reason"},
                     "title": _("Announce the hearing"), "button": _("Announce"),
                     "explain": _("The hearing's page and notice become public and the affected residents are "
                                  "told. Registration and written opinions open.")},
        "start": {"service": services.hearing_session_start, "form": EarlyStartForm, "arg": {"reason": "reason"},
                  "title": _("Open the session"),
                  "button": _("Open the session"),
                  "explain": _("Registration closes; check-in and the record of statements begin.")},
        "end": {"service": services.hearing_session_end, "title": _("Close the session"),
                "button": _("Close the session"), "explain": _("Next, write the minutes.")},
        "publish": {"service": services.hearing_publish_outcome, "form": OutcomeForm,
                    "arg": {"decision": "decision", "reasons": "reasons"},
                    "title": _("Publish the outcome"), "button": _("Publish and start the public notice"),
                    "explain": _("The decision and its reasons are published with the minutes; residents may "
                                 "object during the public notice.")},
        "archive": {"service": services.hearing_archive, "title": _("Archive the hearing"),
                    "button": _("Archive"), "explain": _("The public notice is over and objections are answered.")},
        "cancel": {"service": services.hearing_cancel, "form": ReasonForm, "arg": {"reason": "reason"},
                   "title": _("Cancel the hearing"), "button": _("Cancel the hearing"),
                   "explain": _("The reason is shown publicly.")},
    }


@login_required
@require_http_methods(["GET", "POST"])
def hearing_transition(request, pk: int, action: str):
    hearing = hearing_for_organizer_or_404(request.user, pk)
    move = _moves().get(action)
    if move is None:
        raise Http404
    form_class = move.get("form")
    form = form_class(request.POST or None) if form_class else None
    extra = {}
    if action == "announce":
        days = services.settings_for(hearing.committee).notice_days
        extra = {"notice_days": days, "late": timezone.now() > hearing.notice_deadline(days)}
    if action == "start":
        extra = {"early": timing.too_early_to_start(hearing.starts_at)}
    args = move.get("arg", {})
    return _confirm(request, hearing, title=move["title"], explain=move["explain"], button=move["button"],
                    form=form, extra={"action": action, **extra}, success=move["title"] + " — " + _("done."),
                    act=lambda data: move["service"](hearing=hearing, by=request.user,
                                                     **{arg: data[field] for arg, field in args.items()}))
