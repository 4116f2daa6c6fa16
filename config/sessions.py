"""Database sessions read together with their user: one statement per signed-in request.

Every signed-in request reads its session, then its user. Django's store builds the first read
through the ORM (``Session.objects.get(session_key=…, expire_date__gt=now)``), and its backend the
second, which cost more than the database spent answering them. This store keeps its rows in
``members.Session``: Django's session row plus the id of the person it is signed in as, written
from the session's data at every save. It reads the session and that person's row in one
statement, written once and prepared on PostgreSQL (``config.db.prepared_cursor``), and decodes
the session as Django does. ``members.auth`` then takes the user from here instead of reading it
again, if the session's data names the same person; the session hash is checked as always.
Everything else (saving, cycling the key at login, flushing at logout, clearing expired rows) is
Django's own. With ``REDIS_URL`` set, settings use Django's ``cached_db`` store instead, which
reads the session from the cache.
"""

from contextvars import ContextVar
from functools import cache

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.core.signals import request_started
from django.db import connections, router
from django.utils import timezone

from config.db import prepared_cursor

# The user read with the session of the request being served: (user id, user). Emptied when a
# request starts and by every load, so it never outlives the request that read it; taken (once) by
# members.auth.
signed_in: ContextVar[tuple | None] = ContextVar("sanhui_signed_in", default=None)


def _forget(**_kwargs) -> None:
    signed_in.set(None)


request_started.connect(_forget, dispatch_uid="sanhui_sessions_forget_user")


@cache
def _statement(alias: str) -> tuple[str, list[str], dict]:
    """The session row and its user's columns (as ``User.objects.get`` selects them), for ``alias``."""
    from members.auth import user_columns
    from members.models import Session

    connection = connections[alias]
    quote = connection.ops.quote_name
    columns, names, converters = user_columns(alias)
    User = Session.user.field.related_model  # noqa: N806
    user_table, session_table = quote(User._meta.db_table), quote(Session._meta.db_table)
    sql = (f"SELECT s.session_data, {', '.join(columns)} FROM {session_table} s "  # noqa: S608 - names only
           f"LEFT JOIN {user_table} ON {user_table}.{quote(User._meta.pk.column)} = s.user_id "
           "WHERE s.session_key = %s AND s.expire_date > %s")
    return sql, names, converters


def _user_id(data: dict) -> int | None:
    try:
        return int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None


class SessionStore(db.SessionStore):
    @classmethod
    def get_model_class(cls):
        from members.models import Session

        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = _user_id(data)
        return session

    def load(self):
        signed_in.set(None)
        if not self.session_key:  # Django's store asks the database even then; nothing can match
            self._session_key = None
            return {}
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        sql, names, converters = _statement(alias)
        with prepared_cursor(connection) as cursor:
            cursor.execute(sql, [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        data = self.decode(row[0])
        user_id = _user_id(data)
        if user_id is not None and row[1] == user_id:  # the person the data names, read with it
            from members.auth import user_from_row

            signed_in.set((user_id, user_from_row(alias, row[1:], names, converters)))
        return data
