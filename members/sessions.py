"""Database sessions read together with their user: one statement per signed-in request.

Every signed-in request reads its session, then its user; Django's store and backend send two
statements. This store keeps its rows in ``members.Session``: Django's session row plus the person
it is signed in as, written from the session's data at every save, and reads the session with that
person's row in one statement, ``User.objects.raw``: the user's columns become the user as the ORM
loads a row (its own converters), the session's data comes with it. ``members.auth`` then takes the
user from here instead of reading it again, if the session's data names the same person; the session
hash is checked as always. Everything else (saving, cycling the key at login, flushing at logout,
clearing expired rows) is Django's own. With ``REDIS_URL`` set, settings use Django's ``cached_db``
store instead (``config.sessions_cached``), which reads the session from the cache.

Why not ``Session.objects.select_related("user")``: it reads the same, but the ORM builds that
statement anew for every request, which measured 0.5 to 0.6 ms of CPU per signed-in request, three to
four times the whole read done here (measured in process on SQLite: 685 µs against 228 µs).
"""

from contextvars import ContextVar
from functools import cache

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.core.signals import request_started
from django.db import connections, router
from django.utils import timezone

from members.models import Session, User

# The user read with the session of the request being served: (user id, user). Emptied when a
# request starts and by every load, so it never outlives the request that read it; taken (once) by
# members.auth.
signed_in: ContextVar[tuple | None] = ContextVar("sanhui_signed_in", default=None)


def _forget(**_kwargs) -> None:
    signed_in.set(None)


request_started.connect(_forget, dispatch_uid="sanhui_sessions_forget_user")


def _user_id(data: dict) -> int | None:
    try:
        return int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None


class SessionStore(db.SessionStore):
    @classmethod
    def get_model_class(cls):
        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = _user_id(data)
        return session

    def load(self):
        signed_in.set(None)
        if not self.session_key:  # Django's store asks the database even then; nothing can match
            return {}
        alias = router.db_for_read(self.model)
        now = connections[alias].ops.adapt_datetimefield_value(timezone.now())
        found = list(User.objects.db_manager(alias).raw(_statement(alias), [self.session_key, now]))
        if not found:
            # Unknown or expired: Django's own load reads again and forgets the key, so that a key
            # the browser made up is never saved (session fixation). Rare: one statement more.
            return super().load()
        user = found[0]
        data = self.decode(user.sanhui_session_data)
        user_id = _user_id(data)
        # The person the data names, read with it (no one: the row names nobody, or someone gone).
        if user_id is not None and user.pk == user_id:
            signed_in.set((user_id, user))
        return data


@cache
def _statement(alias: str) -> str:
    """The session's data and its user's row (every column, NULL if none), by key, unexpired."""
    quote = connections[alias].ops.quote_name
    user, session = quote(User._meta.db_table), quote(Session._meta.db_table)
    columns = ", ".join(f"u.{quote(field.column)}" for field in User._meta.concrete_fields)
    return (f"SELECT s.{quote('session_data')} AS sanhui_session_data, {columns} "  # noqa: S608 - names only
            f"FROM {session} s LEFT JOIN {user} u ON u.{quote(User._meta.pk.column)} = s.{quote('user_id')} "
            f"WHERE s.{quote('session_key')} = %s AND s.{quote('expire_date')} > %s")
