"""Who a request reads as: no Authorization header → anonymous; ``Bearer <token>`` → the token's street.

A token that is unknown, revoked or expired is refused (401), never read as anonymous, so a system
learns at once that its token no longer works. Requests with a token are counted by the project's
shared throttle (``decisions.throttle``, settings.API_THROTTLE) and logged (``api.middleware``).
"""

import time

from django.conf import settings
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from api.selectors import Reader, token_for
from decisions.throttle import parse_rate, throttle_hit


class Refused(Exception):
    """A request refused before the endpoint runs: its status, the reason, and headers to add."""

    def __init__(self, status: int, detail: str, headers: dict | None = None):
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers or {}


class ReadToken(HttpBearer):
    """An optional street read token (``Authorization: Bearer <prefix>.<secret>``)."""

    def __call__(self, request):
        if not request.headers.get("Authorization"):
            return Reader()
        return super().__call__(request)

    def authenticate(self, request, token: str) -> Reader:
        found = token_for(token)
        if found is None:
            raise Refused(401, _("This token is not known. Ask your street office for a new one."))
        request.api_token = found  # logged with the answer's status, refused or not
        if found.revoked_at is not None:
            raise Refused(401, _("This token was revoked. Ask your street office for a new one."))
        if not found.is_usable():
            raise Refused(401, _("This token has expired. Ask your street office for a new one."))
        limit, period = parse_rate(settings.API_THROTTLE)
        now = time.time()
        if throttle_hit(f"api:{found.pk}", period=period, now=now) > limit:
            wait = max(1, period - int(now) % period)
            raise Refused(429, _("Too many requests with this token: wait %(s)s seconds.") % {"s": wait},
                          {"Retry-After": str(wait)})
        return Reader.of(found)
