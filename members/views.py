"""Pages of the members directory: joining, the organizer's desk, the street's overview.

Each view: scope check on the object's own committee or street, one form, one service call,
the domain error shown as a message, redirect after POST.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from config.errors import error_text
from config.spreadsheets import csv_response
from members import context_processors, notifications, roster, selectors, services
from members.forms import (
    JoinHouseholdForm,
    NotificationPreferencesForm,
    RejectForm,
    ResidentFilterForm,
    RoleGrantForm,
    RosterUploadForm,
)
from members.models import Building, Committee, Compound, Membership, Notification, Role
from members.permissions import (
    committee_for_organizer_or_404,
    is_staff_person,
    managed_committees,
    street_for_officer_or_404,
    viewable_streets,
)
from members.waiting import home_lists

PAGE_SIZE = 50
# Notifications are listed one entry per thing they are about; a phone screen holds a few.
NOTIFICATION_GROUPS_PER_PAGE = 10


def home(request):
    """Signed in: the tasks waiting for this person, biggest first; then what is new; then their desks."""
    context = {}
    if request.user.is_authenticated:
        context["waiting"], context["info"] = home_lists(request.user)
        context["memberships"] = memberships = list(selectors.user_memberships(request.user))
        context["committees"] = managed_committees(request.user)
        context["streets"] = viewable_streets(request.user)
        # Registering a household is a resident's first task; staff are not offered it.
        current = any(m.status in (Membership.Status.PENDING, Membership.Status.VERIFIED) for m in memberships)
        context["offer_join"] = not current and not is_staff_person(request.user)
        context["to_do"] = sum(not item.done for item in context["waiting"]) + context["offer_join"]
    return render(request, "members/home.html", context)


# --- Joining -------------------------------------------------------------------

@login_required
def join_start(request):
    return render(request, "members/join_start.html",
                  {"committees": selectors.joinable_committees()})


@login_required
def join_committee(request, pk: int):
    committee = get_object_or_404(Committee.objects.select_related("street"), pk=pk)
    return render(request, "members/join_committee.html",
                  {"committee": committee, "compounds": selectors.committee_compounds(committee)})


@login_required
def join_compound(request, pk: int):
    compound = get_object_or_404(Compound.objects.select_related("committee__street"), pk=pk)
    return render(request, "members/join_compound.html",
                  {"compound": compound, "buildings": selectors.compound_buildings(compound)})


@login_required
@require_http_methods(["GET", "POST"])
def join_building(request, pk: int):
    building = get_object_or_404(Building.objects.select_related("compound__committee__street"), pk=pk)
    form = JoinHouseholdForm(request.POST or None, building=building)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_request(user=request.user, household=form.cleaned_data["household"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your request has been sent. The committee will check it."))
            return redirect("members:my_memberships")
    return render(request, "members/join_building.html", {"building": building, "form": form})


@login_required
def my_memberships(request):
    return render(request, "members/my_memberships.html",
                  {"memberships": selectors.user_memberships(request.user)})


# --- Organizer's desk ------------------------------------------------------------

@login_required
def committee_detail(request, pk: int):
    committee = committee_for_organizer_or_404(request.user, pk)
    return render(request, "members/committee_detail.html",
                  {"committee": committee, "summary": selectors.committee_summary(committee)})


def _filtered(request, committee: Committee):
    form = ResidentFilterForm(request.GET or None, committee=committee)
    q, building = "", None
    if form.is_valid():
        q, building = form.cleaned_data["q"], form.cleaned_data["building"]
    return form, q, building


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _committee_list(request, pk: int, selector, template: str):
    """A searchable, paginated list of one committee's people or households."""
    committee = committee_for_organizer_or_404(request.user, pk)
    form, q, building = _filtered(request, committee)
    page = _page(request, selector(committee, q=q, building=building))
    return render(request, template, {"committee": committee, "form": form, "page": page,
                                      "query": _query_without_page(request)})


@login_required
def committee_residents(request, pk: int):
    return _committee_list(request, pk, selectors.committee_residents, "members/committee_residents.html")


@login_required
def committee_households(request, pk: int):
    return _committee_list(request, pk, selectors.committee_households, "members/committee_households.html")


@login_required
def committee_requests(request, pk: int):
    committee = committee_for_organizer_or_404(request.user, pk)
    page = _page(request, selectors.committee_pending_requests(committee))
    return render(request, "members/committee_requests.html", {"committee": committee, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def request_decide(request, pk: int, request_pk: int):
    """GET shows the request; POST approves it or rejects it with a reason."""
    committee = committee_for_organizer_or_404(request.user, pk)
    membership = selectors.committee_request(committee, request_pk)
    if membership is None:
        raise Http404
    reject_form = RejectForm(request.POST if request.POST.get("action") == "reject" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                services.membership_approve(membership=membership, by=request.user)
                messages.success(request, _("%(name)s is now a verified resident of %(household)s.")
                                 % {"name": membership.user, "household": membership.household})
                return redirect("members:committee_requests", pk=committee.pk)
            if action == "reject" and reject_form.is_valid():
                services.membership_reject(membership=membership, by=request.user,
                                           reason=reject_form.cleaned_data["reason"])
                messages.success(request, _("The request of %(name)s was rejected.")
                                 % {"name": membership.user})
                return redirect("members:committee_requests", pk=committee.pk)
            if action not in ("approve", "reject"):
                messages.error(request, _("Choose approve or reject."))
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
            return redirect("members:committee_requests", pk=committee.pk)
    return render(request, "members/request_decide.html",
                  {"committee": committee, "membership": membership, "reject_form": reject_form})


@login_required
@require_http_methods(["GET", "POST"])
def committee_roles(request, pk: int):
    committee = committee_for_organizer_or_404(request.user, pk)
    form = RoleGrantForm(request.POST or None, committee=committee)
    if request.method == "POST" and form.is_valid():
        try:
            _grant_from_form(committee, form, by=request.user)
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The role was granted."))
            return redirect("members:committee_roles", pk=committee.pk)
    return render(request, "members/committee_roles.html",
                  {"committee": committee, "form": form, "roles": selectors.committee_roles(committee)})


def _grant_from_form(committee: Committee, form: RoleGrantForm, *, by) -> Role:
    data = form.cleaned_data
    person = selectors.find_user_by_phone(data["phone"])
    if person is None:
        raise ValidationError(_("Nobody has signed up with this phone number yet."), code="unknown_person")
    kind = data["kind"]
    if kind == Role.Kind.FLOOR_LEADER:
        if not selectors.is_verified_resident(person, building=data["building"]):
            raise ValidationError(_("A floor leader must be a verified resident of that building."),
                                  code="not_resident")
        return services.role_grant(user=person, kind=kind, building=data["building"], by=by)
    if kind != Role.Kind.ORGANIZER and not selectors.is_verified_resident(person, committee=committee):
        raise ValidationError(_("This role needs a verified resident of this committee."),
                              code="not_resident")
    return services.role_grant(user=person, kind=kind, committee=committee, by=by)


@login_required
@require_http_methods(["GET", "POST"])
def role_revoke(request, pk: int, role_pk: int):
    committee = committee_for_organizer_or_404(request.user, pk)
    role = selectors.committee_role(committee, role_pk)
    if role is None:
        raise Http404
    if request.method == "POST":
        try:
            services.role_revoke(role=role, by=request.user)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The role was revoked."))
        return redirect("members:committee_roles", pk=committee.pk)
    return render(request, "members/role_revoke.html", {"committee": committee, "role": role})


@login_required
@require_http_methods(["GET", "POST"])
def roster_import(request, pk: int):
    committee = committee_for_organizer_or_404(request.user, pk)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    errors, result = [], None
    if request.method == "POST" and form.is_valid():
        try:
            result = roster.roster_import(committee=committee, uploaded_file=form.cleaned_data["file"],
                                          by=request.user)
        except roster.RosterError as error:
            errors = error.row_errors
            if not errors:
                form.add_error("file", error)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("Roster imported."))
    return render(request, "members/roster_import.html",
                  {"committee": committee, "form": form, "errors": errors, "result": result})


@login_required
def roster_template(request, pk: int):
    committee_for_organizer_or_404(request.user, pk)
    return csv_response(roster.roster_template_csv(), "roster-template.csv")


# --- Street office --------------------------------------------------------------------

@login_required
def street_detail(request, pk: int):
    street = street_for_officer_or_404(request.user, pk)
    return render(request, "members/street_detail.html", {
        "street": street,
        "committees": selectors.street_committees(street),
        "agencies": selectors.street_agencies(street),
    })



# --- Notifications --------------------------------------------------------------------------

@login_required
def notification_list(request):
    """This person's notifications, one entry per thing they are about, unread first."""
    page = Paginator(notifications.notification_groups(request.user), NOTIFICATION_GROUPS_PER_PAGE) \
        .get_page(request.GET.get("page"))
    newest = notifications.notifications_by_id(group["latest"] for group in page)
    groups = [{**group, "notification": newest[group["latest"]]} for group in page]
    return render(request, "members/notification_list.html", {"page": page, "groups": groups})


def _own_notification_or_404(request, pk: int):
    notification = notifications.notification_for_user(request.user, pk)
    if notification is None:
        raise Http404
    return notification


@login_required
@require_POST
def notification_open(request, pk: int):
    """Mark the notification read and go to what it is about."""
    notification = _own_notification_or_404(request, pk)
    notifications.notification_mark_read(notification=notification, user=request.user)
    notifications.notifications_mark_read_about(user=request.user, urls=[notification.url])
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts={request.get_host()},
                                                            require_https=request.is_secure()):
        return redirect(notification.url)
    return redirect("members:notification_list")


@login_required
@require_POST
def notification_read(request, pk: int):
    notification = _own_notification_or_404(request, pk)
    notifications.notification_mark_read(notification=notification, user=request.user)
    # The list shows one entry per thing: reading it reads every notification about that thing.
    notifications.notifications_mark_read_about(user=request.user, urls=[notification.url])
    messages.success(request, _("Marked as read."))
    return redirect("members:notification_list")


@login_required
@require_POST
def notification_read_all(request):
    count = notifications.notifications_mark_all_read(user=request.user)
    messages.success(request, _("All notifications are marked as read.") if count
                     else _("There were no unread notifications."))
    return redirect("members:notification_list")


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    """Tick the kinds of notification to receive; unticked kinds are neither listed nor e-mailed."""
    off = notifications.kinds_turned_off(request.user)
    initial = {"receive": [kind for kind in Notification.Kind.values if kind not in off]}
    form = NotificationPreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        notifications.notification_preferences_set(user=request.user, off=form.kinds_off())
        messages.success(request, _("Your notification settings are saved."))
        return redirect("members:notification_preferences")
    return render(request, "members/notification_preferences.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def contact_channel(request):
    """Choose how to be told: SMS, e-mail, only on this site, or any channel an app adds."""
    from members.messaging import channels
    from members.messaging.forms import ContactChoiceForm

    form = ContactChoiceForm(request.POST or None, user=request.user,
                             initial={"channel": channels.chosen_channel(request.user)})
    if request.method == "POST" and form.is_valid():
        try:
            channels.contact_choice_set(user=request.user, channel=form.cleaned_data["channel"])
        except ValidationError as exc:
            form.add_error("channel", exc)
        else:
            messages.success(request, _("From now on you are told this way."))
            return redirect("members:contact_channel")
    return render(request, "members/contact_channel.html", {"form": form})


# --- Large print ("A+") ------------------------------------------------------

@require_POST
def large_print_set(request):
    """Switch large print on or off: remembered on a signed-in person's account, in a cookie for a visitor."""
    on = request.POST.get("large_print") == "on"
    target = request.POST.get("next") or ""
    # Back to the page the switch was on: a path of this site only, never a view name or another host.
    if not (target.startswith("/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure())):
        target = reverse("home")
    response = HttpResponseRedirect(target)
    if request.user.is_authenticated:
        services.person_set_large_print(user=request.user, on=on)
    elif on:
        response.set_cookie(context_processors.LARGE_PRINT_COOKIE, "1", max_age=60 * 60 * 24 * 365 * 2, httponly=True,
                            samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
    else:
        response.delete_cookie(context_processors.LARGE_PRINT_COOKIE, samesite="Lax")
    return response
