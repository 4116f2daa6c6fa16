"""Statements that run on every request, planned once per connection.

Django's PostgreSQL cursor binds parameters on the client, so the server parses and plans every
statement it is sent. The few statements that run on every signed-in request or every vote — the
session, the signed-in user, the cast's own (``decisions/cast_sql.py``) — go through
``prepared_cursor``, which binds on the server: psycopg then prepares a statement the
``prepare_threshold``-th time a connection runs it (settings), and the server plans it once per
connection, not once per request. Behind a pooler this needs PgBouncer in session mode
(docs/DEPLOY.md), as persistent connections do.
"""

from django.db.backends.base.base import BaseDatabaseWrapper


def prepared_cursor(connection: BaseDatabaseWrapper):
    """Django's cursor for ``connection``; on PostgreSQL one that binds parameters on the server.

    Errors are Django's, as from ``connection.cursor()``, and the statements are logged the same
    way (the query-count tests count them). On other databases: ``connection.cursor()``.
    """
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = ServerBindingCursor(connection.connection)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
