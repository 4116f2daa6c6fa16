"""Reads of the evaluations app: small result tables, never the papers (except the turnout count)."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from casework import selectors as casework_selectors
from decisions import frozen
from decisions import selectors as core_selectors
from decisions.models import Participation, Scrutineer, Voice
from evaluations.models import (
    MIN_ANSWERS,
    Campaign,
    Comment,
    Evaluatee,
    EvaluateeKind,
    Level,
    Rectification,
    Result,
    SheetItem,
)
from members.models import Agency, Committee, Role, Street, User

# --- Lists ---------------------------------------------------------------------------------


def committee_campaigns(committee: Committee) -> QuerySet[Campaign]:
    return (Campaign.objects.filter(committee=committee).select_related("committee", "launch")
            .annotate(evaluatee_count=Count("evaluatees", distinct=True)).order_by("-year", "-created_at"))


def street_campaigns(street: Street, year: int | None = None) -> QuerySet[Campaign]:
    qs = (Campaign.objects.filter(committee__street=street).select_related("committee", "launch")
          .annotate(evaluatee_count=Count("evaluatees", distinct=True)).order_by("-year", "committee__name"))
    return qs.filter(year=year) if year else qs


def street_rectifications(street: Street) -> QuerySet[Rectification]:
    return (Rectification.objects.filter(campaign__committee__street=street)
            .select_related("campaign__committee", "agency", "evaluatee").order_by("due_on", "pk"))


def turnout(campaign: Campaign) -> dict | None:
    """Evaluators who took part (all channels) over those entitled: the only figure shown before results."""
    if campaign.ballot_id is None:
        return None
    if campaign.status == Campaign.Status.PUBLISHED:
        took, entitled = campaign.turnout_voices or 0, campaign.electorate_voices or 0
    else:
        t = core_selectors.turnout(campaign.ballot)
        took, entitled = t.voices, t.electorate
    share = (Decimal(took) * 100 / entitled).quantize(Decimal("0.1"), ROUND_HALF_UP) if entitled else Decimal(0)
    return {"voices": took, "electorate": entitled, "share": share}


# --- The sealed ballot box -----------------------------------------------------------------

SCRUTINEER_KINDS = (Role.Kind.ORGANIZER, Role.Kind.RESIDENT_REPRESENTATIVE, Role.Kind.STREET_OFFICER)


def scrutineer_candidates(committee: Committee) -> list[tuple[str, list[User]]]:
    """Who may be named a scrutineer, by role: the committee's organizers, its resident
    representatives and its street's officers (the usual three: one of each, any two open the box).
    Each person once, under the first of these roles they hold."""
    roles = (Role.objects.filter(Q(kind__in=SCRUTINEER_KINDS[:2], committee=committee)
                                 | Q(kind=Role.Kind.STREET_OFFICER, street_id=committee.street_id))
             .select_related("user").order_by("user__full_name", "user_id"))
    groups: dict[str, list[User]] = {kind: [] for kind in SCRUTINEER_KINDS}
    seen: dict[int, str] = {}
    for role in sorted(roles, key=lambda r: SCRUTINEER_KINDS.index(r.kind)):
        if role.user_id not in seen:
            seen[role.user_id] = role.kind
            groups[role.kind].append(role.user)
    return [(str(Role.Kind(kind).label), users) for kind, users in groups.items() if users]


@dataclass
class BoxState:
    scrutineers: list[Scrutineer]
    threshold: int | None
    mine: Scrutineer | None
    presented: int
    still_needed: int


def box_state(campaign: Campaign, user: User) -> BoxState | None:
    """The campaign's ballot box as its pages show it: who holds a card, who has presented it (one query)."""
    if campaign.ballot_id is None:
        return None
    ballot = campaign.ballot
    named = list(ballot.scrutineers.select_related("user").order_by("position"))
    presented = sum(1 for s in named if s.presented_at)
    return BoxState(scrutineers=named, threshold=ballot.box_threshold,
                    mine=next((s for s in named if s.user_id == getattr(user, "pk", None)), None),
                    presented=presented, still_needed=max(0, (ballot.box_threshold or 1) - presented))


# --- The sheet -----------------------------------------------------------------------------

@dataclass(frozen=True)
class SheetBlock:
    evaluatee: Evaluatee
    items: list[SheetItem] = field(default_factory=list)


def sheet_blocks(campaign: Campaign) -> list[SheetBlock]:
    """The sheet: per evaluatee, its questions (with options) in order."""
    ballot = campaign.ballot if campaign.ballot_id else None
    opening = (frozen.opening(ballot.pk, ballot.opened_at, ballot.box_key)
               if ballot is not None and campaign.status == Campaign.Status.OPEN else None)
    return sheet_of(campaign.pk, opening)


def sheet_of(campaign_id: int, opening: frozen.Opening | None) -> list[SheetBlock]:
    """The sheet of the campaign; ``opening``: its ballot's (``frozen.opening``) while the campaign is open.

    An open evaluation's sheet is frozen with its ballot: each process builds it once per opening,
    since every evaluator's sheet page and hand-in read it. The blocks returned are then shared:
    read them, never change them.
    """
    blocks = _sheets.get((campaign_id, opening)) if opening else None
    if blocks is None:
        blocks = _sheet_blocks(campaign_id)
        if opening:
            _sheets.put((campaign_id, opening), blocks)
    return blocks


_sheets = frozen.Frozen(size=64)


def _sheet_blocks(campaign_id: int) -> list[SheetBlock]:
    items = (SheetItem.objects.filter(campaign_id=campaign_id)
             .select_related("evaluatee", "dimension", "question")
             .prefetch_related("question__options").order_by("evaluatee__position", "dimension__position"))
    blocks: dict[int, SheetBlock] = {}
    for item in items:
        blocks.setdefault(item.evaluatee_id, SheetBlock(item.evaluatee)).items.append(item)
    return list(blocks.values())


@dataclass(frozen=True)
class SheetLine:
    """One question of a sheet under review: its dimension, and the level chosen (None: not yet rated)."""
    item: SheetItem
    choice: object | None


@dataclass(frozen=True)
class SheetScreen:
    """One evaluatee's screen of a sheet being filled in (1-based ``number``), as the answers so far stand."""
    number: int
    block: SheetBlock
    lines: list[SheetLine]
    comment: str

    @property
    def missing(self) -> int:
        return sum(1 for line in self.lines if line.choice is None)


def sheet_screens(blocks: list[SheetBlock], answers) -> list[SheetScreen]:
    """The sheet screen by screen, with the answers so far (``answers``: the form's data, ``q<question id>``
    and ``c<evaluatee id>``): a level counts only if it is one of its question's own, so a garbled or
    foreign value shows as not yet rated. Reads nothing from the database: the blocks carry the levels."""
    screens = []
    for number, block in enumerate(blocks, start=1):
        lines = []
        for item in block.items:
            given = str(answers.get(f"q{item.question_id}", "") or "")
            lines.append(SheetLine(item, next((o for o in item.question.options.all() if str(o.pk) == given), None)))
        screens.append(SheetScreen(number, block, lines, str(answers.get(f"c{block.evaluatee.pk}", "") or "").strip()))
    return screens


def my_voice(campaign: Campaign, user: User) -> tuple[Voice | None, list[Participation]]:
    if campaign.ballot_id is None:
        return None, []
    return core_selectors.voice_history(campaign.ballot, user)


# --- Results -------------------------------------------------------------------------------

@dataclass
class EvaluateeResult:
    evaluatee: Evaluatee
    overall: Result | None
    dimensions: list[Result]
    comments: list[tuple[str, int]]
    rectification: Rectification | None = None
    last_year: Rectification | None = None


def result_levels(campaign: Campaign) -> list[Level]:
    return list(campaign.levels.order_by("position"))


def campaign_results(campaign: Campaign) -> list[EvaluateeResult]:
    """Per evaluatee: overall and per-dimension rows, the comment digest, this and last year's plan.

    A fixed number of queries whatever the number of sheets: it reads the result rows only.
    """
    rows = list(Result.objects.filter(campaign=campaign).select_related("dimension")
                .order_by("evaluatee__position", "dimension__position"))
    evaluatees = list(campaign.evaluatees.order_by("position").select_related("agency"))
    by_evaluatee: dict[int, list[Result]] = defaultdict(list)
    for row in rows:
        by_evaluatee[row.evaluatee_id].append(row)
    digest: dict[int, Counter] = defaultdict(Counter)
    for evaluatee_id, text in Comment.objects.filter(campaign=campaign).values_list("evaluatee_id", "text"):
        digest[evaluatee_id][text] += 1
    tasks = {t.evaluatee_id: t for t in Rectification.objects.filter(campaign=campaign)}
    last = {t.agency_id: t for t in Rectification.objects.filter(
        campaign__committee_id=campaign.committee_id, campaign__year=campaign.year - 1)}
    out = []
    for evaluatee in evaluatees:
        mine = by_evaluatee.get(evaluatee.pk, [])
        overall = next((r for r in mine if r.dimension_id is None), None)
        shown = overall is not None and overall.answers >= MIN_ANSWERS
        # Identical comments are merged with a count; the digest is in text order, which says nothing of who.
        comments = sorted(digest[evaluatee.pk].items()) if shown else []
        out.append(EvaluateeResult(evaluatee, overall, [r for r in mine if r.dimension_id is not None], comments,
                                   tasks.get(evaluatee.pk), last.get(evaluatee.agency_id)))
    return out


def agency_results(agency_ids: set[int]) -> list[Result]:
    """Published overall and per-dimension rows of these agencies, newest campaign first."""
    return list(Result.objects.filter(evaluatee__agency_id__in=agency_ids, campaign__status=Campaign.Status.PUBLISHED)
                .select_related("campaign__committee", "evaluatee__agency", "dimension")
                .order_by("-campaign__year", "campaign__committee__name", "evaluatee__position",
                          "dimension__position"))


def agency_rectifications(agency_ids: set[int]) -> QuerySet[Rectification]:
    return (Rectification.objects.filter(agency_id__in=agency_ids)
            .select_related("campaign__committee", "agency", "evaluatee")
            .order_by("-campaign__year", "due_on", "pk"))


# --- Street dashboard -------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    year: int | None
    kind: str = ""
    committee: int | None = None


def street_years(street: Street) -> list[int]:
    return sorted(set(Campaign.objects.filter(committee__street=street, status=Campaign.Status.PUBLISHED)
                      .values_list("year", flat=True)), reverse=True)


def _rows(street: Street, f: Filters, *, year: int | None = None, overall: bool | None = None) -> QuerySet[Result]:
    qs = Result.objects.filter(campaign__committee__street=street, campaign__status=Campaign.Status.PUBLISHED,
                               campaign__valid=True)
    if year is not None:
        qs = qs.filter(campaign__year=year)
    if f.kind:
        qs = qs.filter(evaluatee__kind=f.kind)
    if f.committee:
        qs = qs.filter(campaign__committee_id=f.committee)
    if overall is not None:
        qs = qs.filter(dimension__isnull=overall)
    return qs


def _pct(satisfied: int, answers: int) -> Decimal | None:
    if answers < MIN_ANSWERS:
        return None
    return (Decimal(satisfied) * 100 / answers).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _key(agency_id: int | None, kind: str, name: str) -> tuple:
    # The committee itself is a different evaluatee in every committee: one row "the committee" for all.
    return (kind, agency_id) if agency_id else (kind, 0)


def heatmap(street: Street, f: Filters) -> dict:
    """Rows: evaluatees (by agency); columns: committees; cells: overall satisfaction rate (None if hidden)."""
    committees = list(Committee.objects.filter(street=street).order_by("name"))
    if f.committee:
        committees = [c for c in committees if c.pk == f.committee]
    cells: dict[tuple, dict[int, Result]] = defaultdict(dict)
    names: dict[tuple, tuple[str, str]] = {}
    for row in (_rows(street, f, year=f.year, overall=True)
                .select_related("evaluatee", "campaign").order_by("evaluatee__kind", "evaluatee__name")):
        key = _key(row.evaluatee.agency_id, row.evaluatee.kind, row.evaluatee.name)
        names.setdefault(key, (row.evaluatee.name if row.evaluatee.agency_id else "",
                               row.evaluatee.get_kind_display()))
        cells[key][row.campaign.committee_id] = row
    order = sorted(names, key=lambda k: (list(EvaluateeKind.values).index(k[0]), names[k][0]))
    table = []
    for key in order:
        line = []
        for committee in committees:
            row = cells[key].get(committee.pk)
            rate = row.rate if row is not None and row.answers >= MIN_ANSWERS else None
            line.append({"rate": rate, "band": band(rate), "answers": row.answers if row else 0})
        table.append({"name": names[key][0], "kind": names[key][1], "cells": line})
    return {"committees": committees, "rows": table}


def band(rate: Decimal | None) -> str:
    """A CSS class for a heat-map cell; the number is always printed too (colour is never the only cue)."""
    if rate is None:
        return "heat-none"
    return "heat-4" if rate >= 95 else "heat-3" if rate >= 85 else "heat-2" if rate >= 70 else "heat-1"


def bars(street: Street, f: Filters) -> dict:
    """Labels: evaluatees; one series per dimension name; values: pooled satisfaction rate (None if hidden)."""
    pooled: dict[tuple, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    names: dict[tuple, str] = {}
    dimension_names: list[str] = []
    for agency_id, kind, name, dimension, satisfied, answers in (
            _rows(street, f, year=f.year, overall=False)
            .order_by("evaluatee__kind", "evaluatee__name", "dimension__position")
            .values_list("evaluatee__agency_id", "evaluatee__kind", "evaluatee__name", "dimension__name",
                         "satisfied", "answers")):
        key = _key(agency_id, kind, name)
        names.setdefault(key, name if agency_id else str(EvaluateeKind(kind).label))
        if dimension not in dimension_names:
            dimension_names.append(dimension)
        pooled[key][dimension][0] += satisfied
        pooled[key][dimension][1] += answers
    order = sorted(names, key=lambda k: (list(EvaluateeKind.values).index(k[0]), names[k]))
    return {"labels": [names[k] for k in order], "series": dimension_names,
            "data": [[_pct(*pooled[k][d]) if d in pooled[k] else None for k in order] for d in dimension_names]}


def trend(street: Street, f: Filters) -> dict:
    """Labels: years; one series per evaluatee kind (or per evaluatee once a kind is chosen): pooled rate."""
    pooled: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    years: set[int] = set()
    for year, agency_id, kind, name, satisfied, answers in (
            _rows(street, f, overall=True).order_by("campaign__year")
            .values_list("campaign__year", "evaluatee__agency_id", "evaluatee__kind", "evaluatee__name",
                         "satisfied", "answers")):
        series = (name if agency_id else str(EvaluateeKind(kind).label)) if f.kind else str(EvaluateeKind(kind).label)
        years.add(year)
        pooled[series][year][0] += satisfied
        pooled[series][year][1] += answers
    labels = sorted(years)
    series = sorted(pooled)
    return {"labels": labels, "series": series,
            "data": [[_pct(*pooled[s][y]) if y in pooled[s] else None for y in labels] for s in series]}


def overdue(tasks: list[Rectification]) -> list[Rectification]:
    today = timezone.localdate()
    return [t for t in tasks if t.is_overdue(today)]


# --- Exports -------------------------------------------------------------------------------

def export_rows(campaigns: list[Campaign], agency_id: int | None = None) -> list[Result]:
    qs = (Result.objects.filter(campaign__in=campaigns).select_related("campaign__committee", "evaluatee__agency",
                                                                        "dimension")
          .order_by("campaign__committee__name", "evaluatee__position", "dimension__position"))
    return list(qs.filter(evaluatee__agency_id=agency_id) if agency_id else qs)


def waiting_sheets(user: User) -> QuerySet[Campaign]:
    """Open campaigns where ``user`` holds a voice that has not been used yet (two queries at most)."""
    voices = Voice.objects.filter(ballot=OuterRef("ballot"), holders__user=user)
    used = Participation.objects.filter(voice__ballot=OuterRef("ballot"), voice__holders__user=user)
    return (Campaign.objects.filter(status=Campaign.Status.OPEN).filter(Exists(voices)).exclude(Exists(used))
            .select_related("committee"))




# --- Residents' requests, beside the ratings ---------------------------------------------------

AGENCY_KIND_TO_EVALUATEE = {**{kind: EvaluateeKind.STATIONED for kind in Agency.STATIONED_KINDS},
                            Agency.Kind.PROPERTY_FIRM: EvaluateeKind.PROPERTY_FIRM,
                            Agency.Kind.WORK_STATION: EvaluateeKind.WORK_STATION}


def casework_rows(street: Street, f: Filters, year: int) -> list[dict]:
    """Per agency of the street, the residents' requests it handled in ``year``: computed by casework from
    its records, never typed in (two queries)."""
    agencies = [a for a in Agency.objects.filter(street=street).order_by("kind", "name")
                if not f.kind or AGENCY_KIND_TO_EVALUATEE.get(a.kind) == f.kind]
    figures = casework_selectors.handler_figures([a.pk for a in agencies], year, committee_id=f.committee)
    return [{"agency": a, "figures": figures.get(a.pk)} for a in agencies]


def sheet_casework_figures(campaign: Campaign) -> dict[int, "casework_selectors.Figures"]:
    """The figures shown as context on an evaluation sheet: the campaign's year, its committee only (one query)."""
    agency_ids = campaign.evaluatees.filter(agency__isnull=False).values_list("agency_id", flat=True)
    return casework_selectors.handler_figures(list(agency_ids), campaign.year, committee_id=campaign.committee_id)
