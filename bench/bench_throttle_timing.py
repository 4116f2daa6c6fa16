"""What the shared vote throttle costs: one count alone, and a whole cast request with and without it.

Each statement commits as in production (no test transaction around it).

    .venv/bin/pytest bench/bench_throttle_timing.py -q -s
    DATABASE_URL=postgres://sanhui:sanhui@127.0.0.1:5432/sanhui TOX_PARALLEL_ENV=bench \\
        .venv/bin/pytest bench/bench_throttle_timing.py -q -s
"""

import statistics
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decisions import triggers
from decisions.throttle import throttle_hit
from tests.decisions.factories import make_open_ballot, option

pytestmark = pytest.mark.django_db(transaction=True)
VOTERS = 60


@pytest.fixture(autouse=True)
def _triggers(transactional_db):
    triggers.install(connection)
    yield
    triggers.remove(connection)
    if connection.vendor == "sqlite":
        call_command("flush", verbosity=0, interactive=False)
    triggers.install(connection)


def _ms(samples: list[float]) -> str:
    p95 = sorted(samples)[int(len(samples) * .95)]
    return f"median {statistics.median(samples) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


def test_one_count():
    samples = []
    for i in range(500):
        started = time.perf_counter()
        throttle_hit(f"vote:{i % 50}", period=60)
        samples.append(time.perf_counter() - started)
    print(f"\n[{connection.vendor}] one throttle count (upsert, own commit): {_ms(samples)}")  # noqa: T201


def _casts(store: str) -> tuple[list[float], int]:
    ballot, _organizer, voters = make_open_ballot(n=VOTERS, allow_change=False)
    yes = option(ballot, "yes")
    url = reverse("decisions:ballot_vote", args=[ballot.pk])
    samples, statements = [], 0
    with override_settings(VOTE_THROTTLE_STORE=store):
        for voter in voters:
            client = Client()
            client.force_login(voter)
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.post(url, {f"q{yes.question_id}": yes.pk, "action": "confirm", "after": "0"})
                samples.append(time.perf_counter() - started)
            assert response.status_code == 302
            statements = len(ctx.captured_queries)
    return samples, statements


def test_a_cast_request_with_and_without_the_shared_count():
    _casts("cache")  # warm up: the first casts of a process build what later ones reuse
    for store, label in (("database", "shared throttle"), ("cache", "in-memory throttle (no statement)"),
                         ("database", "shared throttle")):
        samples, statements = _casts(store)
        print(f"\n[{connection.vendor}] cast request, {label}: {_ms(samples)}, {statements} statements")  # noqa: T201
