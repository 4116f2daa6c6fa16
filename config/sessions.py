"""Django's database sessions, read with one plain statement (issue #8).

Every signed-in request reads its session first. Django's store builds that read through the ORM
(``Session.objects.get(session_key=…, expire_date__gt=now)``), which cost more than the database
spent answering it; this store sends the same statement, written once and prepared on PostgreSQL
(``config.db.prepared_cursor``), and decodes the row as Django does. Everything else (saving,
cycling the key at login, flushing at logout, clearing expired rows) is Django's own. With
``REDIS_URL`` set, settings use Django's ``cached_db`` store instead, which reads the session from
the cache.
"""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from config.db import prepared_cursor


class SessionStore(db.SessionStore):
    def load(self):
        if not self.session_key:  # Django's store asks the database even then; nothing can match
            self._session_key = None
            return {}
        connection = connections[router.db_for_read(self.model)]
        table = connection.ops.quote_name(self.model._meta.db_table)
        with prepared_cursor(connection) as cursor:
            cursor.execute(f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",  # noqa: S608
                           [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])
