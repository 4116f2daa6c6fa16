"""Published evaluation results: per committee (a campaign) and per street (the dashboard's heat map),
and beside them the residents' requests each agency of a street handled (the dashboard's figures).

Aggregates only, as the pages show them: a breakdown of fewer than five answers is never given
(``evaluations.models.Result.shown``, the dashboard's ``heatmap``); no comment, no paper.
"""

from dataclasses import asdict

from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate

from api import selectors
from api.v1.schemas import CampaignOut, CampaignResultsOut, Problem, StreetRequestsOut, StreetResultsOut

router = Router(tags=["evaluations"])


def _row(row) -> dict | None:
    if row is None:
        return None
    name = row.dimension.name if row.dimension_id else None
    if not row.shown:
        return {"dimension": name, "shown": False, "counts": None, "rate": None, "score": None, "rank": None,
                "rank_of": None, "change": None}
    text = lambda value: None if value is None else str(value)  # noqa: E731
    return {"dimension": name, "shown": True, "counts": {str(k): int(v) for k, v in row.counts.items()},
            "rate": text(row.rate), "score": text(row.score), "rank": row.rank, "rank_of": row.rank_of,
            "change": text(row.change)}


@router.get("/evaluations", response=list[CampaignOut], summary="Published evaluations, newest year first")
@paginate(LimitOffsetPagination)
def campaign_list(request):
    return selectors.campaign_list(request.auth)


@router.get("/evaluations/{int:pk}", response={200: CampaignResultsOut, 404: Problem},
            summary="One committee's published evaluation results, per evaluatee and dimension")
def campaign_results(request, pk: int):
    campaign = selectors.campaign_detail(request.auth, pk)
    results = selectors.campaign_results(campaign)
    return {**CampaignOut.from_orm(campaign).model_dump(),
            "levels": [level.label for level in selectors.campaign_levels(campaign)],
            "evaluatees": [{"id": r.evaluatee.pk, "name": r.evaluatee.name, "kind": r.evaluatee.kind,
                            "overall": _row(r.overall), "dimensions": [_row(d) for d in r.dimensions]}
                           for r in results]}


@router.get("/streets/{int:pk}/evaluations", response={200: StreetResultsOut, 404: Problem},
            summary="A street's published results: each evaluatee's overall rate per committee in one year")
def street_results(request, pk: int, year: int | None = None):
    street = selectors.street_for(request.auth, pk)
    data = selectors.street_results(street, year)
    committees = data["heatmap"]["committees"]
    return {"street_id": street.pk, "year": data["year"], "years": data["years"],
            "committees": [{"id": c.pk, "name": c.name, "street_id": c.street_id} for c in committees],
            "rows": [{"name": row["name"] or row["kind"], "kind": row["kind"],
                      "cells": [{"committee_id": c.pk, "rate": None if cell["rate"] is None else str(cell["rate"])}
                                for c, cell in zip(committees, row["cells"], strict=True)]}
                     for row in data["heatmap"]["rows"]]}


@router.get("/streets/{int:pk}/requests", response={200: StreetRequestsOut, 404: Problem},
            summary="A street's residents' requests handled per agency in one year (this year by default)")
def street_requests(request, pk: int, year: int | None = Query(None, ge=2000, le=2999)):
    street = selectors.street_for(request.auth, pk)
    year = year or timezone.localdate().year
    rows = selectors.street_casework(street, year)
    return {"street_id": street.pk, "year": year,
            "agencies": [{"agency_id": row["agency"].pk, "name": row["agency"].name, "kind": row["agency"].kind,
                          **(asdict(row["figures"]) if row["figures"] else
                             {"count": 0, "median_days": None, "on_time_pct": None, "rated": 0,
                              "satisfied_pct": None})}
                         for row in rows]}
