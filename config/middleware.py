"""Turn a database that stays busy into a polite "try again" page instead of a 500."""

from django.db import OperationalError
from django.shortcuts import render


class BusyDatabaseMiddleware:
    """SQLite writers queue for up to the busy timeout; past it, ask the person to try again.

    Nothing was saved: the transaction that waited was rolled back as a whole.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError) and "locked" in str(exception).lower():
            response = render(request, "503.html", status=503)
            response["Retry-After"] = "10"
            return response
        return None
