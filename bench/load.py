"""The load driver: plain Python (standard library only), run in its own processes, never in the server.

    python3 bench/load.py PHASE --base http://127.0.0.1:8765 --manifest M.json --out R.json [options]

Phases:
  floor  closed loop, C clients, D seconds: POST /bench/floor/ (one INSERT under a unique constraint)
  cast   closed loop, C clients, D seconds: a signed-in resident confirms a vote (POST /ballots/N/vote/)
  step   closed loop, C clients, D seconds: one request of a person's path again and again, by the
         people of manifest["steps"][--step] in turn (the read floor GET /bench/page/ is one of them)
  whole  closed loop, C clients, D seconds: whole votes, each by a distinct signed-in voter: the home
         page, the ballot page, the choices, the confirmation, the receipt
  flows  closed loop, C clients, D seconds: the people of FLOWS below, by weight, page by page
  burst  open loop: N distinct signed-in voters on one ballot, sent evenly within W seconds
  sheets open loop: N distinct signed-in evaluators each hand in a full evaluation sheet (every
         rating, a comment on one evaluatee), sent evenly within W seconds

Every request is timed from send to full response; the output is raw latencies per step, so the
percentiles are exact (no histogram buckets). A closed loop means each client sends its next request
when the previous one returned, so floor and cast are compared at the same concurrency.
"""

import argparse
import http.client
import json
import re
import secrets
import threading
import time
import urllib.parse
from collections import defaultdict

CSRF = secrets.token_hex(16)  # Django accepts its unmasked 32-character secret as the form token
TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Client:
    """One simulated person: their cookies, one request at a time, timings recorded by step name."""

    def __init__(self, base: str, record, session: str | None = None):
        self.url = urllib.parse.urlsplit(base)
        self.record = record
        self.cookies = {"csrftoken": CSRF}
        self.location = ""
        # Each person comes from their own address, as through the proxy (DJANGO_TRUSTED_PROXY_COUNT=1).
        self.address = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{1 + secrets.randbelow(254)}"
        if session:
            self.cookies["sessionid"] = session

    def request(self, step: str, method: str, path: str, form: dict | None = None, *, ok=(200,), to: str = ""):
        """Send one request; it counts as a success if its status is in ``ok`` (and it redirects to ``to``)."""
        body = urllib.parse.urlencode(form, doseq=True) if form is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                   "Host": self.url.netloc, "Accept-Language": "zh-hans",
                   "X-Forwarded-For": self.address}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        status, text = 0, ""
        try:
            conn = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=60)
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            status = response.status
            self.location = response.getheader("Location", "")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _sep, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            conn.close()
        except OSError as exc:
            text = repr(exc)
        if to and to not in self.location:
            status = f"{status} to {urllib.parse.urlsplit(self.location).path[:20] or '-'}"
        self.record(step, time.perf_counter() - started, status in ok, status)
        return status, text


# --- What people do ---------------------------------------------------------------------------

def vote_form(client: "Client", qid: int, option: int, **extra) -> dict:
    return {f"q{qid}": str(option), "csrfmiddlewaretoken": client.cookies["csrftoken"], **extra}


def resident_votes(client: Client, manifest: dict, pick) -> None:
    """Sign in with a password, open the ballot, choose, confirm, read the receipt."""
    username, ballot, qid, yes = pick("flow_residents")
    client.cookies.pop("sessionid", None)
    status, page = client.request("login page", "GET", "/accounts/login/")
    match = TOKEN_RE.search(page)
    token = match.group(1) if match else CSRF
    status, _t = client.request("login", "POST", "/accounts/login/", {
        "login": username, "password": manifest["password"], "csrfmiddlewaretoken": token}, ok=(302,))
    if "/accounts/" in client.location:  # still on a login step: not signed in
        return
    if status != 302:
        return
    client.request("ballot page", "GET", f"/ballots/{ballot}/")
    client.request("vote: confirm page", "POST", f"/ballots/{ballot}/vote/", vote_form(client, qid, yes))
    status, _t = client.request("vote: cast", "POST", f"/ballots/{ballot}/vote/",
                                vote_form(client, qid, yes, action="confirm", after="0"), ok=(302,),
                                to="/receipt/")
    if status == 302 and "/receipt/" in client.location:
        client.request("receipt", "GET", urllib.parse.urlsplit(client.location).path)


def organizer_reads(client: Client, manifest: dict, pick) -> None:
    page = manifest["pages"]["organizer"]
    client.cookies["sessionid"] = page["session"]
    for name, url in page["urls"].items():
        client.request(f"organizer: {name}", "GET", url)


def street_reads(client: Client, manifest: dict, pick) -> None:
    page = manifest["pages"]["street"]
    client.cookies["sessionid"] = page["session"]
    for name, url in page["urls"].items():
        client.request(f"street office: {name}", "GET", url)


def evaluation_reads(client: Client, manifest: dict, pick) -> None:
    """The street office at year end: the evaluation dashboard, its two charts, a committee's results."""
    page = manifest["pages"]["evaluations"]
    client.cookies["sessionid"] = page["session"]
    for name, url in page["urls"].items():
        client.request(f"evaluations: {name}", "GET", url)


# Who uses the site during a voting week, by weight. One more kind of visitor is one more entry
# (a function like street_reads, and its URLs in bench/prepare.py's manifest["pages"]).
FLOWS = {
    "resident votes": (resident_votes, 6),
    "organizer reads results": (organizer_reads, 2),
    "street office reads": (street_reads, 1),
    "street office reads evaluations": (evaluation_reads, 1),
}


# --- Phases -----------------------------------------------------------------------------------------

class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples = defaultdict(list)  # step -> [seconds]
        self.failures = defaultdict(lambda: defaultdict(int))  # step -> status -> count
        self.started = self.finished = self.cpu = 0.0

    def __call__(self, step, seconds, ok, status):
        with self.lock:
            if ok:
                self.samples[step].append(seconds)
            else:
                self.failures[step][str(status)] += 1

    def result(self, **extra) -> dict:
        return {"elapsed": self.finished - self.started, "driver_cpu": self.cpu, "samples": self.samples,
                "failures": {k: dict(v) for k, v in self.failures.items()}, **extra}


class Pool:
    """Manifest rows handed out once each, across threads."""

    def __init__(self, manifest: dict):
        self.manifest, self.lock, self.next = manifest, threading.Lock(), defaultdict(int)

    def __call__(self, name: str):
        with self.lock:
            i = self.next[name]
            if i >= len(self.manifest[name]):
                raise IndexError(name)
            self.next[name] += 1
            return self.manifest[name][i]


def closed_loop(clients: int, duration: float, action) -> Recorder:
    record = Recorder()
    deadline = None

    def worker(i: int) -> None:
        while time.perf_counter() < deadline:
            try:
                action(i, record)
            except IndexError:  # the manifest ran out of fresh voters
                return

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    record.started, cpu = time.perf_counter(), time.process_time()
    deadline = record.started + duration
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    record.finished, record.cpu = time.perf_counter(), time.process_time() - cpu
    return record


def run_floor(args, manifest) -> dict:
    counter, lock, run = [0], threading.Lock(), secrets.token_hex(4)

    def action(i, record):
        with lock:
            counter[0] += 1
            n = counter[0]
        Client(args.base, record).request("floor vote", "POST", "/bench/floor/",
                                          {"voter": f"{run}-{n}", "ballot": "1"}, ok=(201,))

    return closed_loop(args.clients, args.duration, action).result(phase="floor", clients=args.clients)


def run_cast(args, manifest) -> dict:
    pick = Pool(manifest)

    def action(i, record):
        session, ballot, qid, yes = pick("cast")
        client = Client(args.base, record, session)
        client.request(
            "vote cast", "POST", f"/ballots/{ballot}/vote/", vote_form(client, qid, yes, action="confirm", after="0"),
            ok=(302,), to="/receipt/")

    return closed_loop(args.clients, args.duration, action).result(phase="cast", clients=args.clients)


def run_step(args, manifest) -> dict:
    """One step of a path: each request by the next of the step's people (their session, the URL, the
    form it posts, if any), so that a page is read by many people as it is in a voting week."""
    step = manifest["steps"][args.step]
    rows, ok, counter, lock = step["rows"], tuple(step["ok"]), [0], threading.Lock()

    def action(i, record):
        with lock:
            counter[0] += 1
            session, path, form = rows[counter[0] % len(rows)]
        client = Client(args.base, record, session)
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": client.cookies["csrftoken"]}
        client.request(args.step, step["method"], path, form, ok=ok, to=step.get("to", ""))

    return closed_loop(args.clients, args.duration, action).result(phase="step", step=args.step,
                                                                   clients=args.clients)


# The requests of a whole vote, in order (what run_whole sends; bench/run.py weighs each against its floor).
WHOLE_VOTE = [("home page", "GET"), ("ballot page", "GET"), ("choices", "POST"), ("confirmation", "POST"),
              ("receipt", "GET")]


def run_whole(args, manifest) -> dict:
    """Whole votes: a distinct voter each, every request of the vote in order; a vote counts when all
    of them succeeded, from the first request sent to the last answer."""
    pick = Pool(manifest)

    def action(i, record):
        session, ballot, qid, yes = pick("whole")
        client = Client(args.base, record, session)
        started = time.perf_counter()
        done = (client.request("whole: home page", "GET", "/")[0] == 200
                and client.request("whole: ballot page", "GET", f"/ballots/{ballot}/")[0] == 200
                and client.request("whole: choices", "POST", f"/ballots/{ballot}/vote/",
                                   vote_form(client, qid, yes))[0] == 200
                and client.request("whole: confirmation", "POST", f"/ballots/{ballot}/vote/",
                                   vote_form(client, qid, yes, action="confirm", after="0"), ok=(302,),
                                   to="/receipt/")[0] == 302
                and client.request("whole: receipt", "GET", urllib.parse.urlsplit(client.location).path)[0] == 200)
        record("whole vote", time.perf_counter() - started, done, "incomplete")

    return closed_loop(args.clients, args.duration, action).result(phase="whole", clients=args.clients)


def run_flows(args, manifest) -> dict:
    pick = Pool(manifest)
    names = [name for name, (_f, weight) in FLOWS.items() for _ in range(weight)]
    turn = [0]

    def action(i, record):
        turn[0] += 1
        flow, _w = FLOWS[names[(turn[0] + i) % len(names)]]
        flow(Client(args.base, record), manifest, pick)

    return closed_loop(args.clients, args.duration, action).result(phase="flows", clients=args.clients)


def open_loop(args, rows: list, send) -> dict:
    """Send ``send(client, row)`` once per row, evenly spread over the window, whatever the answers take."""
    record = Recorder()
    gap = args.window / max(1, len(rows))
    semaphore = threading.BoundedSemaphore(args.clients)  # at most this many requests in flight

    def one(row):
        try:
            send(Client(args.base, record, row[0]), row)
        finally:
            semaphore.release()

    threads = []
    record.started = time.perf_counter()
    for i, row in enumerate(rows):
        delay = record.started + i * gap - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        semaphore.acquire()
        thread = threading.Thread(target=one, args=(row,), daemon=True)
        thread.start()
        threads.append(thread)
    sent = time.perf_counter() - record.started
    for thread in threads:
        thread.join()
    record.finished = time.perf_counter()
    return record.result(voters=len(rows), window=args.window, sent_within=sent, clients=args.clients)


def run_burst(args, manifest) -> dict:
    def send(client, row):
        _session, ballot, qid, yes = row
        client.request("burst cast", "POST", f"/ballots/{ballot}/vote/",
                       vote_form(client, qid, yes, action="confirm", after="0"), ok=(302,), to="/receipt/")

    return open_loop(args, manifest["burst"][: args.voters], send) | {"phase": "burst"}


# What evaluators write: one comment each, on one evaluatee (sealed in the sheet's paper).
SHEET_COMMENT = "服务态度很好，办事也快；希望晚上和周末也能有人值班，老人办事不用请假排队。"


def run_sheets(args, manifest) -> dict:
    """The sheet page's POST, as the evaluator hands it in: every question rated, one comment."""
    sheet = manifest["sheet"]
    rows = [[session, i] for i, session in enumerate(manifest["sheets"][: args.voters])]

    def send(client, row):
        i = row[1]
        form = {f"q{qid}": str(options[(i + j) % len(options)])
                for j, (qid, options) in enumerate(sheet["questions"])}
        evaluatees = sheet["evaluatees"]
        form |= {f"c{evaluatees[i % len(evaluatees)]}": SHEET_COMMENT, "after": "0",
                 "csrfmiddlewaretoken": client.cookies["csrftoken"]}
        client.request("sheet handed in", "POST", f"/evaluations/{sheet['campaign']}/sheet/", form, ok=(302,),
                       to="sent=1")

    return open_loop(args, rows, send) | {"phase": "sheets", "questions": len(sheet["questions"])}


PHASES = {"floor": run_floor, "cast": run_cast, "step": run_step, "whole": run_whole, "flows": run_flows,
          "burst": run_burst, "sheets": run_sheets}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("phase", choices=PHASES)
    parser.add_argument("--base", required=True)
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--voters", type=int, default=2000)
    parser.add_argument("--window", type=float, default=10)
    parser.add_argument("--step", help="the step of manifest['steps'] (phase step)")
    args = parser.parse_args()
    with open(args.manifest) as handle:
        manifest = json.load(handle)
    result = PHASES[args.phase](args, manifest)
    with open(args.out, "w") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
