"""make_* helpers for coordination meetings: a neighbourhood, and a meeting taken to a given stage."""

from dataclasses import dataclass, field
from datetime import timedelta

import time_machine
from django.utils import timezone

from coordination import services
from coordination.models import CoordinationDocument, CoordinationMeeting, CoordinationParticipant
from members import services as member_services
from members.models import Agency, Committee, Role, User
from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_organizer,
    make_property_firm,
    make_resident,
    make_street,
    make_street_officer,
    make_user,
)

STAGES = ["scheduling", "noticed", "in_session", "concluding", "submitted", "follow_up", "escalated"]


@dataclass
class Neighbourhood:
    committee: Committee
    organizer: User
    resident: User
    neighbour: User
    outsider: User
    firm: Agency
    firm_contact: User
    officer: User
    other_officer: User
    extra: dict = field(default_factory=dict)


def make_agency_contact(agency: Agency, user: User | None = None) -> User:
    user = user or make_user(name="Agency contact")
    member_services.role_grant(user=user, kind=Role.Kind.AGENCY_CONTACT, agency=agency, by=None)
    return user


def make_neighbourhood() -> Neighbourhood:
    """A committee whose compound has a property firm with a contact; a resident, a neighbour, an outsider."""
    street = make_street()
    committee = make_committee(street)
    firm = make_property_firm(street)
    building = make_building(make_compound(committee, property_firm=firm))
    other_committee = make_committee(street)
    return Neighbourhood(
        committee=committee, organizer=make_organizer(committee),
        resident=make_resident(make_household(building), name="陈静"),
        neighbour=make_resident(make_household(building), name="周强"),
        outsider=make_resident(make_household(make_building(make_compound(other_committee)))),
        firm=firm, firm_contact=make_agency_contact(firm, make_user(name="物业 王经理")),
        officer=make_street_officer(street), other_officer=make_street_officer(make_street()),
    )


def make_meeting(n: Neighbourhood, stage: str = "scheduling", *, subject: str = "楼道漏水",
                 overdue: bool = False) -> CoordinationMeeting:
    """A meeting between ``n.resident`` and ``n.firm`` taken to ``stage`` through the services."""
    by = n.organizer
    meeting = services.coordination_request(committee=n.committee, by=n.resident, subject=subject,
                                            request_text="请物业修好楼顶防水", agency=n.firm)
    services.coordination_accept(meeting=meeting, by=by)
    if stage == "scheduling":
        return _fresh(meeting)
    services.coordination_schedule(meeting=meeting, by=by, scheduled_at=timezone.now() + timedelta(days=10),
                                   place="居委会会议室")
    services.coordination_give_notice(meeting=meeting, by=by)
    if stage == "noticed":
        return _fresh(meeting)
    # The session is held at the time in the notice: earlier needs a reason (members.timing).
    with time_machine.travel(_fresh(meeting).scheduled_at, tick=False):
        services.coordination_start(meeting=meeting, by=by)
        resident_row, firm_row = party_rows(meeting)
        services.statement_add(meeting=meeting, by=by, participant=resident_row, text="顶楼漏水三个月")
        if stage == "in_session":
            return _fresh(meeting)
        services.coordination_conclude(meeting=meeting, by=by, points_in_dispute="维修费用由谁承担",
                                       record_text="双方同意先修再议", agreement_reached=True,
                                       agreement_text="物业负责维修")
    due = timezone.localdate() + (timedelta(days=-3) if overdue else timedelta(days=14))
    services.action_add(meeting=meeting, by=by, description="修复楼顶防水层", due_date=due, owner_participant=firm_row)
    services.action_add(meeting=meeting, by=by, description="清理楼道积水", due_date=due,
                        owner_participant=resident_row)
    if stage == "concluding":
        return _fresh(meeting)
    for kind in (CoordinationDocument.Kind.RECORD, CoordinationDocument.Kind.AGREEMENT):
        services.document_submit(document=meeting.documents.get(kind=kind), by=by)
    if stage == "submitted":
        return _fresh(meeting)
    for document in meeting.documents.all():
        for user in (n.resident, n.firm_contact):
            services.document_confirm(document=document, by=user)
    if stage == "follow_up":
        return _fresh(meeting)
    services.coordination_escalate(meeting=meeting, by=by, reason="物业拒绝承担费用")
    return _fresh(meeting)


def party_rows(meeting: CoordinationMeeting) -> tuple[CoordinationParticipant, CoordinationParticipant]:
    rows = list(meeting.participants.filter(is_party=True).order_by("id"))
    return rows[0], rows[1]


def _fresh(meeting: CoordinationMeeting) -> CoordinationMeeting:
    return CoordinationMeeting.objects.select_related("committee__street").get(pk=meeting.pk)
