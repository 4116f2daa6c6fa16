"""The shapes the API answers with (pydantic, through django-ninja): what the OpenAPI schema shows."""

from datetime import datetime
from typing import Any

from django.conf import settings
from ninja import Schema


def absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url


class Problem(Schema):
    """Why a request was refused, in the reader's language (Accept-Language)."""

    detail: str


class CommitteeRef(Schema):
    id: int
    name: str
    street_id: int


class HearingOut(Schema):
    """A hearing's public notice, and its outcome once on public notice."""

    id: int
    title: str
    committee: CommitteeRef
    status: str
    background: str
    scope: str
    starts_at: datetime
    place: str
    opinion_opens_at: datetime
    opinion_closes_at: datetime
    announced_at: datetime | None
    announced_late: bool
    late_reason: str
    cancel_reason: str
    decision: str | None
    decision_reasons: str | None
    notice_started_at: datetime | None
    notice_ends_at: datetime | None
    url: str

    @staticmethod
    def resolve_decision(hearing) -> str | None:
        return hearing.decision if hearing.outcome_public else None

    @staticmethod
    def resolve_decision_reasons(hearing) -> str | None:
        return hearing.decision_reasons if hearing.outcome_public else None

    @staticmethod
    def resolve_url(hearing) -> str:
        return absolute(hearing.get_absolute_url())


def heads(value: dict) -> list[dict]:
    """Ledger heads as a list sorted by chain name (PostgreSQL's JSON keeps no order)."""
    return [{"chain": chain, **head} for chain, head in sorted((value or {}).items())]


class Head(Schema):
    chain: str
    seq: int
    hash: str


class BallotOut(Schema):
    """A published ballot: its settings, counts, verdict and the ledger heads published with it."""

    id: int
    title: str
    committee: CommitteeRef
    secrecy: str
    sealed: bool
    rule: str
    quorum: str | None
    opened_at: datetime | None
    closed_at: datetime | None
    published_at: datetime | None
    electorate_size: int | None
    electorate_area: str | None
    snapshot_hash: str
    url: str

    @staticmethod
    def resolve_sealed(ballot) -> bool:
        return ballot.is_sealed

    @staticmethod
    def resolve_quorum(ballot) -> str | None:
        return None if ballot.quorum is None else str(ballot.quorum)

    @staticmethod
    def resolve_electorate_area(ballot) -> str | None:
        return None if ballot.electorate_area is None else f"{ballot.electorate_area:.2f}"

    @staticmethod
    def resolve_url(ballot) -> str:
        return absolute(ballot.get_absolute_url())


class ExplanationLine(Schema):
    text: str
    ok: bool | None


class BallotResultOut(BallotOut):
    """The published result (``result``: counts per option, turnout, electorate) and its verdict."""

    result: dict[str, Any]
    outcome: str
    explanation: list[ExplanationLine]
    heads_at_open: list[Head]
    heads_at_close: list[Head]

    # ``published`` is what ``api.selectors.ballot_result`` read, set on the ballot by the endpoint.
    @staticmethod
    def resolve_result(ballot) -> dict:
        return ballot.published["payload"]

    @staticmethod
    def resolve_outcome(ballot) -> str:
        return ballot.published["outcome"]

    @staticmethod
    def resolve_explanation(ballot) -> list[dict]:
        return ballot.published["explanation"]

    @staticmethod
    def resolve_heads_at_open(ballot) -> list[dict]:
        return heads(ballot.heads_at_open)

    @staticmethod
    def resolve_heads_at_close(ballot) -> list[dict]:
        return heads(ballot.heads_at_close)


class AnchorOut(Schema):
    """An RFC 3161 time-stamp token over one lifecycle entry (DER, base64); none yet while pending."""

    event: str
    chain: str
    seq: int
    entry_hash: str
    gen_time: datetime | None
    token: str | None


class CampaignOut(Schema):
    id: int
    title: str
    year: int
    committee: CommitteeRef
    valid: bool | None
    published_at: datetime | None
    turnout_voices: int | None
    electorate_voices: int | None


class ResultRow(Schema):
    """One evaluatee on one dimension (or overall). Fewer than five answers: ``shown`` is false, nothing else."""

    dimension: str | None
    shown: bool
    counts: dict[str, int] | None
    rate: str | None
    score: str | None
    rank: int | None
    rank_of: int | None
    change: str | None


class EvaluateeResultOut(Schema):
    id: int
    name: str
    kind: str
    overall: ResultRow | None
    dimensions: list[ResultRow]


class CampaignResultsOut(CampaignOut):
    levels: list[str]
    evaluatees: list[EvaluateeResultOut]


class HandlerFiguresOut(Schema):
    """Requests an agency answered in the year: how many, the median days to answer, the share
    answered on time, how many were rated and the share rated satisfied (满意 or 基本满意)."""

    agency_id: int
    name: str
    kind: str
    count: int
    median_days: float | None
    on_time_pct: int | None
    rated: int
    satisfied_pct: int | None


class StreetRequestsOut(Schema):
    """Residents' requests each agency of the street handled in one year."""

    street_id: int
    year: int
    agencies: list[HandlerFiguresOut]


class HeatCell(Schema):
    committee_id: int
    rate: str | None


class HeatRow(Schema):
    name: str
    kind: str
    cells: list[HeatCell]


class StreetResultsOut(Schema):
    """Each evaluatee's overall satisfaction rate per committee of the street in one year."""

    street_id: int
    year: int | None
    years: list[int]
    committees: list[CommitteeRef]
    rows: list[HeatRow]
