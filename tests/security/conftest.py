"""Fixtures of the security suites: one world per test module, one signed-in client per role."""

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client

from tests.security import figures
from tests.security.world import ROLES, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world of tests/security/world.py, built once per module and rolled back after it.

    Tests that use it must be ``@pytest.mark.django_db``: each runs in a savepoint inside this
    module's transaction, so what one test writes is gone before the next.
    """
    with django_db_blocker.unblock():
        from decisions import triggers

        triggers.install(connection)
        with transaction.atomic():
            built = build_world()
            built.clients = {}
            for role in ROLES:
                client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
                if built.users[role] is not None:
                    client.force_login(built.users[role])
                built.clients[role] = client
            built.cookies = {role: c.cookies.get(settings.SESSION_COOKIE_NAME) for role, c in built.clients.items()}
            yield built
            transaction.set_rollback(True)


def fresh_client(world, role: str):
    """The role's client with only its session cookie (earlier answers may have replaced or dropped it)."""
    from http.cookies import SimpleCookie

    client = world.clients[role]
    client.cookies = SimpleCookie()
    if world.cookies[role] is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.cookies[role].value
    return client


@pytest.fixture
def rolled_back():
    """A context manager: run a block in a transaction that is always rolled back."""
    from contextlib import contextmanager

    @contextmanager
    def block():
        with transaction.atomic():
            yield
            transaction.set_rollback(True)

    return block


def pytest_sessionfinish(session, exitstatus):
    figures.write(connection.vendor)
