"""A per-person limit on vote submissions, counted in the shared cache (settings.VOTE_THROTTLE).

Keyed on the account, never on the IP address: neighbours behind one home router or the community
centre's Wi-Fi do not slow each other down. A fixed window: at most N POSTs in each window of S
seconds; past it the answer is 429 with a page asking to wait, and nothing is recorded.

A small cache counter rather than django-ratelimit: that library refuses the database cache in its
system checks. Counted in the ``throttle`` cache: Redis, shared by every host, when REDIS_URL is set;
otherwise each server process's memory (so the limit is per process), because the database cache
would add five statements to every cast.

If the shared cache cannot be reached (Redis restarting, failing over), the vote is not throttled
rather than refused with a 500: the limit only slows a person down, while one vote per voice is
kept by the database's row lock and unique constraints (docs/SECURITY.md). The failure is logged.
"""

import logging
import time
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.shortcuts import render

logger = logging.getLogger(__name__)


def parse_rate(rate: str) -> tuple[int, int]:
    """"20/60" → (20, 60): at most 20 in 60 seconds."""
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 60)


def _hit(key: str, period: int) -> int:
    """Count one more in the window; the count so far (0 if the cache cannot be reached)."""
    cache = caches["throttle"]
    try:
        cache.add(key, 0, timeout=period + 5)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=period + 5)
            return 1
    except Exception:  # noqa: BLE001 - any cache client's connection error: fail open (module docstring)
        logger.warning("vote throttle: the %s cache is unreachable; this vote is not counted", "throttle",
                       exc_info=True)
        return 0


def throttle_votes(view):
    """Limit POSTs to ``view`` per signed-in person (apply inside @login_required)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST" and request.user.is_authenticated:
            limit, period = parse_rate(settings.VOTE_THROTTLE)
            window = int(time.time() // period)
            count = _hit(f"sanhui:vote-throttle:{request.user.pk}:{window}", period)
            if count > limit:
                wait = period - int(time.time()) % period
                response = render(request, "429.html", {"wait": wait}, status=429)
                response["Retry-After"] = str(wait)
                return response
        return view(request, *args, **kwargs)

    return wrapped
