import os

import pytest

# Playwright runs an event loop in the test thread; Django's sync ORM refuses that unless told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _sms_outbox():
    """Start every test with an empty SMS outbox (members.phone.outbox)."""
    from members import phone

    phone.outbox.clear()
    yield phone.outbox
    phone.outbox.clear()


@pytest.fixture
def sms_outbox(_sms_outbox):
    return _sms_outbox


@pytest.fixture
def migrated_sqlite_copy(db, tmp_path):
    """``copy(name)``: a file in tmp_path holding a copy of this test process's SQLite test database,
    for a subprocess to use as its own: what ``manage.py migrate`` makes of an empty file (the same
    migrations built it), without running every migration again."""
    import sqlite3

    from django.db import connection

    def copy(name: str):
        target = tmp_path / name
        with sqlite3.connect(connection.settings_dict["NAME"]) as source, sqlite3.connect(target) as copied:
            source.backup(copied)
        return target

    return copy


@pytest.fixture(autouse=True)
def _append_only_triggers(request, django_db_blocker):
    """The vote and ledger tables are append-only in every test that uses the database.

    A transactional test (``transactional_db``, ``live_server``, ``django_db(transaction=True)``)
    is emptied afterwards by pytest-django's flush: a TRUNCATE on PostgreSQL, which row triggers
    do not see, but DELETE FROM on SQLite, which the triggers refuse. So on SQLite they are
    dropped after such a test; the next test puts them back. Requesting ``_django_db_helper``
    here sets it up first, so this teardown runs before its flush.
    """
    marker = request.node.get_closest_marker("django_db")
    if not (marker or "_django_db_helper" in request.fixturenames or "live_server" in request.fixturenames):
        yield
        return
    request.getfixturevalue("_django_db_helper")
    from django.db import connection

    from decisions import triggers

    with django_db_blocker.unblock():
        triggers.install(connection)
        transactional = not connection.in_atomic_block
    yield
    if transactional and connection.vendor == "sqlite":
        with django_db_blocker.unblock():
            triggers.remove(connection)


@pytest.fixture(autouse=True)
def _fresh_vote_throttle():
    """Each test starts with no votes counted: the ``throttle`` cache is cleared (the vote throttle's
    database counts, used without Redis, are rolled back with each test's transaction)."""
    from django.core.cache import caches

    caches["throttle"].clear()
    yield


@pytest.fixture(autouse=True)
def _card_codes(monkeypatch):
    """Keep every scrutineer card code made during the test, by the card's public key.

    The product shows a code once and stores only the public key; tests that play a scrutineer
    look their code up here (``tests.decisions.factories.open_box``). Nothing else changes.
    """
    from decisions import box

    made = box.card_new

    def recording(ballot_id: int):
        code, public_key = made(ballot_id)
        CARD_CODES[public_key] = code
        return code, public_key

    monkeypatch.setattr(box, "card_new", recording)
    yield CARD_CODES
    CARD_CODES.clear()


CARD_CODES: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _frozen_forgotten():
    """Each test starts with no ballot's frozen questions in memory (``decisions.frozen``): rolled-back
    databases hand out the same ids again, and a travelling clock the same opening times."""
    from decisions import frozen

    frozen.clear_all()
    yield
    frozen.clear_all()
