"""The street office's dashboard: heat map, Chart.js charts (JSON from django-chartjs views), exports."""

from chartjs.views.lines import BaseLineChartView
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from config.spreadsheets import xlsx_response
from evaluations import exports, selectors
from evaluations.forms import DashboardFilterForm
from evaluations.models import Campaign
from evaluations.permissions import campaign_for_runner_or_404
from members.models import Committee
from members.permissions import street_for_officer_or_404


def _filters(request, street) -> tuple[DashboardFilterForm, selectors.Filters, list[int], list[Committee]]:
    years = selectors.street_years(street)
    committees = list(Committee.objects.filter(street=street).order_by("name"))
    form = DashboardFilterForm(request.GET or None, years=years, committees=committees)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    year = data.get("year") or (years[0] if years else None)
    return form, selectors.Filters(year=year, kind=data.get("kind") or "", committee=data.get("committee") or None), \
        years, committees


def _series_table(chart: dict) -> list[dict]:
    return [{"name": name, "values": values} for name, values in zip(chart["series"], chart["data"], strict=True)]


@login_required
@require_GET
def street_dashboard(request, pk: int):
    street = street_for_officer_or_404(request.user, pk)
    form, filters, years, committees = _filters(request, street)
    bars, trend = selectors.bars(street, filters), selectors.trend(street, filters)
    tasks = list(selectors.street_rectifications(street))
    query = request.GET.urlencode()
    return render(request, "evaluations/street_dashboard.html", {
        "street": street, "form": form, "filters": filters, "years": years,
        "heatmap": selectors.heatmap(street, filters),
        "bars": bars, "bar_rows": _series_table(bars), "trend": trend, "trend_rows": _series_table(trend),
        "query": query, "overdue": selectors.overdue(tasks),
        "casework_year": filters.year or timezone.localdate().year,
        "casework": selectors.casework_rows(street, filters, filters.year or timezone.localdate().year),
        "campaigns": list(selectors.street_campaigns(street, filters.year)),
        "agencies": list(street.agencies.exclude(supervising_department="").order_by("kind", "name"))})


class _StreetChart(LoginRequiredMixin, BaseLineChartView):
    """Chart.js data {labels, datasets} from a selector; the street is checked like every street page."""

    selector = None

    def get(self, request, *args, **kwargs):
        self.street = street_for_officer_or_404(request.user, kwargs["pk"])
        _form, filters, _years, _committees = _filters(request, self.street)
        self.chart = type(self).selector(self.street, filters)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # TemplateView's context also holds "view" (which django-chartjs's encoder would dump as a string)
        # and the URL's keyword arguments: Chart.js gets only its data.
        return {"labels": context["labels"], "datasets": context["datasets"]}

    def get_labels(self):
        return [str(label) for label in self.chart["labels"]]

    def get_providers(self):
        return self.chart["series"]

    def get_data(self):
        return [[float(v) if v is not None else None for v in row] for row in self.chart["data"]]


class BarChartJSON(_StreetChart):
    selector = staticmethod(selectors.bars)


class TrendChartJSON(_StreetChart):
    selector = staticmethod(selectors.trend)

    def get_dataset_options(self, index, color):
        return {**super().get_dataset_options(index, color), "fill": False, "tension": 0.2}


@login_required
@require_GET
def street_export(request, pk: int):
    """All published campaigns of the year; ``?agency=`` narrows to one agency for its supervising department."""
    street = street_for_officer_or_404(request.user, pk)
    _form, filters, _years, _committees = _filters(request, street)
    campaigns = list(selectors.street_campaigns(street, filters.year).filter(status=Campaign.Status.PUBLISHED)
                     .select_related("ballot"))
    agency = request.GET.get("agency", "")
    agency_id = int(agency) if agency.isdigit() else None
    if agency_id is not None and not street.agencies.filter(pk=agency_id).exists():
        raise Http404
    rows = selectors.export_rows(campaigns, agency_id)
    stamp = timezone.localdate().isoformat()
    return xlsx_response(exports.results_xlsx(campaigns, rows), f"evaluation-{filters.year or 'all'}-{stamp}.xlsx")


@login_required
@require_GET
def campaign_export(request, pk: int):
    campaign = campaign_for_runner_or_404(request.user, pk)
    if campaign.status != Campaign.Status.PUBLISHED:
        raise Http404
    rows = selectors.export_rows([campaign])
    return xlsx_response(exports.results_xlsx([campaign], rows), f"evaluation-{campaign.year}-{campaign.pk}.xlsx")


