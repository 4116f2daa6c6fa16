"""Reads of residents' requests: who may see and do what, the queues, the heat table, the year's figures.

Every "may this person…" a page and a service both ask lives here. Who sees the requester:
the committee (name and phone), the street office and the requester's own side (name only), and
the handler or a floor leader only when the requester agreed to be named (``requester_shown``).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from casework.models import UNREACHABLE_DAYS, Case, CaseEvent, CasePhoto, Category
from members.models import Agency, Building, Committee, Role, Street, User
from members.permissions import can_manage_committee, can_view_street, roles_of
from members.selectors import is_verified_resident

Status = Case.Status
Level = Case.Level
OPEN = (Status.NEW, Status.ROUTED, Status.ACCEPTED, Status.ANSWERED)


# --- Who is who -------------------------------------------------------------------------------


def contact_agency_ids(user: User) -> set[int]:
    """The agencies ``user`` is a contact of (their handler's desk)."""
    return {r.agency_id for r in roles_of(user) if r.kind == Role.Kind.AGENCY_CONTACT}


def led_building_ids(user: User) -> set[int]:
    return {r.building_id for r in roles_of(user) if r.kind == Role.Kind.FLOOR_LEADER}


def is_committee(user: User, case: Case) -> bool:
    return can_manage_committee(user, case.committee)


def is_street(user: User, case: Case) -> bool:
    return can_view_street(user, case.committee.street)


def is_handler(user: User, case: Case) -> bool:
    return case.handler_id is not None and case.handler_id in contact_agency_ids(user)


def is_requester(user: User, case: Case) -> bool:
    return user.is_authenticated and user.pk in (case.requester_id, case.recorded_by_id)


def is_floor_leader(user: User, case: Case) -> bool:
    return case.building_id is not None and case.building_id in led_building_ids(user)


def can_see(user: User, case: Case) -> bool:
    return (is_committee(user, case) or is_street(user, case) or is_handler(user, case)
            or is_requester(user, case) or is_floor_leader(user, case))


def requester_shown(user: User, case: Case) -> tuple[str, str]:
    """The requester's name and phone as ``user`` may see them ("" where hidden)."""
    committee = is_committee(user, case)
    if committee:
        return case.requester_display, case.contact_phone
    if is_street(user, case) or is_requester(user, case) or case.named_to_handler:
        return case.requester_display, ""
    return "", ""


def is_committee_member(user: User, committee: Committee) -> bool:
    """The committee's side of a request: its organizers (and site admins)."""
    return can_manage_committee(user, committee)


def is_resident(user: User, committee: Committee) -> bool:
    return is_verified_resident(user, committee=committee)


def may_file(user: User, committee: Committee) -> bool:
    """Organizers, the committee's verified residents and its floor leaders may file a request."""
    return (can_manage_committee(user, committee) or is_verified_resident(user, committee=committee)
            or Building.objects.filter(pk__in=led_building_ids(user), compound__committee=committee).exists())


def files_for_others(user: User, committee: Committee) -> bool:
    """Organizers and floor leaders record requests taken by phone or in person, for someone else."""
    led = led_building_ids(user)
    return can_manage_committee(user, committee) or (
        bool(led) and Building.objects.filter(pk__in=led, compound__committee=committee).exists())


def may_route(user: User, case: Case) -> bool:
    return case.status == Status.NEW and is_committee(user, case)


def may_accept(user: User, case: Case) -> bool:
    return case.status == Status.ROUTED and is_handler(user, case)


def may_answer(user: User, case: Case) -> bool:
    """The handler answers what it accepted; the committee what is on its desk or escalated to it; the
    street what was escalated to the street."""
    if case.status == Status.ACCEPTED and is_handler(user, case):
        return True
    if case.status == Status.NEW or (case.status in (Status.ROUTED, Status.ACCEPTED) and case.level != Level.HANDLER):
        if is_committee(user, case):
            return True
        return case.level == Level.STREET and is_street(user, case)
    return False


def may_report_progress(user: User, case: Case) -> bool:
    return case.status in (Status.ROUTED, Status.ACCEPTED, Status.NEW) and (
        (case.status == Status.ACCEPTED and is_handler(user, case)) or may_answer(user, case))


def may_return(user: User, case: Case) -> bool:
    return (case.status == Status.ANSWERED and case.answered_by_handler
            and case.returned_count < Case.MAX_RETURNS and is_committee(user, case))


def may_rate(user: User, case: Case) -> bool:
    """The requester rates the answer; the committee records a rating given by phone or in person."""
    return case.status == Status.ANSWERED and (
        (user.is_authenticated and case.requester_id == user.pk) or is_committee(user, case))


def may_close_unreached(user: User, case: Case, now=None) -> bool:
    return case.status == Status.ANSWERED and is_committee(user, case) and unreachable_since_passed(case, now)


def unreachable_since_passed(case: Case, now=None) -> bool:
    now = now or timezone.now()
    return case.answered_at is not None and (now - case.answered_at).days >= UNREACHABLE_DAYS


# --- One request ------------------------------------------------------------------------------


def case_for_page(pk: int) -> Case | None:
    return (Case.objects.select_related("committee__street", "compound", "building", "handler", "requester")
            .filter(pk=pk).first())


def case_events(case: Case) -> list[CaseEvent]:
    """The record, oldest first, each with its photos (two queries)."""
    events = list(case.events.select_related("by").order_by("created_at", "id"))
    photos: dict[int, list[CasePhoto]] = defaultdict(list)
    for photo in CasePhoto.objects.filter(case=case).order_by("created_at", "id"):
        photos[photo.event_id].append(photo)
    for event in events:
        event.photo_list = photos.get(event.pk, [])
    return events


def routable_agencies(case: Case) -> QuerySet[Agency]:
    """Who a request may be routed to: the compound's property firm, the agencies serving the committee,
    and the street's work station."""
    committee = case.committee
    return (Agency.objects.filter(street_id=committee.street_id)
            .filter(Q(compounds=case.compound_id) | Q(committees=committee)
                    | Q(kind__in=[Agency.Kind.WORK_STATION, *Agency.STATIONED_KINDS]))
            .distinct().order_by("kind", "name"))


def agency_contact_ids(agency_id: int) -> set[int]:
    return set(Role.objects.filter(kind=Role.Kind.AGENCY_CONTACT, agency_id=agency_id)
               .values_list("user_id", flat=True))


def organizer_ids(committee_id: int) -> set[int]:
    return set(Role.objects.filter(kind=Role.Kind.ORGANIZER, committee_id=committee_id)
               .values_list("user_id", flat=True))


def street_officer_ids(street_id: int) -> set[int]:
    return set(Role.objects.filter(kind=Role.Kind.STREET_OFFICER, street_id=street_id)
               .values_list("user_id", flat=True))


# --- Queues: one query each, the age of every item computed from its row ----------------------


def _listed(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related("committee", "compound", "building", "handler")


def my_cases(user: User) -> QuerySet[Case]:
    """The requests this person filed or recorded."""
    return _listed(Case.objects.filter(Q(requester=user) | Q(recorded_by=user))).order_by("-created_at", "-id")


def building_cases(user: User) -> QuerySet[Case]:
    """A floor leader's buildings' requests."""
    return _listed(Case.objects.filter(building_id__in=led_building_ids(user))).order_by("-created_at", "-id")


def handler_queue(agency_ids: set[int]) -> QuerySet[Case]:
    """The handler's open requests, the oldest due first."""
    return _listed(Case.objects.filter(handler_id__in=agency_ids, status__in=OPEN)).order_by("due_on", "pk")


def committee_queue(committee: Committee) -> QuerySet[Case]:
    return _listed(Case.objects.filter(committee=committee, status__in=OPEN)).order_by("due_on", "pk")


def street_queue(street: Street) -> QuerySet[Case]:
    """Requests escalated to the street (疑难复杂矛盾不出街镇) and still open."""
    return (_listed(Case.objects.filter(committee__street=street, level=Level.STREET, status__in=OPEN))
            .order_by("due_on", "pk"))


def recently_closed(committee: Committee, limit: int = 20) -> QuerySet[Case]:
    return _listed(Case.objects.filter(committee=committee, status=Status.CLOSED)).order_by("-done_at", "-pk")[:limit]


def grouped(cases, today: date | None = None) -> dict[str, list[Case]]:
    """A committee's queue in the order it works: new, escalated, with the handler, awaiting the rating."""
    today = today or timezone.localdate()
    groups: dict[str, list[Case]] = {"new": [], "escalated": [], "handler": [], "answered": []}
    for case in cases:
        case.overdue = case.is_overdue(today)
        case.age = case.age_days(today)
        if case.status == Status.ANSWERED:
            groups["answered"].append(case)
        elif case.status == Status.NEW:
            groups["new"].append(case)
        elif case.level != Level.HANDLER:
            groups["escalated"].append(case)
        else:
            groups["handler"].append(case)
    return groups


def with_age(cases, today: date | None = None) -> list[Case]:
    today = today or timezone.localdate()
    rows = list(cases)
    for case in rows:
        case.overdue = case.is_overdue(today)
        case.age = case.age_days(today)
    return rows


# --- Heat: per building and category, this month and still open ------------------------------


def heat(committee: Committee, today: date | None = None) -> dict:
    """Rows: building (or the compound's common areas) × category with this month's and open counts; one query."""
    today = today or timezone.localdate()
    month_start = timezone.make_aware(timezone.datetime(today.year, today.month, 1))
    rows = list(Case.objects.filter(committee=committee)
                .filter(Q(created_at__gte=month_start) | ~Q(status=Status.CLOSED))
                .values("compound__name", "building__name", "category")
                .annotate(month=Count("pk", filter=Q(created_at__gte=month_start)),
                          open=Count("pk", filter=~Q(status=Status.CLOSED)))
                .order_by("compound__name", "building__name", "category"))
    labels = dict(Category.choices)
    table = [{"place": " ".join(filter(None, [r["compound__name"], r["building__name"]])),
              "category": str(labels.get(r["category"], r["category"])), "month": r["month"], "open": r["open"]}
             for r in rows]
    places = list(dict.fromkeys(r["place"] for r in table))
    categories = [str(label) for value, label in Category.choices if any(r["category"] == str(label) for r in table)]
    cells = {(r["place"], r["category"]): r["month"] for r in table}
    return {"rows": table, "labels": places, "series": categories,
            "data": [[cells.get((p, c), 0) for p in places] for c in categories]}


# --- The year's figures per handler, for the evaluation ---------------------------------------


@dataclass(frozen=True)
class Figures:
    """Requests a handler answered in a year: how many, how fast, how many on time, how many satisfied."""

    count: int
    median_days: float | None
    on_time_pct: int | None
    rated: int
    satisfied_pct: int | None


def _pct(part: int, whole: int) -> int | None:
    return round(part * 100 / whole) if whole else None


def handler_figures(agency_ids, year: int, committee_id: int | None = None) -> dict[int, Figures]:
    """Per agency, the requests routed to it and answered in ``year`` (in one committee, if given).

    One query whatever the number of agencies or requests: the database groups the rows by agency
    and stored days to answer, so what comes back is one small row per agency and number of days,
    from which the median is exact (no percentile function is needed, which SQLite lacks).
    """
    ids = set(agency_ids)
    if not ids:
        return {}
    start = timezone.make_aware(timezone.datetime(year, 1, 1))
    end = timezone.make_aware(timezone.datetime(year + 1, 1, 1))
    rows = Case.objects.filter(handler_id__in=ids, answered_at__gte=start, answered_at__lt=end)
    if committee_id:
        rows = rows.filter(committee_id=committee_id)
    grouped = (rows.values("handler_id", "answer_days").order_by("handler_id", "answer_days")
               .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(answered_on_time=True)),
                         rated=Count("pk", filter=~Q(rating="")),
                         satisfied=Count("pk", filter=Q(rating__in=Case.SATISFIED_RATINGS))))
    days: dict[int, list[tuple[int, int]]] = defaultdict(list)
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in grouped:
        agency_id = row["handler_id"]
        days[agency_id].append((row["answer_days"] or 0, row["n"]))
        for i, key in enumerate(("n", "on_time", "rated", "satisfied")):
            totals[agency_id][i] += row[key]
    return {agency_id: Figures(count=count, median_days=_median(days[agency_id], count),
                               on_time_pct=_pct(on_time, count), rated=rated,
                               satisfied_pct=_pct(satisfied, rated))
            for agency_id, (count, on_time, rated, satisfied) in totals.items()}


def _median(counted: list[tuple[int, int]], total: int) -> float:
    """The median of ``total`` values given as (value, how many), sorted by value."""
    middle = [(total - 1) // 2, total // 2]
    found, seen = [], 0
    for value, n in counted:
        while middle and middle[0] < seen + n:
            found.append(value)
            middle.pop(0)
        seen += n
    return statistics.mean(found)
