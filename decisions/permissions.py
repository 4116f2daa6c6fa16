"""Who may see and act on a ballot. Always decided on the ballot's own committee.

Views fetch the ballot by its id and then check the user against ``ballot.committee`` (never a
committee id taken from the request), and answer 404 rather than 403 so foreign ids leak nothing.
"""

from django.http import Http404

from decisions import selectors, subjects
from decisions.models import Ballot
from members.models import Role, User
from members.permissions import can_manage_committee, roles_of


def _ballot_or_404(pk: int, user: User) -> Ballot:
    ballot = selectors.ballot_for_page(pk)
    # The subject may narrow who sees it (a party vote: the party members; a floor's: the building).
    if ballot is None or not subjects.of(ballot).may_see_ballot(user, ballot):
        raise Http404
    return ballot


def ballot_for_viewer_or_404(user: User, pk: int) -> Ballot:
    """The ballot if ``user`` may read it; drafts only for its organizers."""
    ballot = _ballot_or_404(pk, user)
    if can_manage_committee(user, ballot.committee):
        return ballot
    if ballot.status == Ballot.Status.DRAFT or not selectors.can_view(user, ballot):
        raise Http404
    return ballot


def ballot_for_organizer_or_404(user: User, pk: int) -> Ballot:
    """The ballot if ``user`` organizes its committee."""
    ballot = _ballot_or_404(pk, user)
    if not can_manage_committee(user, ballot.committee):
        raise Http404
    return ballot


def assisted_buildings(user: User, ballot: Ballot) -> list[int] | None:
    """Buildings whose residents ``user`` may help to vote: None means all (an organizer), [] none."""
    if can_manage_committee(user, ballot.committee):
        return None
    buildings = [r.building for r in roles_of(user)
                 if r.kind == Role.Kind.FLOOR_LEADER and r.building is not None
                 and r.building.compound.committee_id == ballot.committee_id]
    # A ballot limited to one building or compound: only the floor leaders there.
    if ballot.building_id:
        buildings = [b for b in buildings if b.pk == ballot.building_id]
    elif ballot.compound_id:
        buildings = [b for b in buildings if b.compound_id == ballot.compound_id]
    return [b.pk for b in buildings]


def can_assist(user: User, ballot: Ballot) -> bool:
    buildings = assisted_buildings(user, ballot)
    return buildings is None or bool(buildings)


def ballot_for_assistant_or_404(user: User, pk: int) -> tuple[Ballot, list[int] | None]:
    """The ballot and the buildings ``user`` may enter assisted votes for (organizers: None, all)."""
    ballot = _ballot_or_404(pk, user)
    buildings = assisted_buildings(user, ballot)
    if buildings is not None and not buildings:
        raise Http404
    return ballot, buildings
