"""Waiting items from residents' requests: a request to accept or answer (handler), one to route or
answer (committee), an answer to rate (requester). Three queries whatever the person's data."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import selectors as sel
from casework.models import Case
from members.models import Role
from members.permissions import roles_of
from members.waiting import WaitingItem

S = Case.Status


def _due(case: Case):
    return timezone.make_aware(timezone.datetime.combine(case.due_on, timezone.datetime.min.time()))


def items_for(user) -> list[WaitingItem]:
    if not user.is_authenticated:
        return []
    items = []
    agencies = sel.contact_agency_ids(user)
    committees = [r.committee_id for r in roles_of(user) if r.kind == Role.Kind.ORGANIZER]
    mine = Q(requester=user, status=S.ANSWERED)
    handler = Q(handler_id__in=agencies, status__in=[S.ROUTED, S.ACCEPTED]) if agencies else Q(pk__in=[])
    committee = (Q(committee_id__in=committees) & (Q(status=S.NEW) | Q(level=Case.Level.COMMITTEE,
                                                                       status__in=[S.ROUTED, S.ACCEPTED]))
                 if committees else Q(pk__in=[]))
    for case in Case.objects.filter(mine | handler | committee).select_related("committee", "compound", "building"):
        title = f"{case.number} · {case.get_category_display()} · {case.place}"
        if case.requester_id == user.pk and case.status == S.ANSWERED:
            action = _("Rate the answer to your request")
        elif case.handler_id in agencies and case.status == S.ROUTED:
            action = _("Accept the request routed to you")
        elif case.handler_id in agencies and case.status == S.ACCEPTED:
            action = _("Answer the request")
        elif case.status == S.NEW:
            action = _("Answer or route the new request")
        else:
            action = _("Follow up the request escalated to the committee")
        items.append(WaitingItem(kind="case", title=title, action=action, url=case.get_absolute_url(),
                                 due=None if case.status == S.ANSWERED else _due(case), place=case.committee.name))
    return items
