"""Ballots for the home page (see ``members.waiting``).

A ballot waits while it is open and the voice this person holds has not taken part in any
channel: a vote online, a confirmed paper sheet, an assisted vote, or another member of the
household voting for it. Once this person has voted it stays, as done, while they may still change
the vote (``change_refusal``, the rule the casting service applies), until it closes. A published
result of a ballot they could vote on is information for a while after publication. A ballot whose
subject presents it (a party topic, a floor consultation, an evaluation) is listed by the subject's
own app instead.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from decisions import selectors
from decisions.models import Ballot, Channel
from decisions.services.ballots import presented_by_subject
from decisions.services.casting import change_refusal
from members.waiting import WaitingItem

# A published result stays on the home page this long.
RESULT_SHOWN_FOR = timedelta(days=14)


def _place(ballot: Ballot) -> str:
    if ballot.building_id:
        return f"{ballot.committee.name} · {ballot.building.compound.name} {ballot.building.name}"
    if ballot.compound_id:
        return f"{ballot.committee.name} · {ballot.compound.name}"
    return ballot.committee.name


def ballot_items_for(user) -> list[WaitingItem]:
    """Open ballots to vote on or to change a vote on, and recent results (three queries)."""
    items, seen = [], set()
    recent = timezone.now() - RESULT_SHOWN_FOR
    voices = selectors.my_voices(user).filter(
        Q(ballot__status=Ballot.Status.OPEN)
        | Q(ballot__status=Ballot.Status.PUBLISHED, ballot__published_at__gte=recent))
    for voice in voices:
        ballot = voice.ballot
        if ballot.pk in seen or presented_by_subject(ballot):
            continue
        seen.add(ballot.pk)
        if ballot.status == Ballot.Status.PUBLISHED:
            items.append(WaitingItem(kind="result", title=ballot.title, action=_("The result is published: see it"),
                                     url=reverse("decisions:ballot_results", args=[ballot.pk]),
                                     place=_place(ballot), info=True, at=ballot.published_at))
        elif not voice.all_versions:
            items.append(WaitingItem(kind="vote", title=ballot.title, action=_("Vote"),
                                     url=f"{ballot.get_absolute_url()}#vote", due=ballot.closes_at,
                                     place=_place(ballot)))
        elif change_refusal(ballot, voice.all_versions[0], voter_id=user.pk, channel=Channel.ONLINE) is None:
            items.append(WaitingItem(kind="vote", title=ballot.title, action=_("Change my vote"),
                                     url=f"{ballot.get_absolute_url()}?change=1#vote", due=ballot.closes_at,
                                     place=_place(ballot), done=True))
    return items


def items_for(user) -> list[WaitingItem]:
    return ballot_items_for(user)
