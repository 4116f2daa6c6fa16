"""Coordination meeting pages. Each view finds the meeting, checks the user against the meeting's own
committee (404 for anyone who may not see it), makes one service call and turns a domain error
into a message. State changes: GET shows a confirmation page, POST acts.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.confirm import confirm_page
from config.errors import DOMAIN_ERRORS, error_text
from coordination import selectors, services
from coordination.forms import (
    ActionForm,
    ConcludeForm,
    CorrectionForm,
    DocumentForm,
    EarlyStartForm,
    NoteForm,
    OpenForm,
    PaperForm,
    ParticipantForm,
    ProgressForm,
    ReasonForm,
    RequestForm,
    ScheduleForm,
    SettingsForm,
    StatementForm,
)
from coordination.models import CoordinationDocument, CoordinationMeeting, CoordinationProgress
from members import timing
from members.permissions import (
    can_manage_committee,
    can_view_street,
    committee_for_organizer_or_404,
    street_for_officer_or_404,
)
from members.uploads import attachment_response

PAGE_SIZE = 50
S = CoordinationMeeting.Status



def _meeting_or_404(user, pk: int) -> CoordinationMeeting:
    """The meeting if ``user`` may see it; 404 otherwise, so its existence leaks nothing."""
    meeting = selectors.meeting_for_page(pk)
    if meeting is None or not selectors.can_see(user, meeting):
        raise Http404
    return meeting


def _organized_or_404(user, pk: int) -> CoordinationMeeting:
    meeting = selectors.meeting_for_page(pk)
    if meeting is None or not can_manage_committee(user, meeting.committee):
        raise Http404
    return meeting


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _try(request, call, success: str) -> bool:
    try:
        call()
    except DOMAIN_ERRORS as error:
        messages.error(request, error_text(error))
        return False
    messages.success(request, success)
    return True


def _confirm(request, meeting: CoordinationMeeting, *, texts: dict, act, success: str, form=None, **extra):
    """A meeting's confirm-then-act page (``config.confirm``), back to the meeting's page."""
    return confirm_page(request, title=texts["title"], question=texts["explain"], button=texts["button"], form=form,
                        act=act, success=success, done_url=meeting.get_absolute_url(),
                        cancel_url=meeting.get_absolute_url(),
                        context={"meeting": meeting, "m": meeting, "subject": meeting.subject,
                                 "status_template": "coordination/coordination_status.html",
                                 "details": "coordination/_confirm_details.html", **extra})


# --- Lists ---------------------------------------------------------------------------------------


@login_required
@require_GET
def coordination_mine(request):
    page = Paginator(selectors.my_meetings(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "coordination/coordination_mine.html", {"page": page})


@login_required
@require_GET
def coordination_dashboard(request, pk: int):
    committee = committee_for_organizer_or_404(request.user, pk)
    page = Paginator(selectors.committee_meetings(committee), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "coordination/coordination_dashboard.html", {
        "committee": committee, "page": page, "overdue": list(selectors.overdue_actions(committee)),
        "settings_form": SettingsForm(initial={"notice_days": selectors.notice_days(committee)}),
        "today": timezone.localdate()})


@login_required
@require_POST
def coordination_settings(request, pk: int):
    committee = committee_for_organizer_or_404(request.user, pk)
    form = SettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        _try(request, lambda: services.coordination_settings_set(committee=committee, by=request.user,
                                                                 notice_days=form.cleaned_data["notice_days"]),
             _("The notice period was saved."))
    return redirect("coordination:coordination_dashboard", pk=committee.pk)


@login_required
@require_GET
def coordination_escalations(request, pk: int):
    street = street_for_officer_or_404(request.user, pk)
    page = Paginator(selectors.street_escalations(street), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "coordination/coordination_escalations.html", {"street": street, "page": page})


# --- Request and open ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def coordination_request(request):
    form = RequestForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            result = {}

            def call():
                result["m"] = services.coordination_request(
                    committee=data["committee"], by=request.user, subject=data["subject"],
                    request_text=data["request_text"], other_parties_text=data["other_parties_text"],
                    agency=data["agency"])
            if _try(request, call, _("Your request was sent to the committee. You will be told of its answer.")):
                return redirect("coordination:coordination_detail", pk=result["m"].pk)
        else:
            messages.error(request, _("The request was not sent: correct the fields marked below."))
    return render(request, "coordination/coordination_request.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def coordination_create(request, pk: int):
    committee = committee_for_organizer_or_404(request.user, pk)
    form = OpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = {}

        def call():
            result["m"] = services.coordination_open(committee=committee, by=request.user, **form.cleaned_data)
        if _try(request, call, _("The coordination meeting was opened. Add the parties, then set the time.")):
            return redirect("coordination:coordination_detail", pk=result["m"].pk)
    return render(request, "coordination/coordination_form.html", {
        "committee": committee, "form": form, "title": _("New coordination meeting"),
        "button": _("Open the meeting"), "back": f"/committees/{committee.pk}/coordination/"})


# --- Detail ---------------------------------------------------------------------------------------


def _detail(request, meeting: CoordinationMeeting, status: int = 200, **forms):
    organizer = can_manage_committee(request.user, meeting.committee)
    documents = selectors.documents(meeting)
    current = {d.kind: d for d in documents if d.superseded_at is None}
    actions = selectors.actions(meeting)
    today = timezone.localdate()
    for action in actions:
        action.overdue = action.is_overdue(today)
    selectors.mark_reportable(request.user, meeting, actions)
    participants = selectors.participants(meeting)
    selectors.confirmation_state(request.user, meeting, documents, participants)
    context = {
        "meeting": meeting, "organizer": organizer, "participants": participants,
        "statements": selectors.statements(meeting), "documents": documents, "current": current,
        "record": current.get("record"), "agreement": current.get("agreement"), "actions": actions,
        "notice_days": selectors.notice_days(meeting.committee),
        "street_officer": meeting.is_escalated and not organizer,
    }
    if organizer:
        s = meeting.status
        if s == S.SCHEDULING:
            context["schedule_form"] = forms.get("schedule_form") or ScheduleForm(initial={
                "scheduled_at": timezone.localtime(meeting.scheduled_at) if meeting.scheduled_at else None,
                "place": meeting.place})
        if s in CoordinationMeeting.OPEN_FOR_PARTICIPANTS:
            context["participant_form"] = forms.get("participant_form") or ParticipantForm(committee=meeting.committee)
        record = current.get("record")
        if s == S.IN_SESSION or (s == S.CONCLUDING and record and record.is_draft):
            context["statement_form"] = forms.get("statement_form") or StatementForm(meeting=meeting)
        agreement = current.get("agreement")
        if agreement is not None and agreement.is_draft:
            context["action_form"] = forms.get("action_form") or ActionForm(meeting=meeting)
    return render(request, "coordination/coordination_detail.html", context, status=status)


@login_required
@require_GET
def coordination_detail(request, pk: int):
    return _detail(request, _meeting_or_404(request.user, pk))


# --- Moves with a confirmation page ----------------------------------------------------------------

MOVES = {
    # name: (service, form class or None); only organizers, except closing an escalated matter
    "accept": (services.coordination_accept, None),
    "decline": (services.coordination_decline, ReasonForm),
    "notice": (services.coordination_give_notice, None),
    "start": (services.coordination_start, EarlyStartForm),
    "cancel": (services.coordination_cancel, ReasonForm),
    "escalate": (services.coordination_escalate, ReasonForm),
    "close": (services.coordination_close, NoteForm),
}


def _move_texts(move: str) -> dict:
    return {
        "accept": {"title": _("Accept the request"), "button": _("Accept"),
                   "explain": _("The requester and the agency they named become parties. Then set the time and "
                                "place, and add the other parties."), "done": _("The request was accepted.")},
        "decline": {"title": _("Decline the request"), "button": _("Decline"),
                    "explain": _("The resident will read your reason."), "done": _("The request was declined.")},
        "notice": {"title": _("Give notice to every participant"), "button": _("Give notice"),
                   "explain": _("Each participant is told the time and place; the notice and how many days "
                                "ahead it was given are recorded."), "done": _("Notice was given.")},
        "start": {"title": _("Start the session"), "button": _("Start the session"),
                  "explain": _("Record each party's statement, then write the record and the outcome."),
                  "done": _("The session has started.")},
        "cancel": {"title": _("Cancel the meeting"), "button": _("Cancel the meeting"),
                   "explain": _("Participants who were given notice are told."),
                   "done": _("The meeting was cancelled.")},
        "escalate": {"title": _("Escalate to the street office"), "button": _("Escalate"),
                     "explain": _("The street office will see the whole meeting. Say why it cannot be settled in "
                                  "the neighbourhood."), "done": _("The matter was escalated to the street office.")},
        "close": {"title": _("Close the meeting"), "button": _("Close"),
                  "explain": _("Closing ends the follow-up. Parties are told."), "done": _("The meeting was closed.")},
    }[move]


@login_required
@require_http_methods(["GET", "POST"])
def coordination_move(request, pk: int, move: str):
    if move not in MOVES:
        raise Http404
    meeting = _meeting_or_404(request.user, pk)
    organizer = can_manage_committee(request.user, meeting.committee)
    # Besides organizers, only the street office closes an escalated matter (parties see it, not this page).
    if not organizer and not (move == "close" and meeting.status == S.ESCALATED
                              and can_view_street(request.user, meeting.committee.street)):
        raise Http404
    service, form_class = MOVES[move]
    texts = _move_texts(move)
    early = move == "start" and timing.too_early_to_start(meeting.scheduled_at)
    return _confirm(request, meeting, texts=texts, form=form_class(request.POST or None) if form_class else None,
                    act=lambda data: service(meeting=meeting, by=request.user, **data), success=texts["done"],
                    early_start=early)


# --- Preparing -------------------------------------------------------------------------------------


@login_required
@require_POST
def coordination_schedule(request, pk: int):
    meeting = _organized_or_404(request.user, pk)
    form = ScheduleForm(request.POST)
    if form.is_valid() and _try(request, lambda: services.coordination_schedule(
            meeting=meeting, by=request.user, **form.cleaned_data), _("The time and place were saved.")):
        return redirect("coordination:coordination_detail", pk=meeting.pk)
    if not form.is_valid():
        messages.error(request, _("Not saved: correct the fields marked below."))
    return _detail(request, meeting, status=400, schedule_form=form)


@login_required
@require_POST
def coordination_participant_add(request, pk: int):
    meeting = _organized_or_404(request.user, pk)
    form = ParticipantForm(request.POST, committee=meeting.committee)
    if form.is_valid():
        data = form.cleaned_data
        if _try(request, lambda: services.participant_add(
                meeting=meeting, by=request.user, kind=data["kind"], user=data["phone"], household=data["household"],
                agency=data["agency"], label=data["label"], name=data["name"], organisation=data["organisation"],
                phone=data["contact_phone"]), _("The participant was added.")):
            return redirect("coordination:coordination_detail", pk=meeting.pk)
    else:
        messages.error(request, _("Not added: correct the fields marked below."))
    return _detail(request, meeting, status=400, participant_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def coordination_participant_remove(request, pk: int, participant_pk: int):
    meeting = _organized_or_404(request.user, pk)
    participant = get_object_or_404(meeting.participants, pk=participant_pk)
    texts = {"title": _("Remove a participant"), "button": _("Remove"), "explain": participant.name}
    return _confirm(request, meeting, texts=texts, success=_("The participant was removed."),
                    act=lambda _data: services.participant_remove(participant=participant, by=request.user))


# --- Session and outcome ---------------------------------------------------------------------------


@login_required
@require_POST
def coordination_statement_add(request, pk: int):
    meeting = _organized_or_404(request.user, pk)
    form = StatementForm(request.POST, meeting=meeting)
    if form.is_valid() and _try(request, lambda: services.statement_add(
            meeting=meeting, by=request.user, **form.cleaned_data), _("The statement was recorded.")):
        return redirect("coordination:coordination_detail", pk=meeting.pk)
    if not form.is_valid():
        messages.error(request, _("Not recorded: correct the fields marked below."))
    return _detail(request, meeting, status=400, statement_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def coordination_conclude(request, pk: int):
    meeting = _organized_or_404(request.user, pk)
    form = ConcludeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _try(request, lambda: services.coordination_conclude(
            meeting=meeting, by=request.user, **form.cleaned_data),
            _("The session has ended. Check the record and the agreement, add the actions, then submit them.")):
        return redirect("coordination:coordination_detail", pk=meeting.pk)
    return render(request, "coordination/coordination_form.html", {
        "early_conclusion": timing.too_early_to_conclude(meeting.scheduled_at),
        "meeting": meeting, "form": form, "title": _("End the session: record and outcome"),
        "button": _("End the session"), "back": meeting.get_absolute_url()})


def _document_or_404(meeting: CoordinationMeeting, document_pk: int) -> CoordinationDocument:
    return get_object_or_404(CoordinationDocument.objects.select_related("meeting__committee"),
                             pk=document_pk, meeting=meeting)


@login_required
@require_http_methods(["GET", "POST"])
def coordination_document_edit(request, pk: int, document_pk: int):
    meeting = _organized_or_404(request.user, pk)
    document = _document_or_404(meeting, document_pk)
    form = DocumentForm(request.POST or None, document=document,
                        initial={"body": document.body, "points_in_dispute": document.points_in_dispute})
    if request.method == "POST" and form.is_valid() and _try(request, lambda: services.document_edit(
            document=document, by=request.user, **form.cleaned_data), _("Saved.")):
        return redirect("coordination:coordination_detail", pk=meeting.pk)
    return render(request, "coordination/coordination_form.html", {
        "meeting": meeting, "form": form, "title": _("Edit the %(k)s") % {"k": document.get_kind_display()},
        "button": _("Save"), "back": meeting.get_absolute_url()})


@login_required
@require_http_methods(["GET", "POST"])
def coordination_document_correct(request, pk: int, document_pk: int):
    meeting = _organized_or_404(request.user, pk)
    document = _document_or_404(meeting, document_pk)
    form = CorrectionForm(request.POST or None, document=document,
                          initial={"body": document.body, "points_in_dispute": document.points_in_dispute})
    if request.method == "POST" and form.is_valid() and _try(request, lambda: services.document_correct(
            document=document, by=request.user, **form.cleaned_data),
            _("A new version was made; submit it for confirmation again.")):
        return redirect("coordination:coordination_detail", pk=meeting.pk)
    return render(request, "coordination/coordination_form.html", {
        "meeting": meeting, "form": form, "button": _("Make a new version"), "back": meeting.get_absolute_url(),
        "title": _("Correct the %(k)s (version %(v)d)") % {"k": document.get_kind_display(), "v": document.version}})


@login_required
@require_http_methods(["GET", "POST"])
def coordination_document_submit(request, pk: int, document_pk: int):
    meeting = _organized_or_404(request.user, pk)
    document = _document_or_404(meeting, document_pk)
    texts = {"title": _("Submit the %(k)s for confirmation") % {"k": document.get_kind_display()},
             "button": _("Submit"), "explain": _("Its text is then frozen; a change is a correction with a reason.")}
    return _confirm(request, meeting, texts=texts, document=document,
                    act=lambda _data: services.document_submit(document=document, by=request.user),
                    success=_("Submitted: the participants are asked to confirm it."))


@login_required
@require_http_methods(["GET", "POST"])
def coordination_document_confirm(request, pk: int, document_pk: int):
    meeting = _meeting_or_404(request.user, pk)
    document = _document_or_404(meeting, document_pk)
    texts = {"title": _("Confirm the %(k)s") % {"k": document.get_kind_display()}, "button": _("I confirm"),
             "explain": _("Your name and the time of your confirmation are your signature.")}
    return _confirm(request, meeting, texts=texts, document=document,
                    act=lambda _data: services.document_confirm(document=document, by=request.user),
                    success=_("Thank you: your confirmation was recorded."))


@login_required
@require_http_methods(["GET", "POST"])
def coordination_document_paper(request, pk: int, document_pk: int):
    meeting = _organized_or_404(request.user, pk)
    document = _document_or_404(meeting, document_pk)
    confirmed = document.confirmations.values("participant_id")
    form = PaperForm(request.POST or None, participants=selectors.required_confirmers(document)
                     .exclude(pk__in=confirmed).select_related("user", "agency", "household__building__compound"))
    texts = {"title": _("Record a paper signature"), "button": _("Record the signature"),
             "explain": _("Only when the participant signed the printed text.")}
    return _confirm(request, meeting, texts=texts, document=document, form=form,
                    act=lambda data: services.document_record_paper(document=document, by=request.user, **data),
                    success=_("The paper signature was recorded."))


# --- Actions ------------------------------------------------------------------------------------


@login_required
@require_POST
def coordination_action_add(request, pk: int):
    meeting = _organized_or_404(request.user, pk)
    form = ActionForm(request.POST, meeting=meeting)
    if form.is_valid() and _try(request, lambda: services.action_add(
            meeting=meeting, by=request.user, description=form.cleaned_data["description"],
            due_date=form.cleaned_data["due_date"], **form.owner_kwargs()), _("The action was added.")):
        return redirect("coordination:coordination_detail", pk=meeting.pk)
    if not form.is_valid():
        messages.error(request, _("Not added: correct the fields marked below."))
    return _detail(request, meeting, status=400, action_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def coordination_action_remove(request, pk: int, action_pk: int):
    meeting = _organized_or_404(request.user, pk)
    action = get_object_or_404(meeting.actions, pk=action_pk)
    texts = {"title": _("Remove an action"), "button": _("Remove"), "explain": action.description}
    return _confirm(request, meeting, texts=texts, success=_("The action was removed."),
                    act=lambda _data: services.action_remove(action=action, by=request.user))


@login_required
@require_http_methods(["GET", "POST"])
def coordination_action_progress(request, pk: int, action_pk: int):
    meeting = _meeting_or_404(request.user, pk)
    action = get_object_or_404(meeting.actions.select_related(
        "owner_participant__user", "owner_participant__agency", "owner_participant__household", "owner_agency"),
        pk=action_pk)
    action.meeting = meeting
    if not selectors.can_post_progress(request.user, action):
        raise Http404
    form = ProgressForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            if _try(request, lambda: services.action_progress(action=action, by=request.user, text=data["text"],
                                                              done=data["done"], attachment=data["attachment"]),
                    _("Your report was recorded and the parties were told.")):
                return redirect("coordination:coordination_detail", pk=meeting.pk)
        else:
            messages.error(request, _("Not saved: correct the fields marked below."))
    return render(request, "coordination/coordination_progress.html", {"meeting": meeting, "action": action,
                                                                    "form": form})


@login_required
@require_GET
def coordination_attachment(request, pk: int, progress_pk: int):
    meeting = _meeting_or_404(request.user, pk)
    progress = get_object_or_404(CoordinationProgress, pk=progress_pk, action__meeting=meeting)
    if not progress.attachment:
        raise Http404
    return attachment_response(progress.attachment, progress.attachment_name or "attachment")
