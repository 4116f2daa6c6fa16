"""The 15-working-day deadline across weekends, holidays and make-up working days (调休)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from evaluations.models import Rectification
from members.calendar import add_working_days
from members.models import Holiday
from tests.evaluations.factories import fill, make_open_campaign, make_world, publish

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_fifteen_working_days_skip_weekends():
    # Friday 2026-12-04: three weeks of weekdays later is Friday 2026-12-25.
    assert add_working_days(date(2026, 12, 4), 15) == date(2026, 12, 25)


def test_a_configured_holiday_pushes_the_deadline_and_a_make_up_saturday_pulls_it_back():
    Holiday.objects.create(day=date(2026, 12, 16), name="test holiday")
    assert add_working_days(date(2026, 12, 4), 15) == date(2026, 12, 28)  # Fri 25th + holiday → Mon 28th
    Holiday.objects.create(day=date(2026, 12, 19), kind=Holiday.Kind.WORKDAY, name="调休")
    assert add_working_days(date(2026, 12, 4), 15) == date(2026, 12, 25)


def test_rectification_published_on_a_friday_is_due_fifteen_working_days_later_with_a_holiday():
    Holiday.objects.create(day=date(2027, 1, 1), name="元旦")
    world = make_world(reps=6)
    with time_machine.travel(datetime(2026, 12, 18, 17, 0, tzinfo=SHANGHAI), tick=False):
        campaign = make_open_campaign(world, rectify_all=True)
        for voter in world.reps[campaign.committee_id]:
            fill(campaign, voter, level=1)
        publish(campaign, world.organizers[campaign.committee_id])
    task = Rectification.objects.filter(campaign=campaign).first()
    # Fri 18 Dec → 15 working days: 21-25, 28-31 (9), skip Fri 1 Jan, 4-8 (14), Mon 11 Jan (15).
    assert task.due_on == date(2027, 1, 11)
    assert task.is_overdue(date(2027, 1, 11)) is False
    assert task.is_overdue(date(2027, 1, 12)) is True
