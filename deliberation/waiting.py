"""Ballots waiting for a person's vote, for the home page (see ``members.waiting``).

A ballot waits while it is open and the voice this person holds has not taken part in any
channel: a vote online, a confirmed paper sheet, an assisted vote, or another member of the
household voting for it. Party topics and floor consultations add their own items through
``deliberation.waiting_party`` when that module is present.
"""

from __future__ import annotations

import importlib

from django.utils.translation import gettext as _

from deliberation import selectors
from deliberation.models import Ballot
from deliberation.services.ballots import presented_by_subject
from members.waiting import WaitingItem

_PARTY = "deliberation.waiting_party"


def _party_module():
    try:
        return importlib.import_module(_PARTY)
    except ModuleNotFoundError as error:
        if error.name != _PARTY:
            raise
        return None


def _place(ballot: Ballot) -> str:
    if ballot.building_id:
        return f"{ballot.committee.name} · {ballot.building.compound.name} {ballot.building.name}"
    if ballot.compound_id:
        return f"{ballot.committee.name} · {ballot.compound.name}"
    return ballot.committee.name


def _listed_by_subject(ballot: Ballot) -> bool:
    """Party votes, floor consultations and evaluation sheets are listed by their own app, once."""
    return presented_by_subject(ballot)


def ballot_items_for(user) -> list[WaitingItem]:
    """Open ballots on which ``user`` holds a voice that has not been used yet (three queries)."""
    items, seen = [], set()
    for voice in selectors.my_voices(user).filter(ballot__status=Ballot.Status.OPEN):
        ballot = voice.ballot
        if voice.all_versions or ballot.pk in seen or _listed_by_subject(ballot):
            continue
        seen.add(ballot.pk)
        items.append(WaitingItem(kind="vote", title=ballot.title, action=_("Vote"),
                                 url=f"{ballot.get_absolute_url()}#vote", due=ballot.closes_at,
                                 place=_place(ballot)))
    return items


def items_for(user) -> list[WaitingItem]:
    items = ballot_items_for(user)
    party = _party_module()
    if party is not None:
        items.extend(party.items_for(user))
    return items
