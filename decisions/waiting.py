"""Ballots waiting for a person's vote, for the home page (see ``members.waiting``).

A ballot waits while it is open and the voice this person holds has not taken part in any
channel: a vote online, a confirmed paper sheet, an assisted vote, or another member of the
household voting for it. A ballot whose subject presents it (a party topic, a floor
consultation, an evaluation) is listed by the subject's own app instead.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from decisions import selectors
from decisions.models import Ballot
from decisions.services.ballots import presented_by_subject
from members.waiting import WaitingItem


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
    return ballot_items_for(user)
