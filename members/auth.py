"""Who a request is from: the signed-in user, read without the ORM building a query each time.

Every signed-in request asks the authentication backend for its user (``get_user``), which Django
answers with ``User.objects.get(pk=…)``: the ORM builds the same statement each time, which costs
more than reading the row does (figures in docs/PERFORMANCE.md). Here the ORM
compiles that query once per database (the same columns, the same value converters), and the
user is built from the row as the ORM builds it (``Model.from_db``). Usually the row has already
come with the session (``config.sessions`` reads both in one statement); otherwise ``load_user``
reads it, prepared on PostgreSQL (``config.db.prepared_cursor``). Signing in, the session hash
check, permissions and everything else are the backends' own.
"""

from functools import cache

from allauth.account import auth_backends
from django.contrib.auth import backends
from django.db import connections, router

from config.db import prepared_cursor
from members.models import User

_PLACEHOLDER = -1


@cache
def _compiled(alias: str) -> tuple[str, list[str], list[str], dict]:
    """``User.objects.filter(pk=…)`` as the ORM compiles it for ``alias``: SQL, columns, names, converters."""
    compiler = User._default_manager.filter(pk=_PLACEHOLDER).query.get_compiler(alias)
    sql, params = compiler.as_sql()
    if list(params) != [_PLACEHOLDER]:
        raise AssertionError(f"unexpected parameters in the user query: {params!r}")
    columns = [column for column, _sql, _alias in compiler.select]
    names = [column.target.attname for column in columns]
    if names[0] != User._meta.pk.attname:
        raise AssertionError(f"the user query does not start with the primary key: {names!r}")
    return sql, [compiler.compile(column)[0] for column in columns], names, compiler.get_converters(columns)


def user_columns(alias: str) -> tuple[list[str], list[str], dict]:
    """The user's columns as ``User.objects.get`` selects them (SQL, field names, converters); the pk first."""
    _sql, columns, names, converters = _compiled(alias)
    return columns, names, converters


def user_from_row(alias: str, row, names: list[str], converters: dict) -> User:
    """The user of a row of ``user_columns``, as the ORM builds it."""
    if converters:  # as SQLCompiler.apply_converters does (SQLite's dates and booleans, for one)
        row = list(row)
        connection = connections[alias]
        for position, (functions, expression) in converters.items():
            for convert in functions:
                row[position] = convert(row[position], expression, connection)
    return User.from_db(alias, names, row)


def load_user(pk) -> User | None:
    """The user with this primary key, as ``User.objects.get(pk=pk)`` gives it (None if there is none)."""
    alias = router.db_for_read(User)
    sql, _columns, names, converters = _compiled(alias)
    with prepared_cursor(connections[alias]) as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    return None if row is None else user_from_row(alias, row, names, converters)


def signed_in_user(user_id) -> User | None:
    """The user read with this request's session (``config.sessions``), if it is ``user_id``; else read now."""
    from config.sessions import signed_in

    found = signed_in.get()
    if found is not None:
        signed_in.set(None)  # once: a second call reads the row again
        if found[0] == user_id:
            return found[1]
    return load_user(user_id)


class FastUserMixin:
    """``get_user`` as above; the rest (``user_can_authenticate`` included) unchanged."""

    def get_user(self, user_id):
        user = signed_in_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(FastUserMixin, backends.ModelBackend):
    """Django's username and password backend (the admin's sign-in)."""


class AuthenticationBackend(FastUserMixin, auth_backends.AuthenticationBackend):
    """allauth's backend (phone or username, rate limits), which sign-in through the site uses."""
