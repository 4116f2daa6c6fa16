"""What is waiting for a person, gathered from every app for the home page.

Each app that has something for residents to do provides a module ``<app>/waiting.py`` with

    def items_for(user) -> list[WaitingItem]

using a constant number of queries whatever the user's data. ``waiting_for`` calls them all and
sorts by due date (items without a date last).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps


@dataclass(frozen=True)
class WaitingItem:
    kind: str                # "vote", "sheet", "registration", "confirmation", "objection", ...
    title: str               # what it is about, e.g. the ballot's or hearing's title
    action: str              # what to do, already translated: "Vote", "Confirm the minutes", ...
    url: str                 # where to do it
    due: datetime | None = None
    place: str = ""          # the committee or building it belongs to


def waiting_for(user) -> list[WaitingItem]:
    if not user.is_authenticated:
        return []
    items: list[WaitingItem] = []
    for config in apps.get_app_configs():
        name = f"{config.name}.waiting"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        if module.__name__ != __name__:
            items.extend(module.items_for(user))
    return sorted(items, key=lambda item: (item.due is None, item.due.timestamp() if item.due else 0.0))
