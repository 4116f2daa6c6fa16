from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from decisions import services
from decisions.models import Ballot
from tests import databases
from tests.decisions.factories import make_building_of_households, name_scrutineers
from tests.factories import make_organizer

pytestmark = pytest.mark.django_db


@databases.DEMO
def test_seed_demo_creates_ballots_in_every_state_once():
    call_command("seed_demo", force=True, quiet=True, stdout=StringIO())
    statuses = set(Ballot.objects.values_list("status", flat=True))
    assert statuses == set(Ballot.Status.values)
    count = Ballot.objects.count()
    call_command("seed_demo", force=True, quiet=True, stdout=StringIO())
    assert Ballot.objects.count() == count
    # Party votes and floor consultations have open ballots of their own (their subject is set).
    open_ballot = Ballot.objects.get(status=Ballot.Status.OPEN, subject_type__isnull=True)
    assert not open_ballot.participations.filter(user__username="resident").exists()
    assert open_ballot.voices.filter(holders__user__username="resident").exists()


def test_run_ballot_schedule_opens_and_closes_due_ballots():
    building, _reps = make_building_of_households(3)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    now = timezone.now()
    due = services.ballot_create(committee=committee, by=organizer, title="到期开启",
                                 electorate=Ballot.Electorate.HOUSEHOLDS, opens_at=now - timedelta(minutes=1),
                                 closes_at=now + timedelta(days=1))
    name_scrutineers(due, organizer)  # opened by the schedule: its scrutineer has taken their card
    later = services.ballot_create(committee=committee, by=organizer, title="以后开启",
                                   electorate=Ballot.Electorate.HOUSEHOLDS, opens_at=now + timedelta(days=1))
    ending = services.ballot_create(committee=committee, by=organizer, title="到期关闭",
                                    electorate=Ballot.Electorate.HOUSEHOLDS)
    services.ballot_open(ballot=ending, by=organizer)
    ending.closes_at = now - timedelta(seconds=1)
    ending.save(update_fields=["closes_at"])
    out = StringIO()
    call_command("run_ballot_schedule", stdout=out)
    statuses = dict(Ballot.objects.values_list("title", "status"))
    assert statuses == {"到期开启": "open", "以后开启": "draft", "到期关闭": "closed"}
    assert "到期开启" in out.getvalue() and "到期关闭" in out.getvalue()
    assert due.pk and later.pk
