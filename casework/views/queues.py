"""The queues, one per level of the 三不 (handler, committee, street), each item with its age; the
person's own page of requests; the committee's heat table and chart; the XLSX lists."""

from chartjs.views.lines import BaseLineChartView
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from casework import exports
from casework import selectors as sel
from config.spreadsheets import xlsx_response
from members.models import Building, Committee, Membership, Role
from members.permissions import (
    committee_for_organizer_or_404,
    managed_committees,
    roles_of,
    street_for_officer_or_404,
    viewable_streets,
)


def _filing_committees(user) -> list[Committee]:
    """Where this person may file a request: where they live, organize or lead a building."""
    ids = set(Membership.objects.filter(user=user, status=Membership.Status.VERIFIED)
              .values_list("household__building__compound__committee_id", flat=True))
    ids |= {r.committee_id for r in roles_of(user) if r.kind == Role.Kind.ORGANIZER}
    led = sel.led_building_ids(user)
    if led:
        ids |= set(Building.objects.filter(pk__in=led).values_list("compound__committee_id", flat=True))
    return list(Committee.objects.filter(pk__in=ids).order_by("name"))


@login_required
@require_GET
def case_mine(request):
    """My requests, my buildings' requests, and the way to every queue I work in."""
    user = request.user
    today = timezone.localdate()
    agencies = sel.contact_agency_ids(user)
    return render(request, "casework/case_mine.html", {
        "committees": _filing_committees(user),
        "mine": sel.with_age(sel.my_cases(user)[:100], today),
        "building": sel.with_age(sel.building_cases(user)[:100], today) if sel.led_building_ids(user) else [],
        "has_agency": bool(agencies), "organizes": list(managed_committees(user).order_by("name")[:50]),
        "streets": list(viewable_streets(user).order_by("name")[:20])})


@login_required
@require_GET
def committee_cases(request, pk: int):
    """The committee's desk: new requests, escalated ones, those with handlers, answers awaiting ratings; the heat."""
    committee = committee_for_organizer_or_404(request.user, pk)
    today = timezone.localdate()
    heat = sel.heat(committee, today)
    return render(request, "casework/committee_cases.html", {
        "committee": committee, "groups": sel.grouped(sel.committee_queue(committee), today),
        "closed": sel.with_age(sel.recently_closed(committee), today), "heat": heat, "month": today.strftime("%Y-%m")})


class HeatChartJSON(LoginRequiredMixin, BaseLineChartView):
    """Chart.js data for the heat chart: this month's requests per building, one series per category."""

    def get(self, request, *args, **kwargs):
        committee = committee_for_organizer_or_404(request.user, kwargs["pk"])
        self.heat = sel.heat(committee, timezone.localdate())
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {"labels": context["labels"], "datasets": context["datasets"]}

    def get_labels(self):
        return self.heat["labels"]

    def get_providers(self):
        return self.heat["series"]

    def get_data(self):
        return self.heat["data"]


@login_required
@require_GET
def agency_cases(request):
    """The handler's desk: every open request routed to the person's agencies, the oldest due first."""
    agencies = sel.contact_agency_ids(request.user)
    if not agencies:
        raise Http404
    return render(request, "casework/agency_cases.html", {
        "cases": sel.with_age(sel.handler_queue(agencies))})


@login_required
@require_GET
def street_cases(request, pk: int):
    """The street office's queue: requests escalated to the street and still open."""
    street = street_for_officer_or_404(request.user, pk)
    return render(request, "casework/street_cases.html", {
        "street": street, "cases": sel.with_age(sel.street_queue(street))})


@login_required
@require_GET
def committee_export(request, pk: int):
    committee = committee_for_organizer_or_404(request.user, pk)
    cases = list(sel.committee_queue(committee).select_related("requester")) + list(
        sel.recently_closed(committee, limit=1000).select_related("requester"))
    return xlsx_response(exports.cases_xlsx(cases, request.user),
                         f"requests-{committee.pk}-{timezone.localdate().isoformat()}.xlsx")


@login_required
@require_GET
def agency_export(request):
    agencies = sel.contact_agency_ids(request.user)
    if not agencies:
        raise Http404
    cases = list(sel.handler_queue(agencies).select_related("requester"))
    return xlsx_response(exports.cases_xlsx(cases, request.user), f"requests-{timezone.localdate().isoformat()}.xlsx")
