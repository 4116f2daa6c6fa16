"""Published ballots: counts, verdict and its explanation, ledger heads, receipts, box hashes, time-stamps."""

import base64
from typing import Any

from django.http import Http404
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from api import selectors
from api.v1.schemas import AnchorOut, BallotOut, BallotResultOut, Problem
from decisions import bulletin
from decisions.services.box import box_list

router = Router(tags=["ballots"])


@router.get("/", response=list[BallotOut], summary="Published ballots, newest first")
@paginate(LimitOffsetPagination)
def ballot_list(request):
    return selectors.ballot_list(request.auth)


@router.get("/{int:pk}", response={200: BallotResultOut, 404: Problem},
            summary="A published ballot's result: counts, verdict, explanation, ledger heads")
def ballot_detail(request, pk: int):
    ballot = selectors.ballot_detail(request.auth, pk)
    ballot.published = selectors.ballot_result(ballot)
    return ballot


@router.get("/{int:pk}/receipts", response=list[str],
            summary="The counted receipts, sorted")
@paginate(LimitOffsetPagination)
def ballot_receipts(request, pk: int):
    return selectors.ballot_receipts(selectors.ballot_detail(request.auth, pk))


@router.get("/{int:pk}/papers", response=list[str],
            summary="The hashes of the counted sealed papers, sorted (sealed ballots; empty otherwise)")
@paginate(LimitOffsetPagination)
def ballot_papers(request, pk: int):
    ballot = selectors.ballot_detail(request.auth, pk)
    return box_list(ballot) if ballot.is_sealed else []


@router.get("/{int:pk}/anchors", response=list[AnchorOut],
            summary="RFC 3161 time-stamp tokens of the ballot's lifecycle entries")
@paginate(LimitOffsetPagination)
def ballot_anchors(request, pk: int):
    ballot = selectors.ballot_detail(request.auth, pk)
    return [{"event": a.event, "chain": a.chain, "seq": a.seq, "entry_hash": a.entry_hash, "gen_time": a.gen_time,
             "token": base64.b64encode(bytes(a.token)).decode() if a.token is not None else None}
            for a in selectors.ballot_anchors(ballot)]


@router.get("/{int:pk}/bulletin", response={200: dict[str, Any], 404: Problem},
            summary="The ballot's bulletin: everything needed to re-check it (docs/BULLETIN.md)")
def ballot_bulletin(request, pk: int):
    ballot = selectors.ballot_detail(request.auth, pk)
    try:
        return bulletin.bulletin_for(ballot)
    except bulletin.NotPublished as error:
        raise Http404 from error
