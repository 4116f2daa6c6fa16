# ruff: noqa: T201, S603, S607 - a command-line drill that starts and signals the programs it tests
"""The cluster drill, `make test-cluster`: a burst of votes through nginx while the cluster's pieces fail.

1. ``scripts/cluster.sh start`` brings up the cluster of docs/DEPLOY.md on this machine (two app
   hosts behind nginx, a PostgreSQL primary with a synchronous hot standby, Redis, the schedule on
   both hosts); ``stop`` ends it afterwards, whatever happens (also on Ctrl-C or an error).
2. bench/prepare.py loads the burst's data through the app's settings (2,000 households on one open
   secret ballot, each with a signed-in session).
3. The burst of bench/load.py: 2,000 distinct voters sent evenly within 10 s, through nginx. During it:
     t=2 s    every worker of app host 1 is killed (SIGKILL; its gunicorn master starts new ones);
     t=4 s    Redis is restarted (empty);
     t=5.5 s  the WAL stops leaving the primary (its walsender is stopped: a congested link);
     t=6.5 s  the primary dies (SIGKILL to every process of the server);
     t=7.5 s  the standby is promoted (a failover manager's second to notice).
   The app hosts find the new primary by themselves (DATABASE_URL lists both servers,
   target_session_attrs=read-write). A voter whose answer is not a receipt behaves as the "try
   again" page asks: waits, looks at the ballot page (a vote recorded shows there), votes again.
4. From the new primary: every receipt given is a vote found (lost = 0), no voice voted twice
   (duplicated = 0), every register row has its sealed paper, ``verify_audit`` passes; no answer was
   a 500 or a bare 502, every 503 was the "try again" page; every voter who got "try again" then
   voted successfully; the street page, which reads from the replica, still answers with one server
   left; the schedule ran on both hosts every minute of the drill.

CLUSTER_SYNC=0 (``make test-cluster-async``): the same drill with an asynchronous standby. Receipts
given while the link was stalled are then missing from the promoted standby: the variant reports
them as lost and exits 0 if it lost some (it shows what the synchronous standby prevents), 1 if not.

Prints and writes to test-artifacts/cluster/drill-{sync,async}.json: votes sent, receipts given, votes
found, lost, duplicated, seconds without service.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.load import CSRF  # noqa: E402 - the driver's CSRF secret (standard library module)

PY = str(ROOT / ".venv" / "bin" / "python")
CLUSTER = ["bash", str(ROOT / "scripts" / "cluster.sh")]
C = ROOT / ".cluster"
SYNC = os.environ.get("CLUSTER_SYNC", "1") == "1"
MODE = "sync" if SYNC else "async"
NGINX = os.environ.get("CLUSTER_NGINX", "127.0.0.1:8091")
VOTERS = int(os.environ.get("DRILL_VOTERS", "2000"))
WINDOW = float(os.environ.get("DRILL_WINDOW", "10"))
IN_FLIGHT = 256  # as bench/run.py's burst: at most this many requests open at once (a voter
                 # waiting to try again holds none, so the 2,000 are still sent within the window)
RETRY_FOR = 90.0  # seconds a voter keeps trying after the burst's window
ARTIFACTS = ROOT / "test-artifacts" / "cluster"
FIGURES = ROOT / "test-artifacts" / "figures" / "cluster.json"
MARK = "SANHUI-DRILL="
TRY_AGAIN = ("Please try again in a minute", "请稍后再试")
RECORDED = ("You have voted", "Your vote has been recorded")  # the ballot page once a vote is in
# The faults, in seconds after the burst starts (module docstring).
FAULTS = [(2.0, ["kill-host", "1"]), (4.0, ["restart-redis"]), (5.5, ["stall-replication"]),
          (6.5, ["kill-primary"]), (7.5, ["promote"])]


def log(text: str) -> None:
    print(f"[drill {time.strftime('%H:%M:%S')}] {text}", flush=True)


def cluster(*args: str, check: bool = True) -> None:
    subprocess.run([*CLUSTER, *args], check=check, cwd=ROOT, stdin=subprocess.DEVNULL)


def app_env() -> dict:
    """The app hosts' environment (.cluster/env), for manage.py and bench/prepare.py."""
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION" and not k.startswith("DJANGO_")}
    for line in (C / "env").read_text().splitlines():
        key, _, value = line.partition("=")
        if key and not key.startswith("#"):
            env[key] = value[1:-1] if value[:1] == value[-1:] == "'" else value
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT)})
    return env


def manage(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=app_env(), capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=900)
    if check and result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


# --- One voter -----------------------------------------------------------------------------------

SLOTS = threading.BoundedSemaphore(IN_FLIGHT)


def request(method: str, path: str, session: str, data: dict | None = None):
    """One request through nginx, as a browser behind TLS sends it (Origin and Referer for CSRF)."""
    with SLOTS:
        return _request(method, path, session, data)


def _request(method: str, path: str, session: str, data: dict | None = None):
    host, port = NGINX.split(":")
    headers = {"Host": "127.0.0.1", "Accept-Language": "en", "Cookie": f"csrftoken={CSRF}; sessionid={session}",
               "Origin": "https://127.0.0.1", "Referer": f"https://127.0.0.1{path}"}
    body = None
    if data is not None:
        body = urlencode(data)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.getheader("Location", ""), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.answers = Counter()           # "POST 302", "POST 503", "no answer", ...
        self.receipts: dict[str, str] = {}  # session → receipt code shown to the voter
        self.receipt_times: list[float] = []  # when each receipt was answered (for the gaps)
        self.try_again: set[str] = set()    # voters shown the "try again" page at least once
        self.already: set[str] = set()      # voters whose lost answer had in fact recorded the vote
        self.bad: list[str] = []            # 500s, bare 502s, 503s that are not the "try again" page
        self.gave_up: list[str] = []
        self.posts = 0

    def answer(self, key: str) -> None:
        with self.lock:
            self.answers[key] += 1


def vote(row: list, tally: Tally, started: float, deadline: float) -> None:
    """Confirm a vote; on anything but a receipt, do what the "try again" page asks, until done."""
    session, ballot, qid, yes = row
    form = {f"q{qid}": str(yes), "action": "confirm", "after": "0", "csrfmiddlewaretoken": CSRF}
    attempt = 0
    while time.time() < deadline:
        attempt += 1
        with tally.lock:
            tally.posts += 1
        try:
            status, location, text = request("POST", f"/ballots/{ballot}/vote/", session, form)
        except (OSError, http.client.HTTPException):
            status, location, text = 0, "", ""
        tally.answer(f"POST {status or 'no answer'}")
        found = re.search(r"/receipt/([A-Z0-9-]+)/", location)
        if status == 302 and found:
            with tally.lock:
                tally.receipts[session] = found.group(1)
                tally.receipt_times.append(time.perf_counter() - started)
            return
        if status == 503 and any(t in text for t in TRY_AGAIN):
            with tally.lock:
                tally.try_again.add(session)
        elif status != 302:  # a 302 elsewhere: back to the ballot with a message (recorded before)
            with tally.lock:
                tally.bad.append(f"POST {status}: {text[:200]!r}")
        # As the page says: wait, then look whether the vote was recorded before voting again.
        time.sleep(min(1.0 + 0.5 * attempt, 5.0))
        try:
            status, _location, text = request("GET", f"/ballots/{ballot}/", session)
        except (OSError, http.client.HTTPException):
            tally.answer("GET no answer")
            continue
        tally.answer(f"GET {status}")
        if status == 200 and any(t in text for t in RECORDED):
            with tally.lock:
                tally.already.add(session)
            return
        if status == 503 and not any(t in text for t in TRY_AGAIN) or status not in (200, 503):
            with tally.lock:
                tally.bad.append(f"GET {status}: {text[:200]!r}")
    with tally.lock:
        tally.gave_up.append(session)


def burst(rows: list, tally: Tally) -> tuple[float, dict]:
    """bench/load.py's open loop (evenly within WINDOW, at most IN_FLIGHT open), faults on a timer."""
    gap = WINDOW / max(1, len(rows))
    started = time.perf_counter()
    deadline = time.time() + WINDOW + RETRY_FOR
    fault_times: dict[str, float] = {}

    def faults():
        for at, action in FAULTS:
            delay = started + at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            cluster(*action, check=False)
            fault_times[" ".join(action)] = time.perf_counter() - started  # done: the primary is dead

    injector = threading.Thread(target=faults, daemon=True)
    injector.start()
    threads = []
    for i, row in enumerate(rows):
        delay = started + i * gap - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        thread = threading.Thread(target=vote, args=(row, tally, started, deadline), daemon=True)
        thread.start()
        threads.append(thread)
    sent = time.perf_counter() - started
    injector.join()
    for thread in threads:
        thread.join()
    return sent, fault_times


# --- Checks ----------------------------------------------------------------------------------------

CHECK = r"""
import json
from django.db import connection
from django.db.models import Count
from decisions.models import Participation
parts = Participation.objects.filter(ballot_id=BALLOT)
with connection.cursor() as c:
    c.execute("SELECT inet_server_port(), pg_is_in_recovery()")
    port, recovery = c.fetchone()
print(MARK + json.dumps({
    "receipts": list(parts.values_list("receipt", flat=True)),
    "per_voice_max": max(parts.values("voice").annotate(n=Count("id")).values_list("n", flat=True), default=0),
    "participations": parts.count(),
    "papers": parts.filter(paper__isnull=False).count(),
    "server_port": port, "in_recovery": recovery,
}))
"""


def schedule_check(first_minute: str, last_minute: str) -> dict:
    """Each minute of the drill: both hosts' timers fired, and exactly one run acted on each minute
    (the other stepped aside, or ran after it had finished: the lock is held only while acting)."""
    lines = (C / "logs" / "schedule.log").read_text().splitlines() if (C / "logs" / "schedule.log").exists() else []
    minutes: dict[str, list] = {}
    for line in lines:
        minute, host, rc, state = line.split()[:4]
        minutes.setdefault(minute, []).append((host, rc, state))
    covered = sorted(m for m in minutes if first_minute <= m <= last_minute)
    problems = []
    for minute in covered:
        runs = minutes[minute]
        hosts = {h for h, _rc, _s in runs}
        if hosts != {"host=1", "host=2"}:
            problems.append(f"{minute}: timer fired on {sorted(hosts)} only")
        if not any(rc == "rc=0" and state == "ran" for _h, rc, state in runs):
            problems.append(f"{minute}: no run completed ({runs})")
    return {"minutes": len(covered), "runs": sum(len(minutes[m]) for m in covered),
            "failed_runs": sum(1 for m in covered for _h, rc, _s in minutes[m] if rc != "rc=0"),
            "skipped_runs": sum(1 for m in covered for _h, _rc, s in minutes[m] if s == "skipped"),
            "problems": problems}


def longest_gap(times: list[float], start: float, end: float) -> float:
    """The longest stretch within [start, end] in which no voter was given a receipt."""
    points = [start, *sorted(t for t in times if start <= t <= end), end]
    return max(b - a for a, b in zip(points, points[1:], strict=False))


def main() -> int:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # Whatever happens from here on, the cluster is stopped (an exception, Ctrl-C, SIGTERM).
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: sys.exit(130))
    started_at = time.time()
    try:
        env = {**os.environ, "CLUSTER_SYNC": "1" if SYNC else "0"}
        subprocess.run([*CLUSTER, "start"], check=True, cwd=ROOT, env=env, stdin=subprocess.DEVNULL)
        # The schedule is checked from the first minute that began with both hosts up.
        up = time.time()
        first_minute = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(up - up % 60 + 60))
        log(f"loading the burst's data: {VOTERS} households on one open secret ballot (bench/prepare.py)")
        manifest = ARTIFACTS / "manifest.json"
        subprocess.run([PY, "-m", "bench.prepare", str(manifest), "--cast-voters", "1", "--cast-ballots", "1",
                        "--burst-voters", str(VOTERS), "--flow-residents", "1", "--results-voters", "1",
                        "--sheet-voters", "3"], check=True, cwd=ROOT, env=app_env(), stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL)
        loaded = json.loads(manifest.read_text())
        rows = loaded["burst"][:VOTERS]
        ballot = rows[0][1]
        # The faults land between two of the schedule's runs (at second 0 of each minute, a second or
        # two long): the burst starts between second 3 and 45 of a minute, so the failover is over
        # before the next run and the schedule check is about the runs surviving the drill. (A run
        # that met the failover would fail and the next minute's would catch up: docs/DEPLOY.md §5.)
        second = time.time() % 60
        wait = 0.0 if 3 <= second <= 45 else (63 - second) % 60
        log(f"{f'waiting {wait:.0f} s, then ' if wait else ''}{VOTERS} voters within {WINDOW:.0f} s "
            f"through nginx ({'synchronous' if SYNC else 'ASYNCHRONOUS'} standby)")
        time.sleep(wait)
        tally = Tally()
        sent, fault_times = burst(rows, tally)
        log(f"burst sent within {sent:.1f} s; every voter done or given up")
        # A page the replica router serves (DATABASE_REPLICA_VIEWS: the street page), now that one
        # server is left: the replica URL (prefer-standby) falls back to the new primary.
        street = loaded["pages"]["street"]
        replica_status, _location, replica_text = request("GET", street["urls"]["street"], street["session"])
        log(f"replica page (the street page) after the failover: {replica_status}")
        # One more minute of the schedule after the failover, on the new primary.
        time.sleep((61 - time.time() % 60) % 60 + 4)
        last_minute = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() - 60))
        out = manage("shell", "-c", CHECK.replace("BALLOT", str(ballot)).replace("MARK", repr(MARK)))
        stored = json.loads([x for x in out.stdout.splitlines() if x.startswith(MARK)][-1][len(MARK):])
        audit = manage("verify_audit", check=False)
        schedule = schedule_check(first_minute, last_minute)
    finally:
        cluster("stop", check=False)

    given = set(tally.receipts.values())
    found = set(stored["receipts"])
    lost = sorted(given - found)
    duplicated = max(0, stored["per_voice_max"] - 1)
    retried_ok = {s for s in tally.try_again if s in tally.receipts or s in tally.already}
    kill_at = fault_times.get("kill-primary", 6.5)
    end = max(tally.receipt_times, default=WINDOW)
    figures = {
        "mode": MODE, "voters": len(rows), "votes_sent": tally.posts, "receipts_given": len(given),
        "votes_found": stored["participations"], "lost": len(lost), "duplicated": duplicated,
        "seconds_without_service": round(longest_gap(tally.receipt_times, 0.0, min(end, WINDOW + 30)), 2),
        "failover_seconds": round(min((t for t in tally.receipt_times if t > kill_at), default=float("nan"))
                                  - kill_at, 2),
        "told_try_again": len(tally.try_again), "try_again_then_voted": len(retried_ok),
        "recorded_though_answer_lost": len(tally.already), "gave_up": len(tally.gave_up),
        "bad_answers": len(tally.bad), "answers": dict(tally.answers),
        "partial": stored["participations"] - stored["papers"], "verify_audit": audit.returncode == 0,
        "new_primary_port": stored["server_port"], "new_primary_in_recovery": stored["in_recovery"],
        "burst_sent_within": round(sent, 2), "faults_at": {k: round(v, 2) for k, v in fault_times.items()},
        "schedule": schedule, "drill_seconds": round(time.time() - started_at),
        "replica_page_after_failover": replica_status,
        "lost_receipts": lost[:20], "bad_examples": tally.bad[:5],
    }
    (ARTIFACTS / f"drill-{MODE}.json").write_text(json.dumps(figures, indent=2, sort_keys=True))
    if SYNC:  # for the figures of trust at the end of .ci/run (tests/security/report.py)
        FIGURES.parent.mkdir(parents=True, exist_ok=True)
        FIGURES.write_text(json.dumps({f"cluster_{k}": figures[k] for k in (
            "voters", "votes_sent", "receipts_given", "votes_found", "lost", "duplicated",
            "seconds_without_service", "verify_audit", "bad_answers")}, indent=2, sort_keys=True))
    print()
    print(f"=== cluster drill ({'synchronous' if SYNC else 'asynchronous'} standby), "
          f"{figures['drill_seconds']} s in all")
    for label, key in (("votes sent (POSTs, retries included)", "votes_sent"), ("voters", "voters"),
                       ("receipts given", "receipts_given"), ("votes found on the new primary", "votes_found"),
                       ("lost (receipt given, vote not found)", "lost"), ("duplicated", "duplicated"),
                       ("seconds without service", "seconds_without_service"),
                       ("first receipt after the primary died, s", "failover_seconds"),
                       ("voters told 'try again'", "told_try_again"),
                       ("  ... who then voted", "try_again_then_voted"),
                       ("recorded though the answer was lost", "recorded_though_answer_lost"),
                       ("gave up", "gave_up"), ("bad answers (500, bare 502, other)", "bad_answers")):
        print(f"  {label:<42} {figures[key]}")
    print(f"  {'verify_audit on the new primary':<42} {'passed' if figures['verify_audit'] else 'FAILED'}")
    print(f"  {'replica page (street) after the failover':<42} {replica_status}")
    print(f"  {'schedule':<42} {schedule['minutes']} minutes, {schedule['runs']} runs "
          f"({schedule['skipped_runs']} stepped aside, {schedule['failed_runs']} failed)")
    print(f"  answers: {dict(sorted(tally.answers.items()))}")

    failures = []
    if stored["in_recovery"] or stored["server_port"] != 5442:
        failures.append(f"the app did not reach the promoted standby (port {stored['server_port']})")
    if duplicated:
        failures.append(f"a voice voted {stored['per_voice_max']} times")
    if figures["partial"]:
        failures.append(f"{figures['partial']} register row(s) without their sealed paper")
    if not figures["verify_audit"]:
        failures.append("verify_audit failed on the new primary:\n" + audit.stdout[-2000:] + audit.stderr[-2000:])
    if tally.bad:
        failures.append(f"{len(tally.bad)} answer(s) neither a receipt nor the 'try again' page: {tally.bad[:3]}")
    if tally.gave_up:
        failures.append(f"{len(tally.gave_up)} voter(s) could not vote within {RETRY_FOR:.0f} s")
    if retried_ok != tally.try_again:
        failures.append(f"{len(tally.try_again - retried_ok)} voter(s) told 'try again' never voted")
    if len(given) + len(tally.already) != stored["participations"] + len(lost):
        failures.append(f"{stored['participations']} votes found, {len(given)} receipts given, "
                        f"{len(tally.already)} recorded though the answer was lost")
    if replica_status != 200:
        failures.append(f"the replica's page answered {replica_status} after the failover: {replica_text[:200]!r}")
    if schedule["problems"] or not schedule["minutes"]:
        failures.append(f"schedule: {schedule['problems'] or 'no run logged during the drill'}")
    if SYNC:
        if lost:
            failures.append(f"{len(lost)} vote(s) answered with a receipt are not on the new primary: {lost[:5]}")
        for failure in failures:
            log("FAIL: " + failure)
        log("PASSED" if not failures else "FAILED")
        return 1 if failures else 0
    # The asynchronous variant: losing receipts is what it is meant to show.
    log(f"asynchronous standby: {len(lost)} receipt(s) given for votes the promoted standby does not have"
        + (" -- the loss a synchronous standby prevents" if lost else " (none lost this time)"))
    for failure in failures:
        log("note: " + failure)
    return 0 if lost else 1


if __name__ == "__main__":
    sys.exit(main())
