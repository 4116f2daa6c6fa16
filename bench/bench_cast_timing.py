"""How long 50 casts take, one after another and all at once (SQLite busy-wait versus PostgreSQL row lock).

    .venv/bin/pytest bench/bench_cast_timing.py -q -s
    DATABASE_URL=postgres://sanhui:sanhui@127.0.0.1:5432/sanhui TOX_PARALLEL_ENV=bench \\
        .venv/bin/pytest bench/bench_cast_timing.py -q -s
"""

import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection

from decisions import services, triggers
from decisions.models import Ballot
from tests.decisions.factories import choices, make_building_of_households
from tests.factories import make_organizer

pytestmark = pytest.mark.django_db(transaction=True)
VOTERS = 50


@pytest.fixture(autouse=True)
def _triggers(transactional_db):
    triggers.install(connection)
    yield
    triggers.remove(connection)
    if connection.vendor == "sqlite":
        call_command("flush", verbosity=0, interactive=False)
    triggers.install(connection)


def _open_ballot(building, organizer, secrecy):
    ballot = services.ballot_create(committee=building.compound.committee, by=organizer, title="bench",
                                    secrecy=secrecy, electorate=Ballot.Electorate.HOUSEHOLDS,
                                    building=building)
    services.ballot_open(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    return ballot, choices(ballot, "yes")


def _threaded(ballot, yes, voters) -> tuple[float, list[float]]:
    barrier = threading.Barrier(len(voters))
    spans: list[float] = []

    def run(voter):
        try:
            connection.ensure_connection()
            barrier.wait()
            started = time.monotonic()
            services.vote_cast(ballot=ballot, voter=voter, choices=yes)
            spans.append(time.monotonic() - started)
        finally:
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(v,)) for v in voters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - started, sorted(spans)


def test_cast_timing():
    building, voters = make_building_of_households(VOTERS)
    organizer = make_organizer(building.compound.committee)
    for secrecy in (Ballot.Secrecy.SECRET, Ballot.Secrecy.NAMED):
        ballot, yes = _open_ballot(building, organizer, secrecy)
        started = time.monotonic()
        for voter in voters:
            services.vote_cast(ballot=ballot, voter=voter, choices=yes)
        serial = time.monotonic() - started
        ballot, yes = _open_ballot(building, organizer, secrecy)
        threaded, spans = _threaded(ballot, yes, voters)
        assert len(spans) == VOTERS
        print(f"\n{connection.vendor} {secrecy}: {VOTERS} casts one after another {serial:.3f}s; "  # noqa: T201
              f"all at once {threaded:.3f}s (slowest {spans[-1]:.3f}s, median {spans[VOTERS // 2]:.3f}s)")
