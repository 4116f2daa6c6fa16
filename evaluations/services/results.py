"""Turn the core's published tally into small result rows, once, at publication.

Pages, exports and the street dashboard read these rows (a few hundred per street and year)
instead of recounting hundreds of thousands of papers on every request.
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from evaluations.models import Campaign, Level, Result, SheetItem

ONE_PLACE = Decimal("0.1")


def _q(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def rate_of(counts: dict[int, int], levels: list[Level], formula: str) -> dict:
    """Numbers of one row from answers per level position: pure, shared with the independent recount."""
    counted = [lv for lv in levels if not lv.excluded]
    answers = sum(counts.get(lv.position, 0) for lv in counted)
    excluded = sum(counts.get(lv.position, 0) for lv in levels if lv.excluded)
    if formula == Campaign.RateFormula.TOP_ONLY:
        top = max(lv.weight for lv in counted)
        satisfied_levels = [lv for lv in counted if lv.weight == top]
    else:
        satisfied_levels = [lv for lv in counted if lv.weight > 0]
    satisfied = sum(counts.get(lv.position, 0) for lv in satisfied_levels)
    bottom = sum(counts.get(lv.position, 0) for lv in counted if lv.weight <= 0)
    if not answers:
        return {"answers": 0, "excluded": excluded, "satisfied": 0, "rate": None, "dissatisfaction": None,
                "score": None}
    score = sum(lv.weight * counts.get(lv.position, 0) for lv in counted) / answers
    return {"answers": answers, "excluded": excluded, "satisfied": satisfied,
            "rate": _q(Decimal(satisfied) * 100 / answers), "dissatisfaction": _q(Decimal(bottom) * 100 / answers),
            "score": _q(score)}


def _rank(rows: list[Result]) -> None:
    """Competition ranking (1, 1, 3) by rate, then score, among rows of one kind and dimension."""
    ranked = sorted((r for r in rows if r.rate is not None), key=lambda r: (-r.rate, -r.score))
    for i, row in enumerate(ranked):
        prev = ranked[i - 1] if i else None
        row.rank = prev.rank if prev and (prev.rate, prev.score) == (row.rate, row.score) else i + 1
        row.rank_of = len(ranked)


@transaction.atomic
def results_compute(*, campaign: Campaign) -> list[Result]:
    """Write the result rows of a published campaign from its ballot's stored result (idempotent)."""
    payload = campaign.ballot.result
    levels = list(campaign.levels.order_by("position"))
    by_question = {q["id"]: q for q in payload["questions"]}
    items = list(SheetItem.objects.filter(campaign=campaign).select_related("evaluatee", "dimension"))
    per_item: dict[tuple[int, int | None], dict[int, int]] = {}
    overall: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for item in items:
        # Options were created in the order of the levels: the n-th option is the level at position n.
        options = by_question[item.question_id]["options"]
        counts = {levels[i].position: option["count"] for i, option in enumerate(options)}
        per_item[(item.evaluatee_id, item.dimension_id)] = counts
        for position, n in counts.items():
            overall[item.evaluatee_id][position] += n
    evaluatees = {item.evaluatee_id: item.evaluatee for item in items}
    dimensions = {item.dimension_id: item.dimension for item in items}
    previous = _previous_rates(campaign)
    Result.objects.filter(campaign=campaign).delete()
    rows = []
    for (evaluatee_id, dimension_id), counts in list(per_item.items()) + [((e, None), c) for e, c in overall.items()]:
        numbers = rate_of(counts, levels, campaign.rate_formula)
        evaluatee, dimension = evaluatees[evaluatee_id], dimensions.get(dimension_id)
        key = (evaluatee.agency_id, dimension.name if dimension else None)
        prev = previous.get(key)
        rows.append(Result(
            campaign=campaign, evaluatee=evaluatee, dimension=dimension,
            counts={str(p): n for p, n in sorted(counts.items())}, answers=numbers["answers"],
            excluded=numbers["excluded"], satisfied=numbers["satisfied"], rate=numbers["rate"],
            dissatisfaction=numbers["dissatisfaction"], score=numbers["score"], previous_rate=prev,
            change=(numbers["rate"] - prev) if prev is not None and numbers["rate"] is not None else None))
    groups: dict[tuple[str, str | None], list[Result]] = defaultdict(list)
    for row in rows:
        groups[(row.evaluatee.kind, row.dimension.name if row.dimension else None)].append(row)
    for group in groups.values():
        _rank(group)
    return Result.objects.bulk_create(rows)


def _previous_rates(campaign: Campaign) -> dict[tuple[int | None, str | None], Decimal]:
    """Last year's published rates of this committee, by (agency or None for the committee, dimension name)."""
    rows = (Result.objects.filter(campaign__committee=campaign.committee, campaign__year=campaign.year - 1,
                                  campaign__status=Campaign.Status.PUBLISHED, rate__isnull=False)
            .values_list("evaluatee__agency_id", "dimension__name", "rate"))
    return {(agency_id, name): rate for agency_id, name, rate in rows}
