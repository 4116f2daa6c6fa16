"""Residents' requests through their services: filing, routing, handling, answering, rating, closing."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from casework import selectors as sel
from casework import services
from casework.models import Case, CaseEvent, Category
from members.models import Agency, Holiday, Notification
from tests.casework.helpers import answered, filed, png, routed
from tests.factories import make_property_firm, make_street

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
S = Case.Status


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


# --- Filing ------------------------------------------------------------------------------------


def test_a_resident_files_a_request_the_committee_must_answer_or_route_in_two_working_days(world):
    with time_machine.travel(at(2026, 12, 4, 10), tick=False):  # a Friday
        case = filed(world, photo=png())
    assert case.status == S.NEW and case.level == Case.Level.COMMITTEE
    assert case.requester == world.resident and case.channel == Case.Channel.ONLINE
    assert case.due_on == date(2026, 12, 8)  # Monday and Tuesday
    assert case.photos.count() == 1 and case.events.get().kind == CaseEvent.Kind.FILED
    assert Notification.objects.filter(user=world.organizer, kind=Notification.Kind.CASE_NEW).exists()


def test_a_file_that_is_not_really_an_image_is_refused_and_nothing_is_saved(world):
    fake = SimpleUploadedFile("photo.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        filed(world, photo=fake)
    assert error.value.code == "file_content"
    assert not Case.objects.exists()


def test_a_resident_of_another_committee_cannot_file_here(world):
    with pytest.raises(PermissionDenied):
        services.case_file(by=world.other_organizer, committee=world.committee, compound=world.compound,
                           category=Category.NOISE, description="x", requester_name="某人")


def test_a_floor_leader_records_a_request_for_a_resident_of_their_building_only(world):
    case = services.case_file(by=world.floor_leader, committee=world.committee, compound=world.compound,
                              building=world.building, category=Category.NOISE, description="空调外机噪音",
                              requester_name="王阿姨", requester_phone="13800001111")
    assert case.channel == Case.Channel.FLOOR_LEADER and case.requester is None
    with pytest.raises(PermissionDenied):
        services.case_file(by=world.floor_leader, committee=world.committee, compound=world.compound,
                           building=None, category=Category.NOISE, description="x", requester_name="王阿姨")


def test_a_building_of_another_compound_is_refused(world):
    from tests.factories import make_building, make_compound

    elsewhere = make_building(make_compound(world.committee))
    with pytest.raises(ValidationError) as error:
        services.case_file(by=world.resident, committee=world.committee, compound=world.compound,
                           building=elsewhere, category=Category.LIFT, description="电梯坏了")
    assert error.value.code == "foreign_building"


# --- Routing and handling ---------------------------------------------------------------------


def test_routing_gives_the_handler_working_days_across_weekends_and_holidays(world):
    Holiday.objects.create(day=date(2026, 12, 9), name="test holiday")
    with time_machine.travel(at(2026, 12, 7, 9), tick=False):  # a Monday
        case = routed(world)
    assert case.status == S.ROUTED and case.level == Case.Level.HANDLER and case.handler == world.firm
    assert case.due_on == date(2026, 12, 15)  # Tue, Thu, Fri, Mon, Tue: the Wednesday is off
    assert Notification.objects.filter(user=world.firm_contact, kind=Notification.Kind.CASE_NEW).exists()


def test_a_request_cannot_be_routed_to_another_streets_firm(world):
    case = filed(world)
    foreign = make_property_firm(make_street())
    with pytest.raises(ValidationError) as error:
        services.case_route(case=case, by=world.organizer, handler=foreign)
    assert error.value.code == "foreign_handler"
    case.refresh_from_db()
    assert case.status == S.NEW


def test_only_the_committee_routes_and_only_the_handler_accepts(world):
    case = filed(world)
    with pytest.raises(PermissionDenied):
        services.case_route(case=case, by=world.other_organizer, handler=world.firm)
    services.case_route(case=case, by=world.organizer, handler=world.firm)
    with pytest.raises(PermissionDenied):
        services.case_accept(case=case, by=world.police_contact)
    services.case_accept(case=case, by=world.firm_contact)
    with pytest.raises(ValidationError) as error:
        services.case_accept(case=case, by=world.firm_contact)
    assert error.value.code == "invalid_transition"


def test_the_handler_answers_and_the_row_keeps_the_days_and_whether_on_time(world):
    with time_machine.travel(at(2026, 12, 7, 9), tick=False):
        case = routed(world)
        services.case_accept(case=case, by=world.firm_contact)
    with time_machine.travel(at(2026, 12, 10, 15), tick=False):
        services.case_progress(case=case, by=world.firm_contact, text="已上门查看", photo=png("progress.png"))
        case = services.case_answer(case=case, by=world.firm_contact, text="已修复", photo=png("done.png"))
    assert case.status == S.ANSWERED and case.answered_by_handler
    assert case.answer_days == 3 and case.answered_on_time is True
    assert case.photos.count() == 2
    assert Notification.objects.filter(user=world.resident, kind=Notification.Kind.CASE_ANSWERED).exists()


def test_an_answer_needs_words(world):
    case = routed(world)
    services.case_accept(case=case, by=world.firm_contact)
    with pytest.raises(ValidationError) as error:
        services.case_answer(case=case, by=world.firm_contact, text="   ")
    assert error.value.code == "answer_required"


def test_the_committee_answers_a_new_request_at_once(world):
    case = services.case_answer(case=filed(world), by=world.organizer, text="已当场答复")
    assert case.status == S.ANSWERED and not case.answered_by_handler and case.handler is None


def test_the_committee_sends_an_answer_back_once(world):
    case = answered(world)
    case = services.case_return(case=case, by=world.organizer, reason="未说明维修时间")
    assert case.status == S.ACCEPTED and case.returned_count == 1
    case = services.case_answer(case=case, by=world.firm_contact, text="周五上午修复")
    with pytest.raises(ValidationError) as error:
        services.case_return(case=case, by=world.organizer, reason="再退一次")
    assert error.value.code == "already_returned"


# --- Rating, reopening, closing ---------------------------------------------------------------


def test_satisfied_closes_the_request(world):
    case = services.case_rate(case=answered(world), by=world.resident, rating=Case.Rating.SATISFIED)
    assert case.status == S.CLOSED and case.done_at is not None and case.rating == Case.Rating.SATISFIED


def test_only_the_requester_or_the_committee_rates(world):
    with pytest.raises(PermissionDenied):
        services.case_rate(case=answered(world), by=world.neighbour, rating=Case.Rating.SATISFIED)


def test_dissatisfied_reopens_then_escalates_then_closes_with_that_rating(world):
    case = services.case_rate(case=answered(world), by=world.resident, rating=Case.Rating.DISSATISFIED)
    assert case.status == S.ACCEPTED and case.reopen_count == 1 and case.level == Case.Level.HANDLER
    case = services.case_answer(case=case, by=world.firm_contact, text="再次处理")
    case = services.case_rate(case=case, by=world.resident, rating=Case.Rating.DISSATISFIED)
    # Reopened twice: it climbs to the committee (一般矛盾不出村居).
    assert case.status == S.ACCEPTED and case.reopen_count == 2 and case.level == Case.Level.COMMITTEE
    case = services.case_answer(case=case, by=world.organizer, text="居委会协调处理")
    case = services.case_rate(case=case, by=world.resident, rating=Case.Rating.DISSATISFIED)
    assert case.status == S.CLOSED and case.rating == Case.Rating.DISSATISFIED


def test_a_request_closes_without_a_rating_only_after_the_wait_and_with_a_reason(world):
    with time_machine.travel(at(2026, 12, 7, 9), tick=False):
        case = answered(world)
    with time_machine.travel(at(2026, 12, 10, 9), tick=False):
        with pytest.raises(ValidationError) as error:
            services.case_close_unreached(case=case, by=world.organizer, reason="电话无人接听")
        assert error.value.code == "too_early"
    with time_machine.travel(at(2026, 12, 14, 10), tick=False):
        with pytest.raises(ValidationError) as error:
            services.case_close_unreached(case=case, by=world.organizer, reason=" ")
        assert error.value.code == "reason_required"
        case = services.case_close_unreached(case=case, by=world.organizer, reason="三次电话无人接听")
    assert case.status == S.CLOSED and case.rating == "" and case.close_reason == "三次电话无人接听"


def test_the_database_refuses_a_closed_request_without_rating_or_reason(world):
    case = answered(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status=S.CLOSED, done_at=case.answered_at)


def test_the_database_refuses_a_third_reopening_and_a_second_return(world):
    case = answered(world)
    for fields in ({"reopen_count": 3}, {"returned_count": 2}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Case.objects.filter(pk=case.pk).update(**fields)


# --- Escalation by 三不 grade, with the clock moved --------------------------------------------


def test_a_late_request_climbs_handler_committee_street_once_per_lateness(world):
    with time_machine.travel(at(2026, 12, 7, 9), tick=False):  # Monday; due Monday 14th
        case = routed(world)
    with time_machine.travel(at(2026, 12, 14, 23), tick=False):
        assert services.escalate_overdue()["escalated"] == 0  # due today: not late yet
    with time_machine.travel(at(2026, 12, 15, 6), tick=False):
        assert services.escalate_overdue()["escalated"] == 1
        assert services.escalate_overdue()["escalated"] == 0  # a second run the same day changes nothing
    case.refresh_from_db()
    assert case.level == Case.Level.COMMITTEE and case.due_on == date(2026, 12, 18)
    assert Notification.objects.filter(user=world.organizer, kind=Notification.Kind.CASE_DUE).count() == 1
    with time_machine.travel(at(2026, 12, 21, 6), tick=False):
        assert services.escalate_overdue()["escalated"] == 1
    case.refresh_from_db()
    assert case.level == Case.Level.STREET
    assert list(sel.street_queue(world.street)) == [case]
    assert Notification.objects.filter(user=world.officer, kind=Notification.Kind.CASE_DUE).count() == 1
    with time_machine.travel(at(2027, 1, 5, 6), tick=False):
        first = services.escalate_overdue()
        again = services.escalate_overdue()
    assert first["escalated"] == 0 and first["overdue"] >= 1 and again["overdue"] == 0
    case.refresh_from_db()
    assert case.level == Case.Level.STREET
    assert case.events.filter(kind=CaseEvent.Kind.ESCALATED).count() == 2


def test_the_handler_is_reminded_the_day_before_the_due_date_once(world):
    with time_machine.travel(at(2026, 12, 7, 9), tick=False):
        routed(world)
    with time_machine.travel(at(2026, 12, 13, 8), tick=False):
        assert services.escalate_overdue()["reminded"] == 1
        assert services.escalate_overdue()["reminded"] == 0
    assert Notification.objects.filter(user=world.firm_contact, kind=Notification.Kind.CASE_DUE).count() == 1


def test_an_answered_request_is_never_escalated(world):
    with time_machine.travel(at(2026, 12, 7, 9), tick=False):
        case = answered(world)
    with time_machine.travel(at(2027, 1, 30, 9), tick=False):
        assert services.escalate_overdue() == {"escalated": 0, "reminded": 0, "overdue": 0}
    case.refresh_from_db()
    assert case.level == Case.Level.HANDLER


def test_the_committee_sends_a_hard_request_to_the_street_with_a_reason(world):
    case = services.case_escalate(case=routed(world), by=world.organizer, reason="需要街道协调城管")
    assert case.level == Case.Level.STREET
    assert services.case_answer(case=case, by=world.officer, text="街道已协调").status == S.ANSWERED


# --- Privacy ------------------------------------------------------------------------------------


def test_the_handler_sees_the_requester_only_when_named_and_the_phone_never(world):
    hidden, named = routed(world), routed(world, named=True)
    assert sel.requester_shown(world.firm_contact, hidden) == ("", "")
    assert sel.requester_shown(world.firm_contact, named) == ("陈静秘密", "")
    assert sel.requester_shown(world.officer, hidden) == ("陈静秘密", "")
    assert sel.requester_shown(world.organizer, hidden) == ("陈静秘密", "+8613800138123")


def test_the_police_contact_cannot_see_a_request_routed_to_the_firm(world):
    case = routed(world)
    assert not sel.can_see(world.police_contact, case)
    assert sel.can_see(world.firm_contact, case)
    assert routable_kinds(case) >= {Agency.Kind.PROPERTY_FIRM, Agency.Kind.POLICE}


def routable_kinds(case) -> set[str]:
    return set(sel.routable_agencies(case).values_list("kind", flat=True))


# --- The year's figures -------------------------------------------------------------------------


def test_the_handlers_figures_count_median_on_time_and_satisfied(world, django_assert_num_queries):
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):  # Monday
        quick = routed(world)
        slow = routed(world)
        unrated = routed(world)
        for case in (quick, slow, unrated):
            services.case_accept(case=case, by=world.firm_contact)
    with time_machine.travel(at(2026, 3, 3, 9), tick=False):
        services.case_answer(case=quick, by=world.firm_contact, text="ok")
        services.case_answer(case=unrated, by=world.firm_contact, text="ok")
    with time_machine.travel(at(2026, 3, 20, 9), tick=False):
        services.case_answer(case=slow, by=world.firm_contact, text="late")
        services.case_rate(case=quick, by=world.resident, rating=Case.Rating.BASIC)
        services.case_rate(case=slow, by=world.resident, rating=Case.Rating.DISSATISFIED)
    with django_assert_num_queries(1):
        figures = sel.handler_figures([world.firm.pk, world.police.pk], 2026)
    firm = figures[world.firm.pk]
    assert firm.count == 3 and firm.median_days == 1 and firm.on_time_pct == 67
    assert firm.rated == 2 and firm.satisfied_pct == 50
    assert world.police.pk not in figures
    assert sel.handler_figures([world.firm.pk], 2025) == {}
