"""What a ballot freezes at opening, kept in memory by each server process once it has read it.

A ballot's questions and options (and, for an evaluation, its sheet) cannot change once it is open:
``services.ballots`` refuses the edit. Every vote of a busy ballot would otherwise read and build
the same objects again: a sheet of 28 questions is about 170 model instances, more CPU than the
rest of the cast. So each process keeps them, keyed by the ballot's **opening**: its id, the time it
was opened and its box key (random at every opening of a secret ballot). A ballot opened again, or
an id used again by another ballot (SQLite may, after a delete), is a new key and is read afresh.

Only what is frozen goes in: never a status, a voice, a version or anything a cast writes. The
objects kept are shared between requests, and read only.
"""

import threading
from collections import OrderedDict
from typing import Any

Opening = tuple[int, Any, str]  # (ballot id, opened_at as the database gives it, box key)


def opening(ballot_id: int, opened_at, box_key: str | None) -> Opening | None:
    """The key of a ballot's opening; None for a ballot never opened (its questions may still change)."""
    return None if opened_at is None else (ballot_id, opened_at, box_key or "")


class Frozen:
    """A small least-recently-used map, safe across the threads of one process."""

    def __init__(self, size: int = 128) -> None:
        self._items: OrderedDict = OrderedDict()
        self._size = size
        self._lock = threading.Lock()
        _all.append(self)

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_all: list[Frozen] = []


def clear_all() -> None:
    """Forget everything (tests, whose rolled-back databases reuse ids and may freeze the clock)."""
    for frozen in _all:
        frozen.clear()
