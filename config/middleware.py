"""Turn a database that is busy or out of reach into a polite "try again" page instead of a 500.

* SQLite: writers queue for up to the busy timeout; past it, "database is locked".
* PostgreSQL: the server restarts, fails over or drops the connection (psycopg's OperationalError
  or InterfaceError, wrapped by Django). The transaction that was running is rolled back as a whole
  by the server, so nothing was half-saved; but a request may have committed just before the
  connection was lost, so the page tells a voter to look for their receipt before voting again.

The middleware is the first in MIDDLEWARE: besides the view's exceptions (process_exception) it
catches those of the other middleware (session save, authentication), which Django turns into a 500
inside the stack; a ``got_request_exception`` receiver marks such requests so the 500 becomes a 503.
"""

import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

try:  # PostgreSQL's driver; absent on a SQLite-only install
    import psycopg
    _DRIVER_ERRORS: tuple = (psycopg.OperationalError, psycopg.InterfaceError)
except ImportError:  # pragma: no cover
    _DRIVER_ERRORS = ()

RETRY_AFTER_SECONDS = 10
_MARK = "_sanhui_database_unavailable"


def sqlite_busy(exception: BaseException) -> bool:
    return isinstance(exception, OperationalError) and "locked" in str(exception).lower()


def database_unreachable(exception: BaseException) -> bool:
    """The database server could not be reached or dropped the connection (not a bug in a query)."""
    if _DRIVER_ERRORS and isinstance(exception, _DRIVER_ERRORS):
        return True
    return isinstance(exception, (OperationalError, InterfaceError)) and bool(_DRIVER_ERRORS) and isinstance(
        exception.__cause__, _DRIVER_ERRORS)


def unavailable_response() -> HttpResponse:
    """A page rendered without the database (no user, no session, no navigation)."""
    response = HttpResponse(render_to_string("503_database.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _mark_request(sender, request=None, **kwargs):
    error = sys.exc_info()[1]
    if request is not None and error is not None and database_unreachable(error):
        setattr(request, _MARK, True)


got_request_exception.connect(_mark_request, dispatch_uid="sanhui-database-unavailable")


class BusyDatabaseMiddleware:
    """Nothing was saved by the request that failed: its transaction was rolled back as a whole."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, _MARK, False):
            return unavailable_response()
        return response

    def process_exception(self, request, exception):
        if database_unreachable(exception):
            return unavailable_response()
        if sqlite_busy(exception):
            response = render(request, "503.html", status=503)
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        return None


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than settings.MAX_REQUEST_BYTES with 413, before reading it.

    Django caps form fields (DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FIELDS: 400 page)
    but not uploaded files; this caps everything, uploads included, by the declared length.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_REQUEST_BYTES
        if length > limit:
            response = HttpResponse(render_to_string("413.html", {"limit_mb": limit // (1024 * 1024)}),
                                    status=413)
            response["Connection"] = "close"
            return response
        return self.get_response(request)
