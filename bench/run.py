# ruff: noqa: T201, S603, S607 - a command-line tool that starts the programs it measures
"""`make bench`: the load benchmark, the burst, and the city-size timings, written to bench/results/<date>.md.

    .venv/bin/python -m bench.run                 # default: ≤ ~10 minutes on 2 cores, scaled-down city data
    .venv/bin/python -m bench.run --district      # the full district (280 committees, 1.4 million residents)
    .venv/bin/python -m bench.run --city          # a whole city (4,463 committees): hours, and a big disk
    .venv/bin/python -m bench.run --quick         # a smoke run of the harness itself (a minute or two)

For each database (a PostgreSQL database and a SQLite file in WAL mode of this run's own, dropped at its end):
migrate, collectstatic, load data (bench/prepare.py), start gunicorn with production settings
(DEBUG off, a secret key, CONN_MAX_AGE, one sync worker per core, the floor view on), then drive it
from separate processes (bench/load.py): the write floor, the real cast at the same concurrency, the
read floor and each other request of a voter's path (and the organizer's pages), whole votes, the
everyday flows, the burst, and the burst of evaluation sheets. Then, with the server stopped, the
boxes of the burst's ballot and of the evaluation are opened in process (bench/box.py). Then, on
PostgreSQL, city-size data (bench/citydata/) and timings (bench/scale.py).
"""

import argparse
import datetime as dt
import fcntl
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bench.load import WHOLE_VOTE

ROOT = Path(__file__).resolve().parent.parent
# Each run works in a folder and a load database of its own, so that two runs (or a run and a
# test suite) never share or drop each other's files or database; both go when the run ends.
RUN_ID = f"{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}_{os.getpid()}"
WORK = ROOT / "bench" / ".work" / RUN_ID
RESULTS = ROOT / "bench" / "results"
PY = str(ROOT / ".venv" / "bin" / "python")
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://sanhui:sanhui@127.0.0.1:5432/sanhui")
PG_BENCH_DB = f"sanhui_bench_{RUN_ID}"
# The city-size data is kept after the run (bench.api_timing and bench.verify_bulletins read it), in
# one database that one run at a time builds: a second run waits for the first (SCALE_LOCK).
PG_CITY_DB = "sanhui_bench_city"
SCALE_LOCK = ROOT / "bench" / ".work" / "city.lock"
TARGET_THROUGHPUT, TARGET_P95 = 0.5, 2.0
TARGET_ORGANIZER = 0.25  # an organizer's or the street office's page, against the read floor
TARGET_BOX_SECONDS, TARGET_BOX_PAPERS = 10.0, 2000  # opening a box of 2,000 papers takes under 10 s

# Load data (bench/prepare.py) and phase lengths. "results_voters" cast, through the services, the
# votes of an earlier, published ballot: a database in its voting weeks holds the votes of earlier
# ballots. (On nearly empty vote tables PostgreSQL plans the voice query's look-up of the latest
# version as a scan of the whole table, and a connection keeps that plan while the table grows,
# until autovacuum analyzes it, within a minute: docs/PERFORMANCE.md.) "sheets" evaluators each
# hand in a sheet of 28 questions within the burst's window; the boxes opened afterwards hold the
# burst's papers and those sheets.
SIZES = {
    "quick": {"cast_voters": 2400, "cast_ballots": 4, "burst": 300, "window": 3, "duration": 4, "steps": 3, "flows": 8,
              "flow_residents": 60, "results_voters": 400, "sheets": 300},
    "default": {"cast_voters": 24000, "cast_ballots": 12, "burst": 2000, "window": 10, "duration": 20, "steps": 15,
                "flows": 30, "flow_residents": 400, "results_voters": 4000, "sheets": 2000},
}
SCALES = {  # city-size data (bench/citydata): committees, and the residents per committee (5,000 in a district)
    "quick": {"committees": 4, "residents": 1000},
    "default": {"committees": 28, "residents": 5000},
    "district": {"committees": 280, "residents": 5000},
    "city": {"committees": 4463, "residents": 5000},
}


def say(text: str) -> None:
    print(f"[bench {dt.datetime.now(dt.UTC):%H:%M:%S}] {text}", flush=True)


def run(cmd: list[str], env: dict, **kw) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, cwd=ROOT, env=env, text=True, capture_output=True, stdin=subprocess.DEVNULL, **kw)
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{result.stdout}\n{result.stderr}")
    return result


def base_env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTEST_VERSION", "DJANGO_DEBUG", "DATABASE_REPLICA_URL", "REDIS_URL")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost", "DJANGO_SECURE_SSL_REDIRECT": "0",
                "SANHUI_BENCH": "1", "CONN_MAX_AGE": "600", "DJANGO_TRUSTED_PROXY_COUNT": "1",
                "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "SMS_BACKEND": "none",
                "PYTHONPATH": str(ROOT)})
    return env


# --- Databases ----------------------------------------------------------------------------------

def fresh_postgres(name: str = PG_BENCH_DB) -> str:
    subprocess.run(["bash", "scripts/pg-ensure.sh"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    import psycopg  # from the project's virtualenv (this script runs with it)

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fresh_sqlite() -> str:
    return f"sqlite:///{WORK / 'bench.sqlite3'}"


def versions(env: dict) -> str:
    code = ("from django.db import connection; c = connection.cursor(); "
            "c.execute('select version()' if connection.vendor == 'postgresql' else 'select sqlite_version()'); "
            "print(connection.vendor, c.fetchone()[0].split(' on ')[0])")
    return run([PY, "manage.py", "shell", "-v", "0", "-c", code], env).stdout.strip().splitlines()[-1]


# --- The server -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict, workers: int, port: int, threads: int = 1) -> subprocess.Popen:
    log = open(WORK / "gunicorn.log", "a")  # noqa: SIM115 - lives as long as the server
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi", "--workers", str(workers), "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "--backlog", "4096", "--timeout", "120", "--log-level", "warning",
         "--no-control-socket"],
        cwd=ROOT, env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {WORK / 'gunicorn.log'}") from None
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def phase(name: str, base: str, manifest: Path, env: dict, **options) -> dict:
    out = WORK / f"{name}{'-' + re.sub(r'[^a-z]+', '-', options['step']) if 'step' in options else ''}.json"
    args = [a for key, value in options.items() for a in (f"--{key}", str(value))]
    # The driver is its own process (standard library only), not a thread of this one or the server.
    run([sys.executable, str(ROOT / "bench" / "load.py"), name, "--base", base, "--manifest", str(manifest),
         "--out", str(out), *args], env, timeout=900)
    return json.loads(out.read_text())


def _serves(pid: str, database: str) -> bool:
    """Whether a PostgreSQL process is a backend connected to ``database``: its title (read as its
    command line) is "postgres: [<cluster name>:] <user> <database> <client> <state>"; the checkpointer,
    autovacuum and the backends of other databases are not the bench's cost."""
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").split()
    except OSError:
        return False
    if not title or title[0] != "postgres:":
        return False
    words = title[2:] if len(title) > 1 and title[1].endswith(":") else title[1:]
    return len(words) > 1 and words[1] == database


def cpu_seconds(session: int, database: str | None = None) -> tuple[float, float]:
    """CPU seconds (user + system) used so far by the server (the processes of its session) and by
    the PostgreSQL backends serving ``database`` (held open by the server's persistent connections),
    read from /proc (Linux): what a phase cost, whatever the driver or anything else on the machine did."""
    server = database_ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, fields = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime (after state, ppid, pgrp, session, ...)
        if int(fields[3]) == session:
            server += ticks
        elif database and name.startswith("postgres") and _serves(stat.parent.name, database):
            database_ticks += ticks
    hz = os.sysconf("SC_CLK_TCK")
    return server / hz, database_ticks / hz


def measured_phase(server: subprocess.Popen, name: str, *args, database: str | None = None, **options) -> dict:
    """``phase``, with the CPU the server and its database's backends (PostgreSQL) spent on it."""
    before = cpu_seconds(server.pid, database)
    result = phase(name, *args, **options)
    after = cpu_seconds(server.pid, database)
    result["server_cpu"], result["db_cpu"] = after[0] - before[0], after[1] - before[1]
    return result


# --- Figures -------------------------------------------------------------------------------------

def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def summary(result: dict, step: str) -> dict:
    values = sorted(result["samples"].get(step, []))
    failures = sum(result["failures"].get(step, {}).values())
    requests = max(1, len(values) + failures)
    cpu = {f"{key}_ms": result[key] * 1000 / requests
           for key in ("server_cpu", "db_cpu", "driver_cpu") if key in result}
    return {**cpu, "n": len(values), "failures": failures,
            "rps": len(values) / result["elapsed"] if result["elapsed"] else 0,
            "p50": percentile(values, 50) * 1000, "p95": percentile(values, 95) * 1000,
            "p99": percentile(values, 99) * 1000, "max": (values[-1] * 1000) if values else float("nan")}


def load_benchmark(db: str, size: dict, clients: int, workers: int, threads: int = 1) -> dict:
    WORK.mkdir(parents=True, exist_ok=True)
    url = fresh_postgres() if db == "postgresql" else fresh_sqlite()
    env = base_env(url)
    say(f"{db}: migrate, collectstatic, load data")
    run([PY, "manage.py", "migrate", "--noinput"], env, timeout=900)
    run([PY, "manage.py", "collectstatic", "--noinput"], env, timeout=300)
    manifest = WORK / f"manifest-{db}.json"
    run([PY, "-m", "bench.prepare", str(manifest), "--cast-voters", str(size["cast_voters"]),
         "--cast-ballots", str(size["cast_ballots"]), "--burst-voters", str(size["burst"]),
         "--flow-residents", str(size["flow_residents"]), "--results-voters", str(size["results_voters"]),
         "--sheet-voters", str(size["sheets"])],
        env, timeout=1800)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(env, workers, port, threads)
    database = PG_BENCH_DB if db == "postgresql" else None
    try:
        say(f"{db}: gunicorn with {workers} workers on {base}; warm-up")
        phase("floor", base, manifest, env, clients=clients, duration=3)
        say(f"{db}: floor, {clients} clients, {size['duration']} s")
        floor = measured_phase(server, "floor", base, manifest, env, clients=clients, duration=size["duration"],
                               database=database)
        say(f"{db}: real cast, {clients} clients, {size['duration']} s")
        cast = measured_phase(server, "cast", base, manifest, env, clients=clients, duration=size["duration"],
                              database=database)
        steps = {}
        for step in json.loads(manifest.read_text())["steps"]:
            say(f"{db}: {step}, {clients} clients, {size['steps']} s")
            steps[step] = measured_phase(server, "step", base, manifest, env, clients=clients,
                                         duration=size["steps"], step=step, database=database)
        say(f"{db}: whole votes, {clients} clients, {size['duration']} s")
        whole = measured_phase(server, "whole", base, manifest, env, clients=clients, duration=size["duration"],
                               database=database)
        say(f"{db}: everyday flows, {clients} clients, {size['flows']} s")
        flows = phase("flows", base, manifest, env, clients=clients, duration=size["flows"])
        say(f"{db}: burst, {size['burst']} voters within {size['window']} s")
        burst = phase("burst", base, manifest, env, voters=size["burst"], window=size["window"], clients=256)
        say(f"{db}: evaluation sheets, {size['sheets']} evaluators within {size['window']} s")
        sheets = measured_phase(server, "sheets", base, manifest, env, voters=size["sheets"], window=size["window"],
                                clients=256, database=database)
    finally:
        stop(server)
    say(f"{db}: open the boxes (2 of 3 cards, in process)")
    boxes = WORK / "box.json"
    run([PY, "-m", "bench.box", str(manifest), str(boxes)], env, timeout=1800)
    version = versions(env)
    if db == "postgresql":
        drop_postgres(PG_BENCH_DB)
    return {"db": db, "version": version, "workers": workers, "threads": threads, "clients": clients,
            "floor": summary(floor, "floor vote"), "cast": summary(cast, "vote cast"),
            "steps": {step: summary(result, step) for step, result in steps.items()},
            "whole": {step: summary(whole, step) for step in sorted(set(whole["samples"]) | set(whole["failures"]))},
            "flows": {step: summary(flows, step) for step in sorted(set(flows["samples"]) | set(flows["failures"]))},
            "flows_elapsed": flows["elapsed"],
            "burst": {**summary(burst, "burst cast"), "voters": burst["voters"], "window": burst["window"],
                      "sent_within": burst["sent_within"], "elapsed": burst["elapsed"]},
            "sheets": {**summary(sheets, "sheet handed in"), "voters": sheets["voters"], "window": sheets["window"],
                       "sent_within": sheets["sent_within"], "elapsed": sheets["elapsed"],
                       "questions": sheets["questions"], "refused": sheets["failures"].get("sheet handed in", {})},
            "box": json.loads(boxes.read_text()),
            "env": env}


def scale_timings(scale: dict, label: str) -> dict:
    url = fresh_postgres(PG_CITY_DB)
    env = base_env(url)
    say(f"city data ({label}): {scale['committees']} committees × {scale['residents']} residents")
    run([PY, "manage.py", "migrate", "--noinput"], env, timeout=900)
    out = WORK / "scale.json"
    run([PY, "-m", "bench.scale", str(out), "--committees", str(scale["committees"]),
         "--residents", str(scale["residents"])], env, timeout=6 * 3600)
    return json.loads(out.read_text()) | {"label": f"{label}: {scale['committees']:,} committees × "
                                             f"{scale['residents']:,} residents"}


# --- The report -------------------------------------------------------------------------------------

def hardware() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        mem_gb = int(mem.split()[1]) / 1024 / 1024
    except (OSError, StopIteration):
        mem_gb = 0
    return (f"{os.cpu_count()} cores ({model}), {mem_gb:.1f} GB RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


def ms(value: float) -> str:
    return f"{value:.1f}"


def cpu_lines(f: dict, c: dict) -> list[str]:
    """CPU per request of the server, the database and the load driver (all on this machine)."""
    if "server_cpu_ms" not in f:
        return []
    cost_f, cost_c = f["server_cpu_ms"] + f["db_cpu_ms"], c["server_cpu_ms"] + c["db_cpu_ms"]
    return ["| CPU per request, ms | server | database | server + database | load driver |",
            "|---|---:|---:|---:|---:|",
            *(f"| {label} | {r['server_cpu_ms']:.2f} | {r['db_cpu_ms']:.2f} "
              f"| {r['server_cpu_ms'] + r['db_cpu_ms']:.2f} | {r['driver_cpu_ms']:.2f} |"
              for label, r in (("floor", f), ("vote cast", c))),
            f"| **floor / cast** | | | **{cost_f / cost_c:.2f}** | |" if cost_c else "", "",
            "The server and the database share the machine's cores with the load driver, so the throughput "
            "ratio above includes the driver's cost per request; the CPU ratio (from /proc) does not.", ""]


def ratio_cell(value: float, target: float, *, at_least: bool = True) -> str:
    met = value >= target if at_least else value <= target
    return f"**{value:.2f}**" if met else f"**{value:.2f}** ✗"


def path_report(load: dict) -> list[str]:
    """Every request of a voter's path against its floor (GETs the read floor, POSTs the write floor),
    the whole vote against what the floors allow, and the organizer's pages against the read floor."""
    steps, write = load["steps"], load["floor"]
    read = steps["read floor"]
    rows = [(name, "GET", steps[name]) for name in ("home page", "ballot page")]
    rows += [("choices", "POST", steps["choices"]), ("confirmation (the cast)", "POST", load["cast"])]
    rows += [(name, "GET", steps[name]) for name in ("receipt", "published results")]
    lines = ["### A voter's path, each request against its floor", "",
             "GETs against the read floor (the base page signed in), POSTs against the write floor "
             f"(one INSERT). Targets: ≥ {TARGET_THROUGHPUT} of the floor's requests/s, p95 ≤ {TARGET_P95}× the "
             "floor's.", "",
             "| request | | per s | floor per s | **÷ floor** | p95 ms | floor p95 ms | **p95 ÷ floor** "
             "| CPU ms (server + database) | failed |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    verdicts = []
    for label, floor_label, floor in (("read floor", "GET", read), ("write floor", "POST", write)):
        lines.append(f"| *{label}* | {floor_label} | {floor['rps']:.0f} | | | {ms(floor['p95'])} | | | "
                     f"{floor.get('server_cpu_ms', 0) + floor.get('db_cpu_ms', 0):.2f} | {floor['failures']} |")
    for name, method, r in rows:
        floor = read if method == "GET" else write
        thr = r["rps"] / floor["rps"] if floor["rps"] else 0
        p95 = r["p95"] / floor["p95"] if floor["p95"] else float("inf")
        verdicts.append(thr >= TARGET_THROUGHPUT and p95 <= TARGET_P95)
        lines.append(f"| {name} | {method} | {r['rps']:.0f} | {floor['rps']:.0f} "
                     f"| {ratio_cell(thr, TARGET_THROUGHPUT)} "
                     f"| {ms(r['p95'])} | {ms(floor['p95'])} | {ratio_cell(p95, TARGET_P95, at_least=False)} "
                     f"| {r.get('server_cpu_ms', 0) + r.get('db_cpu_ms', 0):.2f} | {r['failures']} |")
    whole = load["whole"].get("whole vote")
    allowed = 1 / (sum(1 / (read if method == "GET" else write)["rps"] for _n, method in WHOLE_VOTE))
    if whole:
        share = whole["rps"] / allowed
        verdicts.append(share >= TARGET_THROUGHPUT)
        lines += ["", f"**Whole votes** ({', '.join(name for name, _m in WHOLE_VOTE)}; a distinct voter each): "
                      f"**{whole['rps']:.1f} votes/s** against {allowed:.1f} that the floors allow for the same "
                      f"requests (1 ÷ the sum of 1/floor): **{share:.2f}** "
                      f"({'meets' if share >= TARGET_THROUGHPUT else 'MISSES'} ≥ {TARGET_THROUGHPUT}); a vote "
                      f"p50 {ms(whole['p50'])} ms, p95 {ms(whole['p95'])} ms; {whole['failures']} incomplete."]
    organizer = [(name, r) for name, r in steps.items() if name.startswith(("organizer:", "street office:"))]
    lines += ["", f"Organizer and street office pages (target ≥ {TARGET_ORGANIZER} of the read floor's requests/s):",
              "", "| page | per s | **÷ read floor** | p50 ms | p95 ms | CPU ms (server + database) | failed |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for name, r in organizer:
        thr = r["rps"] / read["rps"] if read["rps"] else 0
        verdicts.append(thr >= TARGET_ORGANIZER)
        lines.append(f"| {name} | {r['rps']:.0f} | {ratio_cell(thr, TARGET_ORGANIZER)} | {ms(r['p50'])} "
                     f"| {ms(r['p95'])} | {r.get('server_cpu_ms', 0) + r.get('db_cpu_ms', 0):.2f} "
                     f"| {r['failures']} |")
    lines += ["", f"The whole path → **{'meets' if all(verdicts) else 'MISSES'}** its targets "
                  f"({sum(verdicts)} of {len(verdicts)} met; ✗ marks a miss).", ""]
    return lines


def report(loads: list[dict], scale: dict | None, args, started: float) -> str:
    lines = [f"# Sanhui benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC", "",
             f"- Hardware: {hardware()}",
             f"- Run: `{' '.join(['make bench'] + sys.argv[1:])}` ({args.size} load size), "
             f"{(time.time() - started) / 60:.1f} minutes",
             f"- Server: gunicorn, workers = cores, "
             f"{'sync workers' if args.threads == 1 else f'{args.threads} threads per worker (gthread)'}, "
             "DEBUG off, CONN_MAX_AGE=600, production settings; "
             "driver: bench/load.py in separate processes, a new connection per request.", ""]
    for load in loads:
        f, c = load["floor"], load["cast"]
        thr, p95 = c["rps"] / f["rps"] if f["rps"] else 0, c["p95"] / f["p95"] if f["p95"] else 0
        verdict = "meets" if thr >= TARGET_THROUGHPUT and p95 <= TARGET_P95 else "MISSES"
        lines += [f"## {load['version']} — {load['workers']} workers, {load['clients']} concurrent clients", "",
                  "### Vote cast against the floor (one INSERT under a unique constraint)", "",
                  "| | casts/s | p50 ms | p95 ms | p99 ms | max ms | ok | failed |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|",
                  f"| floor | {f['rps']:.0f} | {ms(f['p50'])} | {ms(f['p95'])} | {ms(f['p99'])} | {ms(f['max'])} "
                  f"| {f['n']} | {f['failures']} |",
                  f"| vote cast | {c['rps']:.0f} | {ms(c['p50'])} | {ms(c['p95'])} | {ms(c['p99'])} | {ms(c['max'])} "
                  f"| {c['n']} | {c['failures']} |",
                  f"| **cast / floor** | **{thr:.2f}** | {c['p50'] / f['p50']:.2f} | **{p95:.2f}** "
                  f"| {c['p99'] / f['p99']:.2f} | | | |", "",
                  f"Target: throughput ≥ {TARGET_THROUGHPUT} of the floor, p95 ≤ {TARGET_P95}× the floor → "
                  f"**{verdict}** the target.", "", *cpu_lines(f, c), *path_report(load),
                  f"### Everyday flows ({load['flows_elapsed']:.0f} s, {load['clients']} clients)", "",
                  "| step | requests | per s | p50 ms | p95 ms | p99 ms | failed |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {step} | {s['n']} | {s['rps']:.1f} | {ms(s['p50'])} | {ms(s['p95'])} | {ms(s['p99'])} "
                  f"| {s['failures']} |" for step, s in load["flows"].items()]
        b = load["burst"]
        ok = b["n"] == b["voters"] and b["failures"] == 0
        lines += ["", f"### Burst: {b['voters']} distinct voters on one ballot, sent within {b['window']:.0f} s", "",
                  f"{b['n']} accepted, {b['failures']} failed ({'all accepted' if ok else 'NOT all accepted'}); "
                  f"sent within {b['sent_within']:.1f} s, last answer after {b['elapsed']:.1f} s; "
                  f"latency p50 {ms(b['p50'])} ms, p95 {ms(b['p95'])} ms, **max {ms(b['max'])} ms**.", ""]
        lines += sheets_report(load["sheets"], load["box"]["sealing"]) + box_report(load["box"]["boxes"])
    if scale:
        lines += scale_report(scale)
    return "\n".join(lines) + "\n"


def refusals(statuses: dict) -> tuple[int, int]:
    """(refused, errors) among the failed requests: the site answered no (a page again, a redirect
    elsewhere, 4xx), or it did not answer properly (no answer, 5xx)."""
    errors = sum(n for status, n in statuses.items() if status == "0" or status.startswith("5"))
    return sum(statuses.values()) - errors, errors


def sheets_report(s: dict, sealing: dict) -> list[str]:
    refused, errors = refusals(s["refused"])
    ok = s["n"] == s["voters"] and not s["failures"]
    return [f"### Evaluation sheets: {s['voters']} distinct evaluators, {s['questions']} questions each, "
            f"sent within {s['window']:.0f} s", "",
            f"Each POSTs the full sheet (every rating and one comment) to the sheet page. {s['n']} accepted, "
            f"{refused} refused, {errors} errors ({'all accepted' if ok else 'NOT all accepted'}); "
            f"sent within {s['sent_within']:.1f} s, last answer after {s['elapsed']:.1f} s; "
            f"latency p50 {ms(s['p50'])} ms, p95 {ms(s['p95'])} ms, **max {ms(s['max'])} ms**. "
            f"CPU per sheet: server {s['server_cpu_ms']:.1f} ms, database {s['db_cpu_ms']:.1f} ms "
            f"({s['voters'] / s['window']:.0f} sheets/s on {os.cpu_count()} cores leave "
            f"{os.cpu_count() * 1000 * s['window'] / s['voters']:.1f} ms of CPU each).", "",
            f"Sealing one sheet of {sealing['questions']} ratings and a comment (`box.paper_seal`): median "
            f"{sealing['median'] * 1000:.2f} ms, max {sealing['max'] * 1000:.2f} ms; the paper is padded to "
            f"{sealing['plain_bytes']:,} bytes ({sealing['sealed_bytes']:,} sealed), whatever was written.", ""]


def box_report(boxes: list[dict]) -> list[str]:
    names = {"ballot": "the burst's ballot", "sheets": "the evaluation sheets"}
    lines = [f"### Opening the sealed ballot box ({boxes[0]['threshold']} of {boxes[0]['scrutineers']} "
             "scrutineer cards, `services.box_present` in process)", "",
             "| box | papers | paper bytes | close s | first card s | **opening s** | papers/s | "
             f"for {TARGET_BOX_PAPERS:,} papers s | invalid |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    verdicts = []
    for b in boxes:
        rate = b["papers"] / b["opening"] if b["opening"] else 0
        projected = TARGET_BOX_PAPERS / rate if rate else float("inf")
        verdicts.append(projected < TARGET_BOX_SECONDS)
        lines.append(f"| {names.get(b['name'], b['name'])} | {b['papers']:,} | {b['paper_bytes']:,} | {b['close']:.2f} "
                     f"| {b['presentations'][0]:.2f} | **{b['opening']:.2f}** | {rate:,.0f} | {projected:.1f} "
                     f"| {b['invalid']} |")
    topped = sum(b["topped_up"] for b in boxes)
    comments = next((b["comments"] for b in boxes if "comments" in b), None)
    lines += ["", "The opening is the last card: it combines the shares, opens and counts every paper and stores "
                  "the totals" + (f" (and writes the sheets' {comments:,} comments)" if comments is not None else "")
              + f". Target: under {TARGET_BOX_SECONDS:.0f} s for {TARGET_BOX_PAPERS:,} papers → "
              f"**{'meets' if all(verdicts) else 'MISSES'}** the target"
              + (" (projected from the papers/s)." if any(b["papers"] < TARGET_BOX_PAPERS for b in boxes) else ".")]
    if topped:
        lines.append(f"{topped} papers the bursts did not get through were cast in process before closing.")
    return [*lines, ""]


def scale_report(scale: dict) -> list[str]:
    size = scale["size"]
    lines = [f"## City-size data on {scale['version']} — {scale['label']}", "",
             "Data: " + ", ".join(f"{v:,} {k}" for k, v in size.items())
             + f" (generated in {scale['generated']:.0f} s).",
             "", "| what | data size | median ms | max ms (of runs) |", "|---|---|---:|---:|"]
    lines += [f"| {t['what']} | {t['size']} | {ms(t['median'])} | {ms(t['max'])} |" for t in scale["pages"]]
    lines += ["", "`verify_audit` over the district:", "", "| ballots | ledger events | seconds | events/s |",
              "|---:|---:|---:|---:|"]
    lines += [f"| {a['ballots']:,} | {a['events']:,} | {a['seconds']:.1f} | {a['events'] / a['seconds']:,.0f} |"
              for a in scale["audit"]]
    if len(scale["audit"]) == 2:
        a, b = scale["audit"]
        lines += ["", f"Linearity: {b['events'] / a['events']:.2f}× the events took "
                      f"{b['seconds'] / a['seconds']:.2f}× the time."]
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run of the harness (small, short)")
    parser.add_argument("--district", action="store_true", help="full district city data (280 committees)")
    parser.add_argument("--city", action="store_true", help="whole-city data (4,463 committees); hours")
    parser.add_argument("--db", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients in floor/cast/flows")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (1: sync workers)")
    parser.add_argument("--duration", type=float, help="seconds for the floor and cast phases")
    parser.add_argument("--no-scale", action="store_true", help="skip the city-size data and timings")
    parser.add_argument("--no-load", action="store_true", help="skip the load phases")
    args = parser.parse_args()
    args.size = "quick" if args.quick else "default"
    size = dict(SIZES[args.size])
    if args.duration:
        size["duration"] = args.duration
    label = "city" if args.city else "district" if args.district else args.size
    started = time.time()
    WORK.mkdir(parents=True, exist_ok=True)
    dbs = ["postgresql", "sqlite"] if args.db == "both" else [args.db]
    loads = [] if args.no_load else [load_benchmark(db, size, args.clients, args.workers, args.threads) for db in dbs]
    scale = None
    if not args.no_scale:
        with SCALE_LOCK.open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another run building the city data: wait for it
            scale = scale_timings(SCALES[label], label)
    text = report(loads, scale, args, started)
    shutil.rmtree(WORK, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    # One report a day and size: a district or city run, or a partial one (one database, no load, no
    # scale, other clients or workers), does not overwrite the day's full `make bench`.
    # A district or city run times the data; its load phases may be skipped (--no-load).
    load_changed = not args.no_load and (
        args.db != "both" or args.duration or args.threads != 1
        or args.clients != parser.get_default("clients") or args.workers != parser.get_default("workers"))
    partial = load_changed or args.no_scale or (args.no_load and label == "default")
    suffix = ("" if label == "default" else f"-{label}") + ("-partial" if partial else "")
    out = RESULTS / f"{dt.datetime.now(dt.UTC):%Y-%m-%d}{suffix}.md"
    out.write_text(text)
    print(text)
    say(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
