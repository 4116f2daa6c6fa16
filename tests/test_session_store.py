"""config.sessions: the database session store that reads with one plain statement."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.sessions import SessionStore

pytestmark = pytest.mark.django_db


def _saved(**data) -> str:
    store = SessionStore()
    store.update(data)
    store.save()
    return store.session_key


def test_a_saved_session_loads_with_one_query():
    key = _saved(visit="first", n=3)
    with CaptureQueriesContext(connection) as ctx:
        store = SessionStore(session_key=key)
        assert dict(store.items()) == {"visit": "first", "n": 3}
    assert len(ctx.captured_queries) == 1
    assert store.session_key == key


def test_an_expired_session_is_empty_and_its_key_dropped():
    key = _saved(visit="old")
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    store = SessionStore(session_key=key)
    assert dict(store.items()) == {}
    assert store.session_key is None


def test_an_unknown_or_malformed_key_is_empty_without_error():
    for key in ("x" * 32, "short", "'; DROP TABLE django_session; --" + "a" * 10):
        store = SessionStore(session_key=key)
        assert dict(store.items()) == {}
        assert store.session_key is None
    assert Session.objects.count() == 0


def test_a_tampered_row_is_not_trusted():
    key = _saved(_auth_user_id="1")
    Session.objects.filter(session_key=key).update(session_data="forged:data")
    assert dict(SessionStore(session_key=key).items()) == {}


def test_a_flushed_session_cannot_be_loaded_again():
    key = _saved(_auth_user_id="1")
    SessionStore(session_key=key).flush()
    assert dict(SessionStore(session_key=key).items()) == {}
