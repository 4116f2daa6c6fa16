"""One request: filing it, its page, its printable 流转单, its photos and every move on it.

Each view finds the request, checks the person against the request's own committee, handler or
street (404 for anyone who may not see it), makes one service call and turns a domain error into
a message. Moves without a photo are confirm-then-act pages; progress and answers, which may carry
a photo, are forms on the request's page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework import selectors as sel
from casework import services
from casework.forms import CaseForm, RateForm, ReasonForm, RouteForm, TextPhotoForm
from casework.models import Case, CasePhoto
from config.confirm import confirm_page
from config.errors import DOMAIN_ERRORS, error_text
from members.models import Committee
from members.uploads import attachment_response


def _case_or_404(user, pk: int) -> Case:
    """The request if ``user`` may see it; 404 otherwise, so its existence leaks nothing."""
    case = sel.case_for_page(pk)
    if case is None or not sel.can_see(user, case):
        raise Http404
    return case


@login_required
@require_http_methods(["GET", "POST"])
def case_file(request, pk: int):
    """File a request in committee ``pk``: one's own, or (floor leader, organizer) for someone else."""
    committee = get_object_or_404(Committee.objects.select_related("street"), pk=pk)
    if not sel.may_file(request.user, committee):
        raise Http404
    organizer = sel.is_committee_member(request.user, committee)
    on_behalf = sel.files_for_others(request.user, committee) and (
        request.GET.get("for") == "other" or not sel.is_resident(request.user, committee))
    form = CaseForm(request.POST or None, request.FILES or None, committee=committee, user=request.user,
                    on_behalf=on_behalf, organizer=organizer)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.case_file(
                    by=request.user, committee=committee, compound=data["compound"], building=data["building"],
                    spot=data["spot"], category=data["category"], description=data["description"],
                    named_to_handler=data["named_to_handler"], photo=data["photo"],
                    requester_name=data.get("requester_name", ""), requester_phone=data.get("requester_phone", ""),
                    channel=data.get("channel") or None)
            except DOMAIN_ERRORS as error:
                messages.error(request, error_text(error))
            else:
                messages.success(request, _("Your request %(n)s was received. You will be told when it is answered.")
                                 % {"n": case.number})
                return redirect(case.get_absolute_url())
        else:
            messages.error(request, _("Nothing was saved: correct the fields marked below."))
    return render(request, "casework/case_file.html", {
        "committee": committee, "form": form, "on_behalf": on_behalf,
        "can_switch": sel.files_for_others(request.user, committee) and sel.is_resident(request.user, committee)})


def _detail_context(request, case: Case, **forms) -> dict:
    user = request.user
    name, phone = sel.requester_shown(user, case)
    committee = sel.is_committee(user, case)
    today = timezone.localdate()
    answer_form = forms.get("answer_form")
    if answer_form is None and sel.may_answer(user, case):
        answer_form = TextPhotoForm(prefix="answer", label=_("Answer"))
    progress_form = forms.get("progress_form")
    if progress_form is None and sel.may_report_progress(user, case):
        progress_form = TextPhotoForm(prefix="progress", label=_("Progress"))
    return {
        "case": case, "requester_name": name, "requester_phone": phone, "is_committee": committee,
        "show_people": committee, "events": sel.case_events(case), "overdue": case.is_overdue(today),
        "age": case.age_days(today), "answer_form": answer_form, "progress_form": progress_form,
        "may": {"route": sel.may_route(user, case), "accept": sel.may_accept(user, case),
                "return": sel.may_return(user, case), "rate": sel.may_rate(user, case),
                "escalate": committee and case.status in Case.LATE_IN and case.level != Case.Level.STREET,
                "close": sel.may_close_unreached(user, case),
                "slip": committee or sel.is_handler(user, case) or sel.is_street(user, case)},
    }


@login_required
@require_GET
def case_detail(request, pk: int):
    case = _case_or_404(request.user, pk)
    return render(request, "casework/case_detail.html", _detail_context(request, case))


@login_required
@require_GET
def case_slip(request, pk: int):
    """The printable A4 流转单, for handlers who work on paper."""
    case = _case_or_404(request.user, pk)
    if not (sel.is_committee(request.user, case) or sel.is_handler(request.user, case)
            or sel.is_street(request.user, case)):
        raise Http404
    name, phone = sel.requester_shown(request.user, case)
    return render(request, "casework/case_slip.html", {
        "case": case, "requester_name": name, "requester_phone": phone, "events": sel.case_events(case),
        "printed_on": timezone.localdate()})


@login_required
@require_GET
def case_photo(request, pk: int, photo_pk: int):
    case = _case_or_404(request.user, pk)
    photo = get_object_or_404(CasePhoto, pk=photo_pk, case=case)
    return attachment_response(photo.file, photo.name)


@login_required
@require_POST
def case_write(request, pk: int, what: str):
    """Progress or an answer, each with an optional photo (a form on the request's page)."""
    case = _case_or_404(request.user, pk)
    if what not in ("answer", "progress"):
        raise Http404
    form = TextPhotoForm(request.POST, request.FILES, prefix=what)
    if form.is_valid():
        service = services.case_answer if what == "answer" else services.case_progress
        try:
            service(case=case, by=request.user, text=form.cleaned_data["text"], photo=form.cleaned_data["photo"])
        except DOMAIN_ERRORS as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The answer was sent to the requester.") if what == "answer"
                             else _("The progress was recorded."))
            return redirect(case.get_absolute_url())
    else:
        messages.error(request, _("Nothing was saved: correct the fields marked below."))
    return render(request, "casework/case_detail.html", _detail_context(request, case, **{f"{what}_form": form}),
                  status=200)


def _move_texts(case: Case) -> dict:
    return {
        "route": (_("Route the request"), _("Route it"), _("The request was routed.")),
        "accept": (_("Accept the request"), _("Accept it"), _("You accepted the request: answer it by its due date.")),
        "return": (_("Send the answer back"), _("Send it back"), _("The answer was sent back to the handler.")),
        "rate": (_("Rate the answer"), _("Give my rating"), _("Thank you: your rating was recorded.")),
        "escalate": (_("Send the request to the street office"), _("Send it to the street"),
                     _("The request was sent to the street office.")),
        "close": (_("Close without a rating"), _("Close it"), _("The request was closed, with the reason.")),
    }


@login_required
@require_http_methods(["GET", "POST"])
def case_move(request, pk: int, move: str):
    """The confirm-then-act page of each move that needs no photo."""
    case = _case_or_404(request.user, pk)
    texts = _move_texts(case)
    if move not in texts:
        raise Http404
    user, data = request.user, request.POST or None
    title, button, success = texts[move]
    form, question = None, ""
    if move == "route":
        if not sel.is_committee(user, case):
            raise Http404
        form = RouteForm(data, agencies=sel.routable_agencies(case), firm_id=case.compound.property_firm_id)

        def act(d):
            return services.case_route(case=case, by=user, handler=d["handler"], days=d["days"], note=d["note"])
    elif move == "accept":
        if not sel.is_handler(user, case):
            raise Http404
        question = _("You take this request on and answer it by %(d)s.") % {"d": case.due_on.isoformat()}

        def act(d):
            return services.case_accept(case=case, by=user)
    elif move == "rate":
        if not (case.requester_id == user.pk or sel.is_committee(user, case)):
            raise Http404
        form = RateForm(data)
        question = _("不满意 sends the request back to be handled again.")

        def act(d):
            return services.case_rate(case=case, by=user, rating=d["rating"], comment=d["comment"])
    else:
        if not sel.is_committee(user, case):
            raise Http404
        form = ReasonForm(data)
        service = {"return": services.case_return, "escalate": services.case_escalate,
                   "close": services.case_close_unreached}[move]

        def act(d):
            return service(case=case, by=user, reason=d["reason"])
    return confirm_page(request, title=title, button=button, cancel_url=case.get_absolute_url(), act=act,
                        done_url=case.get_absolute_url(), success=success, question=question, form=form,
                        context={"subject": f"{case.number} · {case.get_category_display()} · {case.place}",
                                 "status_template": "casework/_status.html", "case": case,
                                 "details": "casework/_move_details.html",
                                 "crumb": case.number, "crumb_url": case.get_absolute_url()})
