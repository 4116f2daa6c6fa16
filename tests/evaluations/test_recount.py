"""Results equal an independent recount in plain Python over the sheets as cast (≥ 500 sheets, counted
from the sealed box), and the results page reads a fixed number of queries whatever the number of sheets."""

import random
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decisions import services as core
from decisions.models import Ballot
from evaluations import services
from evaluations.models import Result, SheetItem
from tests.evaluations.factories import make_open_campaign, make_world, publish, sheet

pytestmark = pytest.mark.django_db


def _cast_all(campaign, voters, rng, *, paper: int = 0, changes: int = 0, organizers=()) -> list[dict[int, int]]:
    """Online sheets for all but ``paper`` voters (some changed once), then one paper batch for the rest.

    Returns the sheets that count, as cast: each voter's latest online sheet and every paper sheet.
    """
    weights = {}
    online, on_paper = voters[: len(voters) - paper], voters[len(voters) - paper:]
    items = list(SheetItem.objects.filter(campaign=campaign).select_related("question"))
    options = {item.question_id: {o.position: o.pk for o in item.question.options.all()} for item in items}

    def ratings():
        bias = weights.setdefault(rng.random(), [rng.randint(1, 8), rng.randint(1, 4), rng.randint(0, 2), 1])
        return {q: opts[rng.choices([1, 2, 3, 4], weights=bias)[0]] for q, opts in options.items()}

    latest: dict[int, dict[int, int]] = {}
    for voter in online:
        latest[voter.pk] = ratings()
        services.sheet_submit(campaign=campaign, voter=voter, ratings=latest[voter.pk], comments={})
    for voter in online[:changes]:
        latest[voter.pk] = ratings()
        services.sheet_submit(campaign=campaign, voter=voter, ratings=latest[voter.pk], comments={})
    counted = list(latest.values())
    if on_paper:
        first, second = organizers
        batch = core.paper_batch_create(ballot=campaign.ballot, by=first, issued=len(on_paper) + 2,
                                        returned=len(on_paper), void=1, voters=on_paper)
        for _ in range(len(on_paper) - 1):
            cast = ratings()
            core.paper_sheet_add(batch=batch, by=first, choices={q: [o] for q, o in cast.items()})
            counted.append(cast)
        core.paper_batch_confirm(batch=batch, by=second)
    return counted


def _recount(campaign, sheets: list[dict[int, int]]) -> dict:
    """Plain Python over the sheets as they were cast (the latest of each voter, every paper sheet)."""
    position = {}
    item_of = {}
    for item in SheetItem.objects.filter(campaign=campaign).select_related("question"):
        item_of[item.question_id] = (item.evaluatee_id, item.dimension_id)
        for option in item.question.options.all():
            position[option.pk] = option.position
    counts: dict[tuple, Counter] = {}
    for ratings in sheets:
        for question_id, option_id in ratings.items():
            evaluatee_id, dimension_id = item_of[question_id]
            counts.setdefault((evaluatee_id, dimension_id), Counter())[position[option_id]] += 1
            counts.setdefault((evaluatee_id, None), Counter())[position[option_id]] += 1
    out = {}
    for key, c in counts.items():
        valid = c[1] + c[2] + c[3]
        rate = (Decimal(c[1] + c[2]) * 100 / valid).quantize(Decimal("0.1"), ROUND_HALF_UP)
        score = (Decimal(100 * c[1] + 60 * c[2]) / valid).quantize(Decimal("0.1"), ROUND_HALF_UP)
        out[key] = {"counts": {str(p): c[p] for p in (1, 2, 3, 4) if c[p]}, "answers": valid, "excluded": c[4],
                    "rate": rate, "score": score}
    return out


def _results_page_queries(client, campaign, user) -> int:
    client.force_login(user)
    url = reverse("evaluations:campaign_results", args=[campaign.pk])
    client.get(url)  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_results_equal_an_independent_recount_of_over_500_sheets_and_the_page_query_count_is_fixed(client):
    from tests.factories import make_organizer

    world = make_world(committees=2, reps=0, stationed=1)
    small, big = world.committees
    rng = random.Random(5)
    from tests.evaluations.factories import make_reps

    counts = {}
    for committee, n in ((small, 50), (big, 520)):
        voters = make_reps(committee, n, bulk=True)
        second = make_organizer(committee)
        campaign = make_open_campaign(world, committee=committee)
        sheets = _cast_all(campaign, voters, rng, paper=12 if n > 100 else 0, changes=30 if n > 100 else 3,
                           organizers=(world.organizers[committee.pk], second))
        publish(campaign, world.organizers[committee.pk])
        expected = _recount(campaign, sheets)
        assert len(sheets) == n - (1 if n > 100 else 0)  # one paper sheet was void
        tally = Ballot.objects.get(pk=campaign.ballot_id).box_tally
        assert tally["papers"] == len(sheets) and tally["invalid"] == 0
        stored = {(r.evaluatee_id, r.dimension_id): {"counts": r.counts, "answers": r.answers, "excluded": r.excluded,
                                                     "rate": r.rate, "score": r.score}
                  for r in Result.objects.filter(campaign=campaign)}
        assert stored == expected
        campaign.refresh_from_db()
        assert campaign.turnout_voices == n and campaign.electorate_voices == n
        counts[n] = _results_page_queries(client, campaign, world.officer)
    assert counts[50] == counts[520] <= 15


def test_rate_formula_top_only_counts_only_the_highest_level():
    world = make_world(reps=6)
    campaign = make_open_campaign(world, rate_formula="top")
    for i, voter in enumerate(world.reps[campaign.committee_id]):
        services.sheet_submit(campaign=campaign, voter=voter, ratings=sheet(campaign, lambda item, i=i: 1 + i % 2),
                              comments={})
    publish(campaign, world.organizers[campaign.committee_id])
    row = Result.objects.filter(campaign=campaign, dimension=None).first()
    assert row.rate == Decimal("50.0") and row.score == Decimal("80.0")
