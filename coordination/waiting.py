"""Waiting items from coordination meetings: a record or agreement to confirm, an agreed action to
report on, for a street officer the matters escalated to their street; and, as information, the
answer to a request. Five queries whatever the person's data."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.models import CoordinationAction, CoordinationConfirmation, CoordinationDocument, CoordinationMeeting
from coordination.models import CoordinationParticipant as Participant
from coordination.selectors import _row_of_user
from members.models import Role
from members.permissions import roles_of
from members.waiting import WaitingItem

# A decided request stays on the home page this long, so the resident reads the answer.
DECIDED_SHOWN_FOR = timedelta(days=14)


def _to_confirm(user, kind: str):
    mine = Participant.objects.filter(_row_of_user(user), meeting=OuterRef("meeting_id"))
    if kind == CoordinationDocument.Kind.AGREEMENT:
        mine = mine.filter(is_party=True)
    unconfirmed = mine.filter(~Exists(CoordinationConfirmation.objects.filter(
        document=OuterRef(OuterRef("pk")), participant=OuterRef("pk"))))
    return (CoordinationDocument.objects
            .filter(kind=kind, submitted_at__isnull=False, finalized_at__isnull=True, superseded_at__isnull=True)
            .filter(Exists(unconfirmed)).select_related("meeting__committee"))


def items_for(user) -> list[WaitingItem]:
    if not user.is_authenticated:
        return []
    items = []
    for kind, action in ((CoordinationDocument.Kind.RECORD, _("Confirm the record")),
                         (CoordinationDocument.Kind.AGREEMENT, _("Confirm the agreement"))):
        for document in _to_confirm(user, kind):
            meeting = document.meeting
            items.append(WaitingItem(kind="confirmation", title=meeting.subject, action=action,
                                     url=meeting.get_absolute_url(), place=meeting.committee.name))
    decided = (CoordinationMeeting.objects
               .filter(requested_by=user, decided_at__gte=timezone.now() - DECIDED_SHOWN_FOR)
               .select_related("committee"))
    for meeting in decided:
        action = (_("Read why your request was declined") if meeting.status == CoordinationMeeting.Status.DECLINED
                  else _("Your request was accepted: see the meeting"))
        items.append(WaitingItem(kind="request", title=meeting.subject, action=action,
                                 url=meeting.get_absolute_url(), place=meeting.committee.name,
                                 info=True, at=meeting.decided_at))
    agencies = Role.objects.filter(user=user, kind=Role.Kind.AGENCY_CONTACT).values("agency_id")
    mine = Participant.objects.filter(_row_of_user(user), is_party=True).values("pk")
    owned = (CoordinationAction.objects
             .filter(Q(owner_participant__in=mine) | Q(owner_agency__in=agencies),
                     status=CoordinationAction.Status.OPEN,
                     meeting__status__in=[CoordinationMeeting.Status.FOLLOW_UP, CoordinationMeeting.Status.ESCALATED])
             .select_related("meeting__committee"))
    for action in owned:
        due = timezone.make_aware(timezone.datetime.combine(action.due_date, timezone.datetime.min.time()))
        items.append(WaitingItem(kind="action", title=f"{action.meeting.subject} · {action.description}",
                                 action=_("Report progress on the agreed action"), due=due,
                                 url=action.meeting.get_absolute_url(), place=action.meeting.committee.name))
    streets = [r.street_id for r in roles_of(user) if r.kind == Role.Kind.STREET_OFFICER]
    if streets:
        escalated = (CoordinationMeeting.objects
                     .filter(committee__street_id__in=streets, status=CoordinationMeeting.Status.ESCALATED)
                     .select_related("committee").order_by("escalated_at", "pk"))
        for meeting in escalated:
            items.append(WaitingItem(kind="escalation", title=meeting.subject,
                                     action=_("Handle the matter escalated to the street"),
                                     url=meeting.get_absolute_url(), place=meeting.committee.name))
    return items
