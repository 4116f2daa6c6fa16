"""The demo data of every app, for ``seed_demo``: each app registers its ``seed`` here.

An app with demo data calls ``demo.register(seed)`` in its ``AppConfig.ready()``; ``seed_demo``
runs the directory's own data, then every registered ``seed(stdout=…)`` in the order of
``INSTALLED_APPS`` (a meeting app's demo may use the core's). The directory imports no app above it.
"""

from collections.abc import Callable

_seeders: list[Callable[..., None]] = []


def register(seed: Callable[..., None]) -> None:
    if seed not in _seeders:
        _seeders.append(seed)


def seeders() -> list[Callable[..., None]]:
    return list(_seeders)
