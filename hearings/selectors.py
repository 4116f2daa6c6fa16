"""Reads of hearings, with the joins done so templates cannot cause N+1 queries."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet

from decisions.models import Ballot
from hearings.models import (
    Hearing,
    HearingAttendance,
    HearingMinutes,
    HearingMinutesConfirmation,
    HearingObjection,
    HearingOpinion,
    HearingPanelMember,
    HearingRegistration,
    HearingStatement,
)
from members.models import Membership, User
from members.permissions import can_manage_committee


def committee_hearings(committee) -> QuerySet[Hearing]:
    """A committee's hearings, newest first, with what waits for the organizer counted."""
    return (Hearing.objects.filter(committee=committee)
            .select_related("committee", "previous")
            .annotate(registration_count=Count("registrations", distinct=True),
                      pending_count=Count("registrations", filter=Q(registrations__status="pending"),
                                          distinct=True),
                      opinion_count=Count("opinions", distinct=True),
                      open_objection_count=Count("objections", filter=Q(objections__answered_at__isnull=True),
                                                 distinct=True))
            .order_by("-starts_at", "-pk"))


def affecting_q(user: User) -> Q | None:
    """A filter on Hearing for the hearings whose affected area holds one of ``user``'s homes."""
    homes = list(Membership.objects.filter(user=user, status=Membership.Status.VERIFIED)
                 .values_list("household__building_id", "household__building__compound_id",
                              "household__building__compound__committee_id"))
    if not homes:
        return None
    buildings, compounds, committees = (set(column) for column in zip(*homes, strict=True))
    return ((Q(scope=Hearing.Scope.COMMITTEE) & Q(committee_id__in=committees))
            | (Q(scope=Hearing.Scope.COMPOUNDS) & Q(compounds__in=compounds))
            | (Q(scope=Hearing.Scope.BUILDINGS) & Q(buildings__in=buildings)))


def resident_hearings(user: User) -> QuerySet[Hearing]:
    """Announced (and later) hearings that affect one of ``user``'s homes."""
    condition = affecting_q(user) if user.is_authenticated else None
    if condition is None:
        return Hearing.objects.none()
    ids = Hearing.objects.filter(condition).exclude(status=Hearing.Status.DRAFT).values("pk")
    return (Hearing.objects.filter(pk__in=ids).select_related("committee")
            .order_by("-starts_at", "-pk"))


def public_hearings() -> QuerySet[Hearing]:
    """The hearings anyone may read (``may_see_hearing``): announced or later, newest first."""
    return (Hearing.objects.exclude(status=Hearing.Status.DRAFT).select_related("committee__street")
            .order_by("-starts_at", "-pk"))


def may_see_hearing(user: User, hearing: Hearing) -> bool:
    """An announced (or later) hearing is a public notice; a draft is its committee's organizers' alone."""
    return hearing.status != Hearing.Status.DRAFT or can_manage_committee(user, hearing.committee)


def hearing_for_page(pk: int) -> Hearing | None:
    return (Hearing.objects.select_related("committee__street", "previous", "created_by")
            .prefetch_related("compounds", "buildings__compound").filter(pk=pk).first())


def hearing_panel(hearing: Hearing) -> list[HearingPanelMember]:
    return list(hearing.panel.select_related("user", "agency").order_by("role", "pk"))


def hearing_attachments(hearing: Hearing):
    return list(hearing.attachments.order_by("uploaded_at", "pk"))


def hearing_registrations(hearing: Hearing) -> list[HearingRegistration]:
    return list(hearing.registrations.select_related("user").order_by("kind", "created_at", "pk"))


def confirmed_speakers(hearing: Hearing) -> list[HearingRegistration]:
    return list(hearing.registrations.filter(kind=HearingRegistration.Kind.SPEAKER,
                                             status=HearingRegistration.Status.CONFIRMED)
                .select_related("user").order_by("created_at", "pk"))


def hearing_opinions(hearing: Hearing) -> list[HearingOpinion]:
    return list(hearing.opinions.select_related("user").order_by("created_at", "pk"))


def hearing_statements(hearing: Hearing) -> list[HearingStatement]:
    return list(hearing.statements.order_by("recorded_at", "pk"))


def hearing_attendance(hearing: Hearing) -> list[HearingAttendance]:
    return list(hearing.attendance.order_by("checked_in_at", "pk"))


def hearing_minutes(hearing: Hearing) -> list[HearingMinutes]:
    """Every version of the minutes, newest first, with their confirmations."""
    confirmations = HearingMinutesConfirmation.objects.select_related("user", "attendee").order_by("confirmed_at")
    return list(hearing.minutes.prefetch_related(Prefetch("confirmations", queryset=confirmations))
                .order_by("-version"))


def hearing_objections(hearing: Hearing) -> list[HearingObjection]:
    return list(hearing.objections.select_related("user", "answered_by").order_by("created_at", "pk"))


def hearing_follow_ups(hearing: Hearing) -> list[Hearing]:
    return list(hearing.follow_ups.exclude(status=Hearing.Status.DRAFT).order_by("starts_at"))


def hearing_ballots(hearing: Hearing) -> list[Ballot]:
    """Ballots the decision core holds for this hearing."""
    content_type = ContentType.objects.get_for_model(Hearing)
    return list(Ballot.objects.filter(subject_type=content_type, subject_id=hearing.pk).order_by("created_at"))


def my_registration(hearing: Hearing, user: User) -> HearingRegistration | None:
    if not user.is_authenticated:
        return None
    return hearing.registrations.filter(user=user).first()


def confirms_minutes(hearing: Hearing, user: User) -> bool:
    """Whether ``user`` confirms the hearing's minutes: those checked in at the session, no one else."""
    return user.is_authenticated and hearing.attendance.filter(user=user).exists()


def my_opinion(hearing: Hearing, user: User) -> HearingOpinion | None:
    if not user.is_authenticated:
        return None
    return hearing.opinions.filter(user=user).first()


def expected_attendees(hearing: Hearing) -> list[tuple[User, str]]:
    """(person, role) for panel members with an account and confirmed registrations, not yet checked in."""
    present = set(hearing.attendance.exclude(user=None).values_list("user_id", flat=True))
    rows: list[tuple[User, str]] = []
    for member in hearing.panel.select_related("user").exclude(user=None):
        if member.user_id not in present:
            rows.append((member.user, HearingAttendance.Role.PANEL))
            present.add(member.user_id)
    for registration in hearing.registrations.filter(status=HearingRegistration.Status.CONFIRMED) \
            .select_related("user"):
        if registration.user_id not in present:
            rows.append((registration.user, registration.kind))
            present.add(registration.user_id)
    return rows


def committee_hearing(committee, pk: int) -> Hearing | None:
    return Hearing.objects.filter(committee=committee, pk=pk).first()
