"""Reads of the api app: tokens and their log, who a request reads as, and what the API serves.

What the API serves is what a page shows the same reader, asked of the same selectors and
permission functions: anonymous visitors without a token; with a token, an officer of the token's
street who holds no other role (``members.permissions.street_reader``), and only that street's data.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Max, QuerySet
from django.http import Http404

from api import tokens
from api.models import ApiRequest, ApiToken
from decisions import selectors as ballots
from decisions import subjects
from decisions.models import Anchor, Ballot
from decisions.permissions import ballot_for_viewer_or_404
from evaluations import selectors as evaluations
from evaluations.models import Campaign
from evaluations.permissions import campaign_for_viewer_or_404
from hearings import selectors as hearings
from hearings.models import Hearing
from members.models import Street
from members.permissions import street_for_officer_or_404, street_reader

# --- Tokens ----------------------------------------------------------------------------------


def token_for(raw: str) -> ApiToken | None:
    """The token a request sent, found by its prefix and checked against its hash; None if it is none.

    A revoked or expired token is returned too: the caller refuses it, and logs the attempt.
    """
    parts = tokens.split(raw)
    if parts is None:
        return None
    prefix, secret = parts
    token = ApiToken.objects.select_related("street").filter(prefix=prefix).first()
    if token is None or not tokens.matches(secret, token.secret_hash):
        return None
    return token


def street_tokens(street: Street) -> QuerySet[ApiToken]:
    """A street's tokens, newest first, with when each was last used (from the log)."""
    return (ApiToken.objects.filter(street=street).select_related("created_by", "revoked_by")
            .annotate(last_used=Max("requests__at")).order_by("-created_at", "-pk"))


def street_token(street: Street, pk: int) -> ApiToken | None:
    """One token of this street only (None for another street's)."""
    return ApiToken.objects.filter(street=street, pk=pk).select_related("street").first()


def street_requests(street: Street) -> QuerySet[ApiRequest]:
    """What the street's tokens read, newest first."""
    return (ApiRequest.objects.filter(token__street=street).select_related("token")
            .order_by("-at", "-pk"))


# --- Who reads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """Who a request reads as: anonymous (no token) or the officer of a token's street."""

    token: ApiToken | None = None
    user: object = field(default_factory=AnonymousUser)

    @classmethod
    def of(cls, token: ApiToken | None) -> "Reader":
        return cls() if token is None else cls(token=token, user=street_reader(token.street))

    @property
    def street_id(self) -> int | None:
        return self.token.street_id if self.token else None


def _signed_in_only(reader: Reader) -> None:
    # Ballot and evaluation pages ask visitors to sign in first: an anonymous reader gets nothing.
    if reader.token is None:
        raise Http404


def _in_street(reader: Reader, street_id: int) -> None:
    # A token reads its own street only; anonymous readers are held by the pages' rules alone.
    if reader.token is not None and street_id != reader.street_id:
        raise Http404


# --- Hearings ---------------------------------------------------------------------------------


def hearing_list(reader: Reader) -> QuerySet[Hearing]:
    """Public hearings (anyone may read them), of the token's street when there is a token."""
    qs = hearings.public_hearings()
    return qs.filter(committee__street_id=reader.street_id) if reader.token else qs


def hearing_detail(reader: Reader, pk: int) -> Hearing:
    hearing = hearings.hearing_for_page(pk)
    if hearing is None or not hearings.may_see_hearing(reader.user, hearing):
        raise Http404
    _in_street(reader, hearing.committee.street_id)
    return hearing


# --- Ballots ----------------------------------------------------------------------------------


def _result_visible(reader: Reader, ballot: Ballot) -> bool:
    return (ballot.status == Ballot.Status.PUBLISHED and ballots.can_view(reader.user, ballot)
            and ballots.can_see_result(reader.user, ballot))


def ballot_list(reader: Reader) -> QuerySet[Ballot]:
    """Published ballots of the token's street whose results the core's pages show, newest first.

    Ballot pages are for signed-in people, so without a token there are none. The filter is the
    pages' rules as they answer a street's officer: ``can_view`` (an officer of the ballot's street),
    ``can_see_result`` (published, results shown by the core) and a subject that narrows nothing
    (``subjects.self_presented_types``); ``tests/api`` checks each listed ballot against them.
    """
    if reader.token is None:
        return Ballot.objects.none()
    return (Ballot.objects.filter(status=Ballot.Status.PUBLISHED, committee__street_id=reader.street_id)
            .exclude(subject_type__in=subjects.self_presented_types())
            .select_related("committee__street").order_by("-published_at", "-pk"))


def ballot_detail(reader: Reader, pk: int) -> Ballot:
    """A published ballot whose result the reader's pages show; 404 otherwise (foreign ids leak nothing)."""
    _signed_in_only(reader)
    ballot = ballot_for_viewer_or_404(reader.user, pk)
    _in_street(reader, ballot.committee.street_id)
    if not _result_visible(reader, ballot):
        raise Http404
    return ballot


def ballot_result(ballot: Ballot) -> dict:
    """The result stored at publication (recounted by verify_audit), with the verdict's explanation."""
    payload = ballot.result or ballots.result_payload(ballot)
    verdict = ballots.verdict(ballot, payload)
    return {"payload": payload, "outcome": verdict.outcome.value,
            "explanation": [{"text": line.text, "ok": line.ok} for line in verdict.lines]}


def ballot_receipts(ballot: Ballot) -> list[str]:
    return ballots.counted_receipts(ballot)


def ballot_anchors(ballot: Ballot) -> QuerySet[Anchor]:
    return Anchor.objects.filter(ballot=ballot).order_by("chain", "seq")


# --- Evaluations ------------------------------------------------------------------------------


def campaign_list(reader: Reader) -> QuerySet[Campaign]:
    """Published campaigns of the token's street (evaluation pages are for signed-in people only)."""
    if reader.token is None:
        return Campaign.objects.none()
    return (evaluations.street_campaigns(reader.token.street).filter(status=Campaign.Status.PUBLISHED)
            .order_by("-year", "committee__name", "pk"))


def campaign_detail(reader: Reader, pk: int) -> Campaign:
    _signed_in_only(reader)
    campaign = campaign_for_viewer_or_404(reader.user, pk)
    _in_street(reader, campaign.committee.street_id)
    if campaign.status != Campaign.Status.PUBLISHED:
        raise Http404
    return campaign


def campaign_results(campaign: Campaign) -> list:
    return evaluations.campaign_results(campaign)


def campaign_levels(campaign: Campaign) -> list:
    return evaluations.result_levels(campaign)


def street_for(reader: Reader, pk: int) -> Street:
    """The street, if the reader sees its dashboard (its officers: the token of that street only)."""
    return street_for_officer_or_404(reader.user, pk)


def street_casework(street: Street, year: int) -> list[dict]:
    """The dashboard's residents' request figures: per agency of the street, the requests it answered
    in ``year`` (counted by casework from its records)."""
    return evaluations.casework_rows(street, evaluations.Filters(year=year), year)


def street_results(street: Street, year: int | None) -> dict:
    """The dashboard's heat map: each evaluatee's overall rate per committee, hidden below five answers."""
    years = evaluations.street_years(street)
    year = year if year is not None else (years[0] if years else None)
    return {"year": year, "years": years,
            "heatmap": evaluations.heatmap(street, evaluations.Filters(year=year))}
