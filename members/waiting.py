"""What is waiting for a person, gathered from every app for the home page.

Each app that has something for residents to do registers, in its ``AppConfig.ready()``, a
provider

    def items_for(user) -> list[WaitingItem]

using a constant number of queries whatever the user's data (``waiting.register(items_for)``).
``waiting_for`` calls them all; ``home_lists`` splits them into the tasks, the biggest first (still
to do before done-but-changeable, then the soonest due), and the information, newest first. Whether
an item is a task or information is the provider's word (``info``), never guessed from its text.
The directory imports no app above it: the apps come to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class WaitingItem:
    kind: str                # "vote", "sheet", "registration", "confirmation", "objection", ...
    title: str               # what it is about, e.g. the ballot's or hearing's title
    action: str              # what to do, already translated: "Vote", "Confirm the minutes", ...
    url: str                 # where to do it
    due: datetime | None = None
    place: str = ""          # the committee or building it belongs to
    info: bool = False       # something to read (a request answered, a result published), not a task
    done: bool = False       # done already but still open to change (a vote that may be changed)
    at: datetime | None = None  # when the information came (an answer, a publication), for its order


_providers: list[Callable[..., list[WaitingItem]]] = []


def register(provider: Callable[..., list[WaitingItem]]) -> None:
    """Add an app's ``items_for``; called once, from the app's ``AppConfig.ready()``."""
    if provider not in _providers:
        _providers.append(provider)


def waiting_for(user) -> list[WaitingItem]:
    if not user.is_authenticated:
        return []
    items: list[WaitingItem] = [item for provider in _providers for item in provider(user)]
    return sorted(items, key=lambda item: (item.due is None, item.due.timestamp() if item.due else 0.0))


# The home page shows this many pieces of information; older ones stay in the notifications.
INFO_SHOWN = 5


def home_lists(user) -> tuple[list[WaitingItem], list[WaitingItem]]:
    """The tasks (to do first, then done but changeable; each by due date) and the newest information."""
    items = waiting_for(user)
    tasks = sorted((item for item in items if not item.info), key=lambda item: item.done)  # stable: due order kept
    info = sorted((item for item in items if item.info),
                  key=lambda item: item.at.timestamp() if item.at else 0.0, reverse=True)
    return tasks, info[:INFO_SHOWN]
