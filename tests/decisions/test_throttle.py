"""The vote throttle is one count per person shared by every worker process and host.

In process: the count, its windows, pruning, the evaluation sheet. Across processes: a real gunicorn
with two workers, started here against a file-based SQLite database (or, when the suite runs on
PostgreSQL, a PostgreSQL database of its own), where the 21st vote POST of a minute gets 429.
"""

import http.client
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from decisions.models import Participation, ThrottleCount
from decisions.throttle import throttle_hit, throttle_prune
from evaluations import services as evaluation_services
from tests.decisions.factories import choices, make_open_ballot
from tests.deliberation.party_factories import make_consultation, yes_option
from tests.evaluations.factories import make_world, settings, sheet

ROOT = Path(__file__).resolve().parents[2]
MARK = "SANHUI-THROTTLE="


@pytest.mark.django_db
def test_a_count_is_per_subject_and_per_window():
    t = 1_000_040.0  # 20 s into a 60-second window (1,000,020 is a multiple of 60)
    assert [throttle_hit("vote:1", period=60, now=t) for _ in range(3)] == [1, 2, 3]
    assert throttle_hit("vote:2", period=60, now=t) == 1
    assert throttle_hit("vote:1", period=60, now=t + 39) == 4  # same window
    assert throttle_hit("vote:1", period=60, now=t + 40) == 1  # the next window starts afresh
    assert ThrottleCount.objects.count() == 3


@pytest.mark.django_db
def test_on_postgresql_the_counts_are_unlogged_so_a_count_adds_no_flush_to_a_vote():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no unlogged tables")
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = %s", [ThrottleCount._meta.db_table])
        assert cursor.fetchone()[0] == "u"


@pytest.mark.django_db
def test_pruning_deletes_ended_windows_only():
    t = 2_000_010.0
    throttle_hit("vote:1", period=60, now=t - 120)
    throttle_hit("vote:1", period=60, now=t - 60)
    throttle_hit("vote:1", period=60, now=t)
    assert throttle_prune(period=60, now=t) == 2
    assert list(ThrottleCount.objects.values_list("hits", flat=True)) == [1]


@pytest.mark.django_db
@override_settings(VOTE_THROTTLE="3/60")
def test_the_vote_page_counts_in_the_database_and_refuses_past_the_limit():
    ballot, _organizer, voters = make_open_ballot(n=2)
    client = Client()
    client.force_login(voters[0])
    url = reverse("decisions:ballot_vote", args=[ballot.pk])
    data = {f"q{q}": opts for q, opts in choices(ballot, "yes").items()}
    assert [client.post(url, data).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert ThrottleCount.objects.get(subject=f"vote:{voters[0].pk}").hits == 4


@pytest.mark.django_db
@override_settings(VOTE_THROTTLE="2/60")
def test_an_evaluation_sheet_handed_in_past_the_limit_gets_429_and_records_nothing():
    world = make_world(reps=2, stationed=1)
    committee = world.committees[0]
    campaign = evaluation_services.campaign_create(committee=committee, by=world.organizers[committee.pk],
                                                   settings=settings(include_committee=True))
    evaluation_services.campaign_open(campaign=campaign, by=world.organizers[committee.pk])
    url = reverse("evaluations:sheet_fill", args=[campaign.pk])
    ratings = {f"q{q}": str(o) for q, o in sheet(campaign, lambda item: 1).items()}
    evaluator = world.reps[committee.pk][0]
    client = Client()
    client.force_login(evaluator)
    assert client.post(url, {"after": "0"}).status_code == 200  # incomplete: the sheet again, counted
    assert client.post(url, {"after": "0"}).status_code == 200
    refused = client.post(url, {**ratings, "after": "0"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert not Participation.objects.filter(ballot=campaign.ballot).exists()
    assert client.get(url).status_code == 200  # reading the sheet is not counted


@pytest.mark.django_db
@override_settings(VOTE_THROTTLE="2/60")
def test_a_floor_consultation_answer_past_the_limit_gets_429_and_records_nothing():
    consultation, _leader, residents = make_consultation()
    client = Client()
    client.force_login(residents[0])
    url = reverse("deliberation:floor_answer", args=[consultation.pk])
    assert client.post(url, {}).status_code == 200  # no option chosen: the form again, counted
    assert client.post(url, {}).status_code == 200
    refused = client.post(url, {"option": yes_option(consultation.ballot), "comment": "同意"})
    assert refused.status_code == 429
    assert not Participation.objects.filter(ballot=consultation.ballot).exists()


@pytest.mark.django_db
def test_the_scheduled_job_forgets_ended_windows():
    from django.core.management import call_command

    throttle_hit("vote:1", period=60, now=time.time() - 600)
    call_command("run_ballot_schedule", stdout=io.StringIO(), stderr=io.StringIO())
    assert not ThrottleCount.objects.exists()


def test_the_throttle_counts_in_redis_when_there_is_one_and_in_the_database_otherwise():
    from tests.test_deploy import MARK as PROBE_MARK
    from tests.test_deploy import production_env, shell_json

    probe = ("import json\nfrom django.conf import settings\n"
             f"print({PROBE_MARK!r} + json.dumps([settings.VOTE_THROTTLE_STORE, "
             "settings.CACHES['throttle']['BACKEND']]))")
    with_redis = shell_json(probe, production_env(REDIS_URL="redis://10.0.0.30:6379/1"))
    assert with_redis == ["cache", "django.core.cache.backends.redis.RedisCache"]
    env = production_env()
    env.pop("REDIS_URL", None)
    assert shell_json(probe, env)[0] == "database"


def test_the_system_check_refuses_an_sqlite_without_upsert(monkeypatch):
    from decisions import throttle

    monkeypatch.setattr(throttle.sqlite3, "sqlite_version_info", (3, 31, 1))
    found = throttle.check_upsert_support()
    assert [e.id for e in found] == (["decisions.E001"] if connection.vendor == "sqlite" else [])


# --- Two gunicorn workers ----------------------------------------------------------------------

SEED = r"""
import json
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from tests.decisions.factories import choices, make_open_ballot
from tests.deliberation.party_factories import make_consultation, yes_option
ballot, organizer, voters = make_open_ballot(n=2)
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(voters[0].pk)
store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
store[HASH_SESSION_KEY] = voters[0].get_session_auth_hash()
store.create()
print(MARK + json.dumps({"ballot": ballot.pk, "session": store.session_key,
                         "choices": {f"q{q}": opts for q, opts in choices(ballot, "yes").items()}}))
"""


def _server_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTEST_VERSION", "REDIS_URL", "DATABASE_URL") and not k.startswith("DJANGO_")}
    # DEBUG only so the pages' static files are served without a collectstatic run; the throttle,
    # the sessions and the database are those of production.
    env.update({"DJANGO_DEBUG": "1", "DATABASE_URL": database_url, "VOTE_THROTTLE": "20/60",
                "CONN_MAX_AGE": "60", "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"})
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result.stdout


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(port: int, method: str, path: str, cookies: dict, data: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Accept-Language": "en", "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    body = None
    if data is not None:
        body = urlencode(data, doseq=True)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace"), response.msg.get_all("Set-Cookie") or []
    finally:
        conn.close()


@pytest.fixture
def server_database(transactional_db) -> str:
    """This test process's database, for the server to use: migrated already, its rows committed by
    the server and emptied after the test (a transactional test)."""
    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql":
        return f"sqlite:///{name}"
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))


def test_with_two_gunicorn_workers_the_21st_vote_post_in_a_minute_gets_429(server_database, tmp_path):
    env = _server_env(server_database)
    seeded = _manage(env, "shell", "-c", SEED.replace("MARK", repr(MARK)))
    world = json.loads([line for line in seeded.splitlines() if line.startswith(MARK)][-1][len(MARK):])
    port = _free_port()
    access_log = tmp_path / "access.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2",
         "--timeout", "30", "--no-control-socket", "--access-logfile", str(access_log),
         "--access-logformat", "%(p)s %(m)s %(s)s"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        cookies = {"sessionid": world["session"]}
        path = f"/ballots/{world['ballot']}/"
        deadline = time.time() + 60
        while True:
            try:
                status, text, set_cookies = _request(port, "GET", path, cookies)
                if status == 200:
                    break
            except OSError:
                pass
            assert time.time() < deadline, "gunicorn did not start"
            time.sleep(0.3)
        for cookie in set_cookies:
            name, _, rest = cookie.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text).group(1)
        if 60 - time.time() % 60 < 20:  # all 21 POSTs within one window of the minute
            time.sleep(60 - time.time() % 60 + 0.5)
        data = {**world["choices"], "csrfmiddlewaretoken": token}
        vote = f"/ballots/{world['ballot']}/vote/"
        with ThreadPoolExecutor(max_workers=4) as pool:  # both workers busy at once
            statuses = list(pool.map(lambda _: _request(port, "POST", vote, cookies, data)[0], range(21)))
        assert sorted(statuses) == [200] * 20 + [429], statuses
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)
    pids = {line.split()[0] for line in access_log.read_text().splitlines() if " POST " in line}
    assert len(pids) == 2, access_log.read_text()  # the count was shared, not one worker's
