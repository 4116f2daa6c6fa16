"""What party deliberation and floor consultations wait for, for the home page.

``items_for(user)``: topics this party member can second, party votes they have not cast, and
open consultations where their household has not given an opinion. Four queries whatever the
user's data (``deliberation/waiting.py`` calls this when present).
"""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from decisions.models import Ballot, Participation, Voice
from deliberation.models import Consultation, Topic, TopicSecond
from deliberation.permissions import PARTY_KINDS
from members.models import Membership, Role
from members.waiting import WaitingItem


def items_for(user) -> list[WaitingItem]:
    if not user.is_authenticated:
        return []
    items: list[WaitingItem] = []
    party_committees = list(Role.objects.filter(user=user, kind__in=PARTY_KINDS)
                            .values_list("committee_id", flat=True).distinct())
    if party_committees:
        to_second = (Topic.objects.filter(committee_id__in=party_committees, status=Topic.Status.SECONDING)
                     .exclude(proposed_by=user)
                     .exclude(Exists(TopicSecond.objects.filter(topic=OuterRef("pk"), member=user)))
                     .select_related("committee").order_by("created_at"))
        items += [WaitingItem(kind="second", title=t.title, action=_("Second the topic or leave it"),
                              url=t.get_absolute_url(), place=t.committee.name) for t in to_second]
        votes = (Topic.objects.filter(committee_id__in=party_committees, status=Topic.Status.VOTING,
                                      ballot__status=Ballot.Status.OPEN)
                 .filter(Exists(Voice.objects.filter(ballot=OuterRef("ballot"), holders__user=user)))
                 .exclude(Exists(Participation.objects.filter(ballot=OuterRef("ballot"), voice__holders__user=user)))
                 .select_related("committee", "ballot").order_by("voting_at"))
        items += [WaitingItem(kind="vote", title=t.title, action=_("Vote on the party topic"),
                              url=t.get_absolute_url(), due=t.ballot.closes_at, place=t.committee.name)
                  for t in votes]
    buildings = Membership.objects.filter(user=user, status=Membership.Status.VERIFIED).values("household__building")
    open_consultations = (
        Consultation.objects.filter(building__in=buildings, status=Consultation.Status.OPEN,
                                    ballot__status=Ballot.Status.OPEN)
        .filter(Exists(Voice.objects.filter(ballot=OuterRef("ballot"), holders__user=user)))
        .exclude(Exists(Participation.objects.filter(ballot=OuterRef("ballot"), voice__holders__user=user)))
        .select_related("building__compound", "ballot").order_by("opened_at"))
    # Straight to the answer form (its crumb leads back to the consultation): two taps from there.
    items += [WaitingItem(kind="opinion", title=c.title, action=_("Give your household's opinion"),
                          url=reverse("deliberation:floor_answer", args=[c.pk]), due=c.ballot.closes_at,
                          place=str(c.building))
              for c in open_consultations]
    return items
