"""What the evaluations app has waiting for a person: sheets to fill in, rectification plans to file."""

from django.urls import reverse
from django.utils.translation import gettext as _

from evaluations import selectors
from evaluations.models import Rectification
from evaluations.permissions import contact_agency_ids
from members.waiting import WaitingItem


def items_for(user) -> list[WaitingItem]:
    """Open sheets not yet handed in (one query) and plans the user's agency owes (one query at most)."""
    items = [WaitingItem(kind="sheet", title=c.title, action=_("Fill in your evaluation sheet"),
                         url=reverse("evaluations:sheet_fill", args=[c.pk]), due=c.closes_at, place=c.committee.name)
             for c in selectors.waiting_sheets(user)]
    agency_ids = contact_agency_ids(user)
    if agency_ids:
        for task in selectors.agency_rectifications(agency_ids).filter(
                status__in=[Rectification.Status.WAITING, Rectification.Status.FILED]):
            action = _("File the rectification plan") if task.status == Rectification.Status.WAITING else \
                _("Confirm the rectification plan")
            items.append(WaitingItem(kind="rectification", title=f"{task.agency.name} · {task.campaign.title}",
                                     action=action, url=task.get_absolute_url(), place=task.campaign.committee.name))
    return items
