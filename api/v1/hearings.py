"""Public hearings: the notice, and the committee's decision with its reasons once on public notice."""

from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from api import selectors
from api.v1.schemas import HearingOut, Problem

router = Router(tags=["hearings"])


@router.get("/", response=list[HearingOut], summary="Public hearings, newest first")
@paginate(LimitOffsetPagination)
def hearing_list(request):
    return selectors.hearing_list(request.auth)


@router.get("/{int:pk}", response={200: HearingOut, 404: Problem}, summary="One public hearing")
def hearing_detail(request, pk: int):
    return selectors.hearing_detail(request.auth, pk)
