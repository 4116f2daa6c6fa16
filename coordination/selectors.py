"""Reads of coordination meetings: who may see what, the pages' querysets, people to tell."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from coordination.models import (
    DEFAULT_NOTICE_DAYS,
    CoordinationAction,
    CoordinationConfirmation,
    CoordinationDocument,
    CoordinationMeeting,
    CoordinationParticipant,
    CoordinationProgress,
    CoordinationSettings,
)
from members.models import Committee, Membership, Role, Street, User
from members.permissions import can_manage_committee, can_view_street, roles_of

# --- Who a participant row stands for ----------------------------------------------------


def _row_of_user(user: User) -> Q:
    """Participant rows that ``user`` speaks for (as a person, a household member or an agency contact)."""
    households = Membership.objects.filter(user=user, status=Membership.Status.VERIFIED).values("household_id")
    agencies = Role.objects.filter(user=user, kind=Role.Kind.AGENCY_CONTACT).values("agency_id")
    return Q(user=user) | Q(household_id__in=households) | Q(agency_id__in=agencies)


def participant_rows_of(user: User, meeting: CoordinationMeeting) -> list[CoordinationParticipant]:
    if not user.is_authenticated:
        return []
    return list(CoordinationParticipant.objects.filter(_row_of_user(user), meeting=meeting)
                .select_related("user", "household__building__compound", "agency"))


def people_of(participants) -> set[int]:
    """User ids of everyone who speaks for the given participant rows."""
    rows = list(participants)
    ids = {p.user_id for p in rows if p.user_id}
    households = [p.household_id for p in rows if p.household_id]
    agencies = [p.agency_id for p in rows if p.agency_id]
    if households:
        ids |= set(Membership.objects.filter(household_id__in=households, status=Membership.Status.VERIFIED)
                   .values_list("user_id", flat=True))
    if agencies:
        ids |= set(Role.objects.filter(agency_id__in=agencies, kind=Role.Kind.AGENCY_CONTACT)
                   .values_list("user_id", flat=True))
    return ids


def party_people(meeting: CoordinationMeeting) -> set[int]:
    return people_of(meeting.participants.filter(is_party=True))


def organizer_ids(committee: Committee) -> set[int]:
    return set(Role.objects.filter(kind=Role.Kind.ORGANIZER, committee=committee).values_list("user_id", flat=True))


def street_officer_ids(street: Street) -> set[int]:
    return set(Role.objects.filter(kind=Role.Kind.STREET_OFFICER, street=street).values_list("user_id", flat=True))


def action_owner_people(action: CoordinationAction) -> set[int]:
    if action.owner_participant_id:
        return people_of([action.owner_participant])
    return set(Role.objects.filter(agency_id=action.owner_agency_id, kind=Role.Kind.AGENCY_CONTACT)
               .values_list("user_id", flat=True))


# --- Visibility ----------------------------------------------------------------------------


def _takes_part(user: User) -> Q:
    """Meetings where ``user`` speaks for a participant row, or for an agency that owns one of its actions
    (an agency given an action takes part in the follow-up even if it was not at the table)."""
    rows = CoordinationParticipant.objects.filter(_row_of_user(user), meeting=OuterRef("pk"))
    agencies = Role.objects.filter(user=user, kind=Role.Kind.AGENCY_CONTACT).values("agency_id")
    owned = CoordinationAction.objects.filter(meeting=OuterRef("pk"), owner_agency_id__in=agencies)
    return Q(Exists(rows)) | Q(Exists(owned)) | Q(requested_by=user)


def visible_to(user: User) -> Q:
    """Meetings ``user`` may see: as a party or participant, the requester, organizer, or street officer."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    roles = roles_of(user)
    committees = [r.committee_id for r in roles if r.kind == Role.Kind.ORGANIZER]
    streets = [r.street_id for r in roles if r.kind == Role.Kind.STREET_OFFICER]
    return (_takes_part(user) | Q(committee_id__in=committees)
            | Q(escalated_at__isnull=False, committee__street_id__in=streets))


def can_see(user: User, meeting: CoordinationMeeting) -> bool:
    if not user.is_authenticated:
        return False
    if can_manage_committee(user, meeting.committee) or meeting.requested_by_id == user.pk:
        return True
    if meeting.escalated_at and can_view_street(user, meeting.committee.street):
        return True
    return CoordinationMeeting.objects.filter(_takes_part(user), pk=meeting.pk).exists()


def meeting_for_page(pk: int) -> CoordinationMeeting | None:
    return (CoordinationMeeting.objects.select_related("committee__street", "requested_by", "requested_agency")
            .filter(pk=pk).first())


def _list_qs() -> QuerySet[CoordinationMeeting]:
    today = timezone.localdate()
    return (CoordinationMeeting.objects.select_related("committee__street", "requested_by")
            .annotate(action_count=Count("actions", distinct=True),
                      overdue_count=Count("actions", filter=Q(actions__status=CoordinationAction.Status.OPEN,
                                                              actions__due_date__lt=today)
                                          & ~Q(status__in=[CoordinationMeeting.Status.CLOSED,
                                                           CoordinationMeeting.Status.CANCELLED]), distinct=True)))


def my_meetings(user: User) -> QuerySet[CoordinationMeeting]:
    """Meetings where ``user`` is a party, a participant or the requester (not as organizer)."""
    return _list_qs().filter(_takes_part(user)).order_by("-created_at", "-id")


def committee_meetings(committee: Committee) -> QuerySet[CoordinationMeeting]:
    return _list_qs().filter(committee=committee).order_by("-created_at", "-id")


def street_escalations(street: Street) -> QuerySet[CoordinationMeeting]:
    return (_list_qs().filter(committee__street=street, escalated_at__isnull=False)
            .order_by("-escalated_at", "-id"))


def overdue_actions(committee: Committee, today=None) -> QuerySet[CoordinationAction]:
    today = today or timezone.localdate()
    return (CoordinationAction.objects
            .filter(meeting__committee=committee, status=CoordinationAction.Status.OPEN, due_date__lt=today)
            .exclude(meeting__status__in=[CoordinationMeeting.Status.CLOSED, CoordinationMeeting.Status.CANCELLED])
            .select_related("meeting", "owner_participant__user", "owner_participant__agency",
                            "owner_participant__household__building__compound", "owner_agency")
            .order_by("due_date", "id"))


def participants(meeting: CoordinationMeeting) -> list[CoordinationParticipant]:
    return list(meeting.participants.select_related("user", "household__building__compound", "agency", "notice")
                .order_by("-is_party", "id"))


def statements(meeting: CoordinationMeeting):
    return list(meeting.statements.select_related("participant__user", "participant__agency",
                                                  "participant__household__building__compound"))


def documents(meeting: CoordinationMeeting) -> list[CoordinationDocument]:
    confirmations = CoordinationConfirmation.objects.select_related(
        "participant__user", "participant__agency", "participant__household__building__compound", "user")
    return list(meeting.documents.prefetch_related(Prefetch("confirmations", queryset=confirmations))
                .order_by("-kind", "-version"))  # the record first, then the agreement


def current_document(meeting: CoordinationMeeting, kind: str) -> CoordinationDocument | None:
    return meeting.documents.filter(kind=kind, superseded_at__isnull=True).first()


def actions(meeting: CoordinationMeeting) -> list[CoordinationAction]:
    progress = CoordinationProgress.objects.select_related("author").order_by("created_at", "id")
    return list(meeting.actions.select_related("owner_participant__user", "owner_participant__agency",
                                               "owner_participant__household__building__compound",
                                               "owner_agency")
                .prefetch_related(Prefetch("progress", queryset=progress)))


def required_confirmers(document: CoordinationDocument) -> QuerySet[CoordinationParticipant]:
    """Who must confirm: every party for the agreement, every participant for the record."""
    qs = document.meeting.participants.all()
    return qs.filter(is_party=True) if document.kind == CoordinationDocument.Kind.AGREEMENT else qs


def must_confirm(document: CoordinationDocument, participant: CoordinationParticipant) -> bool:
    """``required_confirmers`` for one participant already loaded (the page's list, no query)."""
    return participant.is_party or document.kind != CoordinationDocument.Kind.AGREEMENT


def confirmation_state(user: User, meeting: CoordinationMeeting, documents: list[CoordinationDocument],
                       participants: list[CoordinationParticipant]) -> None:
    """Mark each document with who is still to confirm it (``missing``) and whether ``user`` is."""
    mine = {p.pk for p in participant_rows_of(user, meeting)}
    for document in documents:
        confirmed = {c.participant_id for c in document.confirmations.all()}
        document.missing = [p for p in participants if must_confirm(document, p) and p.pk not in confirmed]
        document.mine_to_confirm = document.awaiting and any(p.pk in mine for p in document.missing)


def notice_days(committee: Committee) -> int:
    found = CoordinationSettings.objects.filter(committee=committee).values_list("notice_days", flat=True).first()
    return found or DEFAULT_NOTICE_DAYS


def progress_open(action: CoordinationAction) -> bool:
    """Progress is reported on an open action while its meeting is followed up."""
    return (action.meeting.status in CoordinationMeeting.FOLLOWED_UP
            and action.status == CoordinationAction.Status.OPEN)


def reportable_action_ids(user: User, meeting: CoordinationMeeting, actions) -> set[int]:
    """Ids of the actions among ``actions`` that ``user`` may report on: organizers all of them, anyone
    else those whose owner (a party, or an agency) they speak for."""
    if can_manage_committee(user, meeting.committee):
        return {a.pk for a in actions}
    rows = {p.pk for p in participant_rows_of(user, meeting)}
    agencies = set(Role.objects.filter(user=user, kind=Role.Kind.AGENCY_CONTACT).values_list("agency_id", flat=True))
    return {a.pk for a in actions if a.owner_participant_id in rows or a.owner_agency_id in agencies}


def can_post_progress(user: User, action: CoordinationAction) -> bool:
    """Organizers, and whoever speaks for the action's owner."""
    return action.pk in reportable_action_ids(user, action.meeting, [action])


def mark_reportable(user: User, meeting: CoordinationMeeting, actions: list[CoordinationAction]) -> None:
    """Mark each action with ``can_report``: it takes progress now and ``user`` may report it."""
    mine = reportable_action_ids(user, meeting, actions)
    for action in actions:
        action.meeting = meeting
        action.can_report = progress_open(action) and action.pk in mine
