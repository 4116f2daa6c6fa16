"""Waiting items from hearings: registration and opinion windows open, minutes to confirm, answered objections.

Constant number of queries: the person's homes, the hearings affecting them, their registrations
and opinions, the circulated minutes of hearings they attended, and their answered objections.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from hearings.models import Hearing, HearingMinutes, HearingObjection, HearingOpinion, HearingRegistration
from hearings.selectors import affecting_q
from members.waiting import WaitingItem


def items_for(user) -> list[WaitingItem]:
    if not user.is_authenticated:
        return []
    now = timezone.now()
    items: list[WaitingItem] = []
    condition = affecting_q(user)
    if condition is not None:
        ids = Hearing.objects.filter(condition).filter(
            status__in=[Hearing.Status.ANNOUNCED, Hearing.Status.IN_SESSION]).values("pk")
        hearings = list(Hearing.objects.filter(pk__in=ids).select_related("committee").order_by("starts_at"))
        hearing_ids = [h.pk for h in hearings]
        registered = set(HearingRegistration.objects.filter(hearing_id__in=hearing_ids, user=user)
                         .values_list("hearing_id", flat=True))
        gave_opinion = set(HearingOpinion.objects.filter(hearing_id__in=hearing_ids, user=user)
                           .values_list("hearing_id", flat=True))
        for hearing in hearings:
            url = hearing.get_absolute_url() + "#take-part"
            if hearing.registration_open(now) and hearing.pk not in registered:
                items.append(WaitingItem(kind="registration", title=hearing.title, due=hearing.starts_at, url=url,
                                         action=_("Register to speak or observe"), place=hearing.committee.name))
            if hearing.opinion_window_open(now) and hearing.pk not in gave_opinion:
                items.append(WaitingItem(kind="opinion", title=hearing.title, due=hearing.opinion_closes_at, url=url,
                                         action=_("Give your written opinion"), place=hearing.committee.name))
    to_confirm = (HearingMinutes.objects.filter(status=HearingMinutes.Status.CIRCULATED,
                                                hearing__attendance__user=user)
                  .exclude(confirmations__user=user).select_related("hearing__committee"))
    for minutes in to_confirm:
        items.append(WaitingItem(kind="confirmation", title=minutes.hearing.title, action=_("Confirm the minutes"),
                                 url=minutes.hearing.get_absolute_url() + "#confirm-minutes",
                                 place=minutes.hearing.committee.name))
    answered = (HearingObjection.objects.filter(user=user, answered_at__isnull=False,
                                                hearing__status=Hearing.Status.PUBLIC_NOTICE)
                .select_related("hearing__committee"))
    for objection in answered:
        items.append(WaitingItem(kind="objection", title=objection.hearing.title,
                                 action=_("Read the answer to your objection"), due=objection.hearing.notice_ends_at,
                                 url=objection.hearing.get_absolute_url() + "#objections",
                                 place=objection.hearing.committee.name, info=True, at=objection.answered_at))
    return items
