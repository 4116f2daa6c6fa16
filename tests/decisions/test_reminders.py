"""The closing reminder reaches exactly those who have not voted, once, after commit.

One building of seven households votes on a secret ballot that closes on 10 March at 20:00.
Frozen time walks through the days; captured mail (``mail.outbox``) shows who was told:

  101 陈  votes online                          → no reminder
  102 周  votes on paper (batch confirmed)       → no reminder
  103 吴  and 吴2 (one voice per household, any member): 吴2 votes → neither is reminded
  104 郑  has turned reminders off               → nothing in the list, no mail
  105 孙  has not voted                          → reminded, in the list and by mail
  106 钱  has not voted, no e-mail address       → reminded in the list only
  107 冯  handed in a paper sheet whose batch waits for the second organizer → no reminder
"""

import threading
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from decisions import services
from decisions.models import Ballot
from members import services as member_services
from members.models import Notification
from members.notifications import set_opt_out
from tests.decisions.factories import choices, make_paper_batch, open_box
from tests.factories import make_building, make_household, make_organizer, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SHANGHAI = ZoneInfo("Asia/Shanghai")
OPENS = datetime(2026, 3, 7, 9, 0, tzinfo=SHANGHAI)
CLOSES = datetime(2026, 3, 10, 20, 0, tzinfo=SHANGHAI)


def _member(household, name: str, email: str = "", representative: bool = False):
    user = make_user(name=name, email=email)
    membership = member_services.membership_ensure_verified(user=user, household=household, by=None)
    if representative:
        member_services.membership_set_representative(membership=membership, by=None)
    return user


@pytest.fixture
def building():
    """The ballot, open since 7 March 09:00, and who has done what by 9 March."""
    b = make_building()
    committee = b.compound.committee
    organizer, second = make_organizer(committee), make_organizer(committee)
    people = {}
    for door, names in [("101", ["陈"]), ("102", ["周"]), ("103", ["吴", "吴2"]), ("104", ["郑"]),
                        ("105", ["孙"]), ("106", ["钱"]), ("107", ["冯"])]:
        household = make_household(b, door_number=door)
        for i, name in enumerate(names):
            email = "" if name == "钱" else f"{door}-{i}@example.org"
            people[name] = _member(household, name, email, representative=(i == 0))
    outsider = make_user(name="邻楼", email="outsider@example.org")
    _member(make_household(make_building(b.compound)), "邻楼2", "o2@example.org")
    with time_machine.travel(OPENS - timedelta(hours=1), tick=False):
        ballot = services.ballot_create(
            committee=committee, by=organizer, title="1号楼楼道堆物清理", electorate=Ballot.Electorate.HOUSEHOLDS,
            household_voice=Ballot.HouseholdVoice.FIRST_MEMBER, building=b, closes_at=CLOSES)
    with time_machine.travel(OPENS, tick=False):
        services.ballot_open(ballot=ballot, by=organizer)
    with time_machine.travel(OPENS + timedelta(days=1), tick=False):
        services.vote_cast(ballot=ballot, voter=people["陈"], choices=choices(ballot, "yes"))
        services.vote_cast(ballot=ballot, voter=people["吴2"], choices=choices(ballot, "no"))
        batch = make_paper_batch(ballot, organizer, [people["周"]], [{"choices": choices(ballot, "yes")}])
        services.paper_batch_confirm(batch=batch, by=second)
        make_paper_batch(ballot, organizer, [people["冯"]], [{"choices": choices(ballot, "no")}])
    set_opt_out(user=people["郑"], kind=Notification.Kind.REMINDER, off=True)
    mail.outbox.clear()  # the opening notices
    return {"ballot": ballot, "people": people, "outsider": outsider, "organizer": organizer}


def _reminded():
    return sorted(Notification.objects.filter(kind=Notification.Kind.REMINDER).values_list("user__full_name",
                                                                                            flat=True))


def test_the_reminder_reaches_exactly_those_who_have_not_voted_24_hours_before_close(building):
    people = building["people"]
    with time_machine.travel(CLOSES - timedelta(hours=24, minutes=1), tick=False):
        assert services.ballots_send_reminders() == []     # a minute too early
    assert mail.outbox == [] and _reminded() == []

    with time_machine.travel(CLOSES - timedelta(hours=23, minutes=59), tick=False):
        out = StringIO()
        call_command("run_ballot_schedule", stdout=out)
    assert "reminded 2" in out.getvalue()

    assert _reminded() == ["孙", "钱"]
    assert [m.to for m in mail.outbox] == [["105-0@example.org"]]
    message = mail.outbox[0]
    assert "1号楼楼道堆物清理" in message.subject
    assert f"/ballots/{building['ballot'].pk}/" in message.body
    reminder = Notification.objects.get(user=people["孙"], kind=Notification.Kind.REMINDER)
    assert reminder.dedupe_key == f"reminder:ballot:{building['ballot'].pk}"
    assert reminder.emailed_at is not None
    assert not Notification.objects.filter(user=people["郑"], kind=Notification.Kind.REMINDER).exists()


def test_running_the_reminder_job_again_tells_nobody_twice(building):
    for minutes in (0, 1, 30, 600):
        with time_machine.travel(CLOSES - timedelta(hours=23) + timedelta(minutes=minutes), tick=False):
            call_command("send_ballot_reminders", stdout=StringIO())
    assert _reminded() == ["孙", "钱"]
    assert len(mail.outbox) == 1


def test_someone_who_votes_after_the_reminder_is_not_reminded_again_and_late_voters_are_caught(building):
    people = building["people"]
    ballot = building["ballot"]
    with time_machine.travel(CLOSES - timedelta(hours=20), tick=False):
        services.ballots_send_reminders()
        services.vote_cast(ballot=ballot, voter=people["孙"], choices=choices(ballot, "yes"))
        services.ballots_send_reminders()
    assert _reminded() == ["孙", "钱"]
    assert len(mail.outbox) == 1


def test_no_reminder_for_a_closed_ballot_or_one_without_a_closing_time(building):
    ballot = building["ballot"]
    with time_machine.travel(CLOSES + timedelta(minutes=1), tick=False):
        services.ballots_run_schedule()        # closes it
        assert services.ballots_send_reminders() == []
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.CLOSED
    with pytest.raises(ValidationError) as error:
        services.ballot_remind(ballot=ballot)
    assert error.value.code == "not_open"
    assert _reminded() == [] and mail.outbox == []


def test_two_reminder_jobs_running_at_once_remind_each_person_once(building):
    outcomes = []

    def run():
        try:
            with time_machine.travel(CLOSES - timedelta(hours=2), tick=False):
                outcomes.append(sum(n for _b, n in services.ballots_send_reminders()))
        except BaseException as exc:  # the test decides
            outcomes.append(exc)
        finally:
            connection.close()

    barrier_threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in barrier_threads:
        thread.start()
    for thread in barrier_threads:
        thread.join(timeout=60)
    assert sorted(outcomes, key=str) == [0, 0, 2]
    assert _reminded() == ["孙", "钱"]
    assert len(mail.outbox) == 1


def test_opening_and_publishing_notify_the_electorate_and_nobody_else(building):
    ballot, people = building["ballot"], building["people"]
    opened = set(Notification.objects.filter(kind=Notification.Kind.OPENING).values_list("user_id", flat=True))
    assert opened == {p.pk for p in people.values()}
    with time_machine.travel(CLOSES + timedelta(hours=1), tick=False):
        services.ballot_close(ballot=ballot, by=building["organizer"])
        open_box(ballot)
        services.ballot_publish(ballot=ballot, by=building["organizer"])
    told = set(Notification.objects.filter(kind=Notification.Kind.RESULT).values_list("user_id", flat=True))
    assert told == {p.pk for p in people.values()}
    assert building["outsider"].pk not in told
    assert len(mail.outbox) == 7   # everyone with an address; 钱 has none
    result = Notification.objects.filter(kind=Notification.Kind.RESULT).first()
    assert result.url == f"/ballots/{ballot.pk}/results/"


def test_a_failed_opening_notifies_nobody():
    b = make_building()
    organizer = make_organizer(b.compound.committee)
    ballot = services.ballot_create(committee=b.compound.committee, by=organizer, title="无人可投",
                                    electorate=Ballot.Electorate.HOUSEHOLDS, building=b)
    with pytest.raises(ValidationError):
        services.ballot_open(ballot=ballot, by=organizer)
    assert not Notification.objects.exists() and mail.outbox == []


def test_a_ballot_opened_less_than_24_hours_before_its_close_gets_no_second_notice():
    b = make_building()
    organizer = make_organizer(b.compound.committee)
    voter = _member(make_household(b), "晚", "late@example.org", representative=True)
    with time_machine.travel(CLOSES - timedelta(hours=10), tick=False):
        ballot = services.ballot_create(committee=b.compound.committee, by=organizer, title="临时表决",
                                        electorate=Ballot.Electorate.HOUSEHOLDS, building=b, closes_at=CLOSES)
        services.ballot_open(ballot=ballot, by=organizer)
        services.ballots_send_reminders()
    assert list(Notification.objects.filter(user=voter).values_list("kind", flat=True)) == ["opening"]
    assert "2026-03-10 20:00" in mail.outbox[0].body   # the opening notice says when it closes
