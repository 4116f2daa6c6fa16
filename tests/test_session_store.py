"""members.sessions: the database session store that reads the session with its user in one statement."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import Session, User
from members.sessions import SessionStore
from tests.factories import make_user

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


# --- The session and its user in one statement (members.Session.user, members.auth) -------------


def test_the_session_row_names_the_person_it_is_signed_in_as():
    user = make_user()
    key = _saved(_auth_user_id=str(user.pk))
    assert Session.objects.get(session_key=key).user_id == user.pk
    store = SessionStore(session_key=key)
    store["_auth_user_id"] = "not a number"  # whatever the data holds, the column is only ever a real id
    store.save()
    assert Session.objects.get(session_key=key).user_id is None
    assert _saved(visit="anonymous") and Session.objects.filter(user=None).count() == 2


def test_a_signed_in_request_reads_its_session_and_user_in_one_statement(client):
    user = make_user()
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("decisions:my_ballots"))
    assert response.status_code == 200 and response.wsgi_request.user == user
    reads = [q["sql"] for q in ctx.captured_queries if "members_user" in q["sql"] and "session" in q["sql"]]
    assert len(reads) == 1
    assert not [q["sql"] for q in ctx.captured_queries
                if q["sql"].lstrip().startswith('SELECT "members_user"."id"') and "session" not in q["sql"]]


def test_the_user_read_with_the_session_is_used_only_if_the_data_names_them(client):
    """A row whose user column says someone else (an edit behind the app's back) changes nothing."""
    user, other = make_user(), make_user()
    client.force_login(user)
    Session.objects.filter(session_key=client.session.session_key).update(user=other)
    response = client.get(reverse("decisions:my_ballots"))
    assert response.wsgi_request.user == user


def test_a_password_change_still_signs_the_other_sessions_out(client):
    user = make_user()
    client.force_login(user)
    user.set_password("another-horse-7")
    user.save()
    response = client.get(reverse("decisions:my_ballots"))
    assert response.status_code == 302 and not response.wsgi_request.user.is_authenticated


def test_deleting_a_person_ends_their_sessions(client):
    user = make_user()
    client.force_login(user)
    key = client.session.session_key
    User.objects.filter(pk=user.pk).delete()
    assert not Session.objects.filter(session_key=key).exists()


def test_the_user_read_with_a_session_does_not_outlive_its_request(client):
    from django.core.signals import request_started

    from members.sessions import signed_in

    user = make_user()
    client.force_login(user)
    client.get(reverse("decisions:my_ballots"))
    assert signed_in.get() is None  # taken by the request that read it
    SessionStore(session_key=client.session.session_key).load()
    assert signed_in.get()[0] == user.pk  # read, not taken (no request asked for its user)
    request_started.send(sender=None)  # the next request starts
    assert signed_in.get() is None


def test_a_session_naming_someone_who_no_longer_exists_reads_as_signed_out(client):
    user = make_user()
    client.force_login(user)
    Session.objects.filter(session_key=client.session.session_key).update(user_id=987654321)
    User.objects.filter(pk=user.pk).update(is_active=False)  # and the person can no longer sign in
    response = client.get(reverse("decisions:my_ballots"))
    assert response.status_code == 302 and not response.wsgi_request.user.is_authenticated


def test_clearsessions_clears_expired_rows_of_this_store():
    from django.core.management import call_command

    old, fresh = _saved(visit="old"), _saved(visit="fresh")
    Session.objects.filter(session_key=old).update(expire_date=timezone.now() - timedelta(days=1))
    call_command("clearsessions")
    assert list(Session.objects.values_list("session_key", flat=True)) == [fresh]
