"""Send the reads of chosen pages (dashboards, exports) to a read replica; every write to the primary.

Enabled by ``DATABASE_REPLICA_URL`` (config/settings.py adds the ``replica`` alias, this router and
``ReplicaPagesMiddleware``). Which pages read from the replica is a list of URL names,
``DATABASE_REPLICA_VIEWS``; only their GET and HEAD requests do. Everything else — every write,
every lock (``select_for_update`` goes through ``db_for_write``), sessions and the cache table, whose
rows a replica may not have yet — stays on the primary. A replica lags by a moment, which a
dashboard or an export can bear and a vote cannot.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

PRIMARY = "default"
REPLICA = "replica"
# Rows written a moment ago that the next request needs: the login session, rate limits.
PRIMARY_ONLY_APPS = {"sessions", "django_cache"}
PRIMARY_ONLY_MODELS = {"members.session"}  # the sessions of members.sessions

_reading_from_replica: ContextVar[bool] = ContextVar("sanhui_reading_from_replica", default=False)


@contextmanager
def reading_from_replica() -> Iterator[None]:
    """Within this block, reads go to the replica (when one is configured)."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (_reading_from_replica.get() and model._meta.app_label not in PRIMARY_ONLY_APPS
                and model._meta.label_lower not in PRIMARY_ONLY_MODELS):
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA} or None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY  # the replica gets its schema by replication


class ReplicaPagesMiddleware:
    """Run the views named in ``DATABASE_REPLICA_VIEWS`` (GET/HEAD only) inside ``reading_from_replica``."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.views = set(getattr(settings, "DATABASE_REPLICA_VIEWS", ()))

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method not in ("GET", "HEAD") or match is None or match.view_name not in self.views:
            return None
        with reading_from_replica():
            response = view_func(request, *view_args, **view_kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()  # a TemplateResponse renders (and reads) here, not later
        return response
