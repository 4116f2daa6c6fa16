"""make_* helpers for hearings: a committee with an affected building, and hearings in a given state."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from hearings import services
from hearings.models import Hearing, HearingMinutes, HearingPanelMember
from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_organizer,
    make_resident,
)


def make_area(n: int = 3):
    """A committee with two buildings; ``n`` households with a representative in building A, one in B.

    Returns a dict: committee, organizer, building (A), other_building (B), residents (of A), outsider (of B).
    """
    committee = make_committee()
    compound = make_compound(committee)
    building, other = make_building(compound), make_building(compound)
    residents = [make_resident(make_household(building, door_number=str(101 + i), floor_area=f"{80 + i * 10}.00"),
                               representative=True) for i in range(n)]
    outsider = make_resident(make_household(other, door_number="101"), representative=True)
    return {"committee": committee, "organizer": make_organizer(committee), "building": building,
            "other_building": other, "residents": residents, "outsider": outsider}


def make_hearing(area: dict, *, days_ahead: int = 14, title: str = "1号楼加装电梯", chair: bool = True,
                 **extra) -> Hearing:
    """A draft hearing of ``area['building']``, ``days_ahead`` days from now, with a chair."""
    now = timezone.now()
    starts = now + timedelta(days=days_ahead)
    hearing = services.hearing_create(
        committee=area["committee"], by=area["organizer"], title=title, starts_at=starts, place="居委会会议室",
        opinion_opens_at=now, opinion_closes_at=starts - timedelta(hours=1), background="背景",
        scope=Hearing.Scope.BUILDINGS, buildings=[area["building"]], **extra)
    if chair:
        services.hearing_panel_add(hearing=hearing, by=area["organizer"], role=HearingPanelMember.Role.CHAIR,
                                   user=area["organizer"])
    return hearing


def start_session(hearing: Hearing, organizer) -> Hearing:
    """Open the session at its announced time (earlier needs a reason, see ``members.timing``)."""
    with time_machine.travel(hearing.starts_at, tick=False):
        return services.hearing_session_start(hearing=hearing, by=organizer)


def finalize_minutes(hearing: Hearing, organizer) -> HearingMinutes:
    minutes = services.hearing_minutes_save(hearing=hearing, by=organizer, record="记录", summary="纪要")
    services.hearing_minutes_circulate(minutes=minutes, by=organizer)
    return services.hearing_minutes_finalize(minutes=minutes, by=organizer)


def advance(hearing: Hearing, organizer, to: str) -> Hearing:
    """Move a draft hearing along its lifecycle up to ``to`` through the services."""
    order = [Hearing.Status.ANNOUNCED, Hearing.Status.IN_SESSION, Hearing.Status.MINUTES,
             Hearing.Status.PUBLIC_NOTICE]
    for status in order:
        if status == Hearing.Status.ANNOUNCED:
            hearing = services.hearing_announce(hearing=hearing, by=organizer)
        elif status == Hearing.Status.IN_SESSION:
            hearing = start_session(hearing, organizer)
        elif status == Hearing.Status.MINUTES:
            hearing = services.hearing_session_end(hearing=hearing, by=organizer)
        else:
            finalize_minutes(hearing, organizer)
            hearing = services.hearing_publish_outcome(hearing=hearing, by=organizer, decision="同意加装电梯",
                                                       reasons="听证会多数意见支持")
        if status == to:
            break
    return hearing
