"""Fault injection against a live gunicorn on PostgreSQL: `make test-faults`.

1. A dedicated database (``sanhui_faults``) is created, migrated and seeded with two open secret
   ballots (one voice per household, no changes allowed) and a signed-in session per voter.
2. gunicorn serves the site with production settings (DEBUG off, a secret key, persistent
   connections with health checks, the manifest static files).
3. Outage: voters (threads) vote; in the middle of the burst PostgreSQL is stopped
   (``pg_ctlcluster … stop -m fast``) and started again a few seconds later.
4. Worker kill: voters vote on the second ballot while gunicorn workers are killed (SIGKILL).
5. Voters behave like people: an answer that is not a receipt ("try again", no answer at all) makes
   them wait and vote again, until they hold a receipt or are told their vote is already recorded.

Then, from the database: every receipt a voter was given is recorded (accepted votes lost = 0),
no voice has two votes (duplicates = 0), every register row carries its sealed paper (partial = 0),
``verify_audit`` passes, no answer was a 500, and the requests caught by the outage got the 503
"try again" page. PostgreSQL is always started again, even when this script fails or is interrupted.

Environment: FAULTS_PG_VERSION (15), FAULTS_PG_CLUSTER (main), FAULTS_PG_PORT (5432),
FAULTS_VOTERS (per phase, 80), FAULTS_THINK_SECONDS (0.3), FAULTS_THREADS (12), FAULTS_HTTP_PORT (8765).
"""

from __future__ import annotations

import atexit
import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
PG_VERSION = os.environ.get("FAULTS_PG_VERSION", "15")
PG_CLUSTER = os.environ.get("FAULTS_PG_CLUSTER", "main")
PG_PORT = os.environ.get("FAULTS_PG_PORT", "5432")
DB_NAME = "sanhui_faults"
DB_URL = f"postgres://sanhui:sanhui@127.0.0.1:{PG_PORT}/{DB_NAME}"
ADMIN_URL = f"postgres://sanhui:sanhui@127.0.0.1:{PG_PORT}/postgres"
VOTERS = int(os.environ.get("FAULTS_VOTERS", "80"))
THINK = float(os.environ.get("FAULTS_THINK_SECONDS", "0.3"))
THREADS = int(os.environ.get("FAULTS_THREADS", "12"))
HTTP_PORT = int(os.environ.get("FAULTS_HTTP_PORT", "8765"))
WORKERS = 3
ARTIFACTS = ROOT / "test-artifacts" / "faults"
FIGURES = ROOT / "test-artifacts" / "figures" / "faults.json"
MARK = "SANHUI-FAULTS="
TRY_AGAIN = ("Please try again in a minute", "请稍后再试")


def log(text: str) -> None:
    print(f"[faults {time.strftime('%H:%M:%S')}] {text}", flush=True)


def env() -> dict:
    e = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION" and not k.startswith("DJANGO_")}
    e.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": DB_URL,
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "SMS_BACKEND": "none",  # production settings refuse the console backend
    })
    return e


ENV = env()


def manage(*args: str, check: bool = True, timeout: int = 600) -> subprocess.CompletedProcess:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=ENV, capture_output=True, text=True,
                            timeout=timeout, stdin=subprocess.DEVNULL)
    if check and result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


# --- PostgreSQL --------------------------------------------------------------------------------

def pg_ctl(action: str, *extra: str) -> None:
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, PG_CLUSTER, action, *extra],
                   check=True, capture_output=True, text=True, timeout=120)


def pg_online() -> bool:
    out = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout
    return any(line.split()[:2] == [PG_VERSION, PG_CLUSTER] and line.split()[3] == "online"
               for line in out.splitlines() if line.strip())


def pg_wait_ready(timeout: float = 60) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", PG_PORT]).returncode == 0:
            return
        time.sleep(0.3)
    raise SystemExit("PostgreSQL did not come back")


def pg_always_restart() -> None:
    """Registered at exit and on signals: never leave the cluster stopped."""
    try:
        if not pg_online():
            log("starting PostgreSQL again (cleanup)")
            pg_ctl("start")
    except Exception as error:  # noqa: BLE001 - cleanup must try, and say why it could not
        log(f"could not restart PostgreSQL: {error}")


def psql(sql: str, url: str = ADMIN_URL) -> None:
    subprocess.run(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True,
                   capture_output=True, text=True, env={**os.environ, "PGCONNECT_TIMEOUT": "10"})


# --- Setup ---------------------------------------------------------------------------------

SEED = r"""
import json
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from importlib import import_module
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore  # the store the server reads
from decisions import services
from decisions.models import Ballot
from members import services as ms
from members.models import Role
from tests.factories import make_user

street = ms.street_ensure(name="故障测试街道")
committee = ms.committee_ensure(street=street, name="故障测试居委")
compound = ms.compound_ensure(committee=committee, name="故障小区")
organizer = make_user(name="organizer", password=None)
ms.role_grant(user=organizer, kind=Role.Kind.ORGANIZER, committee=committee, by=None)
out = {"ballots": []}
for phase in ("outage", "kill"):
    building = ms.building_ensure(compound=compound, name=phase)
    sessions = []
    for i in range(VOTERS):
        household = ms.household_upsert(building=building, door_number=str(100 + i), floor_area=80)
        user = make_user(name=f"{phase}-{i}", password=None)
        m = ms.membership_ensure_verified(user=user, household=household, by=None)
        ms.membership_set_representative(membership=m, by=None)
        s = SessionStore()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s.create()
        sessions.append(s.session_key)
    ballot = services.ballot_create(committee=committee, by=organizer, title=f"faults {phase}",
                                    electorate=Ballot.Electorate.HOUSEHOLDS, building=building,
                                    secrecy=Ballot.Secrecy.SECRET, allow_change=False)
    services.ballot_open(ballot=ballot, by=organizer)
    question = ballot.questions.first()
    options = list(question.options.values_list("pk", flat=True))
    out["ballots"].append({"phase": phase, "pk": ballot.pk, "question": question.pk, "options": options,
                           "sessions": sessions})
print(MARK + json.dumps(out))
"""

CHECK = r"""
import json
from django.db.models import Count
from decisions.models import Participation
out = {}
for pk in BALLOTS:
    parts = Participation.objects.filter(ballot_id=pk)
    out[str(pk)] = {
        "receipts": list(parts.values_list("receipt", flat=True)),
        "per_voice_max": max(parts.values("voice").annotate(n=Count("id")).values_list("n", flat=True),
                             default=0),
        "participations": parts.count(),
        "voices": parts.values("voice").distinct().count(),
        # A secret cast's paper is sealed into its register row: a row without one is a partial cast.
        "papers": parts.filter(paper__isnull=False).count(),
    }
print(MARK + json.dumps(out))
"""


def setup_database() -> dict:
    pg_always_restart()
    pg_wait_ready()
    log(f"creating database {DB_NAME}")
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB_NAME} OWNER sanhui")
    manage("migrate", "--noinput")
    manage("createcachetable")
    manage("collectstatic", "--noinput", "-v", "0")
    result = manage("shell", "-c", SEED.replace("VOTERS", str(VOTERS)).replace("MARK", repr(MARK)))
    line = [x for x in result.stdout.splitlines() if x.startswith(MARK)][-1]
    return json.loads(line[len(MARK):])


# --- gunicorn ------------------------------------------------------------------------------

class Gunicorn:
    def __init__(self):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.log = open(ARTIFACTS / "gunicorn.log", "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{HTTP_PORT}", "-w", str(WORKERS),
             "--timeout", "30", "--graceful-timeout", "5", "--access-logfile", "-", "--no-control-socket"],
            cwd=ROOT, env=ENV, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        end = time.time() + 60
        while time.time() < end:
            try:
                if request("GET", "/accounts/login/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit("gunicorn did not start; see test-artifacts/faults/gunicorn.log")

    def workers(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


# --- HTTP ----------------------------------------------------------------------------------

def request(method: str, path: str, *, cookies: dict | None = None, data: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=40)
    headers = {"Accept-Language": "en", "Host": "127.0.0.1"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if data is not None:
        body = urlencode(data, doseq=True)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, dict(response.getheaders()), text, response.msg.get_all("Set-Cookie") or []
    finally:
        conn.close()


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.answers = Counter()          # status (or "no answer") → count
        self.receipts: dict[str, set] = {}  # ballot pk → receipt codes given to voters
        self.already = 0                  # "already recorded" after a lost answer
        self.gave_up = 0
        self.outage_answers = Counter()   # answers while the database was down
        self.false_503 = 0                # 503 pages without the "try again" text
        self.errors: list[str] = []

    def add(self, key, outage: bool):
        with self.lock:
            self.answers[key] += 1
            if outage:
                self.outage_answers[key] += 1


OUTAGE = threading.Event()


def vote(ballot: dict, session: str, tally: Tally, deadline: float) -> None:
    """One person voting: retry like a person on anything but a receipt or 'already recorded'."""
    cookies = {"sessionid": session}
    attempt = 0
    while time.time() < deadline:
        attempt += 1
        outage = OUTAGE.is_set()
        try:
            status, headers, text, set_cookies = request("GET", f"/ballots/{ballot['pk']}/", cookies=cookies)
            tally.add(f"GET {status}", outage)
            if status != 200:
                _check_503(status, text, tally)
                time.sleep(0.5 + 0.2 * attempt)
                continue
            if f'name="q{ballot["question"]}"' not in text:
                if "Your vote has been recorded" in text:  # recorded, though its answer was lost
                    with tally.lock:
                        tally.already += 1
                    return
                tally.errors.append(f"no vote form and no recorded vote on the ballot page: {text[:300]}")
                return
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
            for cookie in set_cookies:
                name, _, rest = cookie.partition("=")
                cookies[name.strip()] = rest.split(";", 1)[0]
            if token is None:
                tally.errors.append(f"no CSRF token on the ballot page (attempt {attempt})")
                return
            time.sleep(THINK * (0.5 + secrets.randbelow(100) / 100))  # a person reads and taps
            choice = ballot["options"][attempt % len(ballot["options"])]
            outage = OUTAGE.is_set()
            status, headers, text, _ = request("POST", f"/ballots/{ballot['pk']}/vote/", cookies=cookies, data={
                f"q{ballot['question']}": choice, "action": "confirm", "after": "0",
                "csrfmiddlewaretoken": token.group(1)})
        except (OSError, http.client.HTTPException):
            tally.add("no answer", outage)
            time.sleep(0.5 + 0.2 * attempt)
            continue
        tally.add(f"POST {status}", outage)
        location = headers.get("Location", "")
        found = re.search(r"/receipt/([A-Z0-9-]+)/", location)
        if status == 302 and found:
            with tally.lock:
                tally.receipts.setdefault(str(ballot["pk"]), set()).add(found.group(1))
            return
        if status == 302:  # back to the ballot with a message: recorded before, or refused
            continue
        _check_503(status, text, tally)
        time.sleep(0.5 + 0.2 * attempt)
    with tally.lock:
        tally.gave_up += 1


def _check_503(status: int, text: str, tally: Tally) -> None:
    if status == 503 and not any(t in text for t in TRY_AGAIN):
        with tally.lock:
            tally.false_503 += 1
    if status >= 500 and status != 503:
        with tally.lock:
            tally.errors.append(f"{status}: {text[:200]}")


def burst(ballot: dict, tally: Tally, *, duration: float = 90) -> list[threading.Thread]:
    sessions = list(ballot["sessions"])
    deadline = time.time() + duration
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if not sessions:
                    return
                session = sessions.pop()
            vote(ballot, session, tally, deadline)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(THREADS)]
    for t in threads:
        t.start()
    return threads


def wait_for_receipts(tally: Tally, ballot: dict, n: int, timeout: float = 30) -> None:
    end = time.time() + timeout
    while time.time() < end and len(tally.receipts.get(str(ballot["pk"]), ())) < n:
        time.sleep(0.05)


# --- Main ----------------------------------------------------------------------------------

def main() -> int:
    atexit.register(pg_always_restart)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: sys.exit(1))
    data = setup_database()
    outage_ballot, kill_ballot = data["ballots"]
    server = Gunicorn()
    tally = Tally()
    faults = 0
    try:
        # 1. PostgreSQL stops in the middle of a burst, and comes back.
        log(f"outage phase: {VOTERS} voters, {THREADS} at a time")
        threads = burst(outage_ballot, tally)
        wait_for_receipts(tally, outage_ballot, VOTERS // 4)
        log("stopping PostgreSQL (fast)")
        OUTAGE.set()
        pg_ctl("stop", "-m", "fast")
        faults += 1
        time.sleep(4)
        log("starting PostgreSQL")
        pg_ctl("start")
        pg_wait_ready()
        OUTAGE.clear()
        for t in threads:
            t.join()
        # 2. gunicorn workers killed (SIGKILL) in the middle of requests.
        log(f"worker-kill phase: {VOTERS} voters")
        threads = burst(kill_ballot, tally)
        for round_ in range(3):
            wait_for_receipts(tally, kill_ballot, (round_ + 1) * VOTERS // 5)
            pids = server.workers()
            if pids:
                os.kill(pids[round_ % len(pids)], signal.SIGKILL)
                faults += 1
                log(f"killed worker {pids[round_ % len(pids)]}")
            time.sleep(0.3)
        for t in threads:
            t.join()
    finally:
        server.stop()
        pg_always_restart()
        pg_wait_ready()

    # 3. What the database says.
    pks = [outage_ballot["pk"], kill_ballot["pk"]]
    result = manage("shell", "-c", CHECK.replace("BALLOTS", repr(pks)).replace("MARK", repr(MARK)))
    stored = json.loads([x for x in result.stdout.splitlines() if x.startswith(MARK)][-1][len(MARK):])
    audit = manage("verify_audit", check=False)

    given = sum(len(v) for v in tally.receipts.values())
    lost = sum(len(tally.receipts.get(str(pk), set()) - set(stored[str(pk)]["receipts"])) for pk in pks)
    duplicates = sum(max(0, stored[str(pk)]["per_voice_max"] - 1) for pk in pks)
    partial = sum(abs(stored[str(pk)]["participations"] - stored[str(pk)]["papers"]) for pk in pks)
    recorded = sum(stored[str(pk)]["participations"] for pk in pks)
    outage_503 = sum(v for k, v in tally.outage_answers.items() if k.endswith("503"))
    figures = {
        "faults_injected": faults, "database_outages": 1, "workers_killed": faults - 1,
        "voters": 2 * VOTERS, "receipts_given": given, "votes_recorded": recorded,
        "accepted_votes_lost": lost, "duplicates": duplicates, "partial_ballots": partial,
        "answers": dict(tally.answers), "answers_during_outage": dict(tally.outage_answers),
        "try_again_503": sum(v for k, v in tally.answers.items() if k.endswith("503")),
        "outage_503": outage_503, "already_recorded_after_lost_answer": tally.already,
        "gave_up": tally.gave_up, "server_errors": len(tally.errors), "bad_503_pages": tally.false_503,
        "verify_audit": audit.returncode == 0,
    }
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(json.dumps(figures, indent=2, sort_keys=True))
    log(json.dumps(figures, indent=2, sort_keys=True))

    failures = []
    if lost:
        failures.append(f"{lost} vote(s) answered with a receipt are not in the database")
    if duplicates:
        failures.append(f"{duplicates} voice(s) voted twice")
    if partial:
        failures.append(f"register and papers differ by {partial}")
    if audit.returncode != 0:
        failures.append("verify_audit failed:\n" + audit.stdout + audit.stderr)
    if tally.errors:
        failures.append(f"{len(tally.errors)} answer(s) were errors other than 503: {tally.errors[:5]}")
    if tally.false_503:
        failures.append(f"{tally.false_503} 503 answer(s) without the 'try again' page")
    if not outage_503:
        failures.append("no request was answered 503 during the outage: the fault did not bite")
    if recorded != given + tally.already:
        failures.append(f"{recorded} votes recorded but {given} receipts given and {tally.already} told "
                        "'already recorded'")
    if tally.gave_up:
        failures.append(f"{tally.gave_up} voter(s) could not vote within the time allowed")
    for failure in failures:
        log("FAIL: " + failure)
    log("PASSED" if not failures else "FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
