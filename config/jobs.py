"""One run at a time of a scheduled job, however many hosts start it.

Every web host may carry the same cron line or systemd timer; ``single_run`` makes all but one of
the overlapping runs step aside instead of acting twice:

- PostgreSQL: a session advisory lock (``pg_try_advisory_lock``), held by the database for as long
  as the run's connection lives, so a crashed host never leaves it stuck.
- SQLite (one host by nature): an exclusive ``flock`` on a file beside the database, released by
  the kernel when the process ends.

The services stay safe on their own (a ballot is closed under its row lock, and a second close
is refused), so the lock is a second line: it keeps overlapping runs from even trying.
"""

import fcntl
import hashlib
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path

from django.db import connections


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (advisory lock keys are bigint)."""
    return int.from_bytes(hashlib.sha256(f"sanhui-job:{name}".encode()).digest()[:8], "big", signed=True)


def _lock_file(name: str, alias: str) -> Path:
    db_name = str(connections[alias].settings_dict["NAME"])
    folder = Path(db_name).parent if db_name and db_name != ":memory:" and "mode=memory" not in db_name else None
    return (folder or Path(tempfile.gettempdir())) / f".sanhui-job-{name}.lock"


@contextmanager
def job_lock(name: str, *, using: str = "default") -> Iterator[bool]:
    """Try to take the lock ``name``; yield True if this run holds it, False if another run does."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        key = lock_key(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            held = cursor.fetchone()[0]
        try:
            yield held
        finally:
            if held:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    path = _lock_file(name, using)
    handle = open(path, "a+")  # noqa: SIM115 - held open for the whole run
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def single_run(name: str) -> Callable:
    """Decorate a management command's ``handle``: skip (saying so) while another run holds ``name``."""

    def decorate(handle: Callable) -> Callable:
        @wraps(handle)
        def wrapper(self, *args, **options):
            with job_lock(name) as held:
                if not held:
                    self.stderr.write(f"{name}: another run is in progress; skipped")
                    return None
                return handle(self, *args, **options)

        return wrapper

    return decorate
