"""members.auth: the signed-in user taken from the session's read (members.sessions), as the ORM reads it."""

import pytest
from django.contrib.auth import SESSION_KEY, get_user
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.auth import AuthenticationBackend, ModelBackend
from members.models import User
from members.sessions import SessionStore, signed_in
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-9"


def _fields(user: User) -> dict:
    return {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}


def _read_with_its_session(user: User) -> User:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store.save()
    SessionStore(session_key=store.session_key).load()
    return signed_in.get()[1]


def test_the_user_read_with_the_session_equals_what_the_orm_loads_field_by_field():
    user = make_user(phone="+8613900000011", password=PASSWORD)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now(), is_staff=True)
    loaded = _read_with_its_session(user)
    expected = User.objects.get(pk=user.pk)
    assert _fields(loaded) == _fields(expected)
    # The same Python types (SQLite stores dates as text and booleans as integers).
    assert {k: type(v) for k, v in _fields(loaded).items()} == {k: type(v) for k, v in _fields(expected).items()}
    assert loaded._state.adding is False and loaded._state.db == "default"
    assert loaded.check_password(PASSWORD)


def test_an_unknown_user_is_none():
    assert ModelBackend().get_user(987654321) is None
    assert AuthenticationBackend().get_user(987654321) is None


def test_an_inactive_user_is_not_signed_in_by_either_backend():
    user = make_user(password=PASSWORD)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert ModelBackend().get_user(user.pk) is None
    assert AuthenticationBackend().get_user(user.pk) is None


def test_a_signed_in_request_reads_its_user_with_one_statement(client):
    user = make_user(password=PASSWORD)
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = client.session
    with CaptureQueriesContext(connection) as ctx:
        found = get_user(request)
    assert found == user and found.is_authenticated
    statements = [q["sql"] for q in ctx.captured_queries]
    assert len(statements) == 1, statements  # the session and its user, together (members.sessions)
    assert "members_session" in statements[0] and "members_user" in statements[0]


def test_without_the_row_read_with_the_session_the_user_is_read_on_its_own():
    user = make_user(password=PASSWORD)
    with CaptureQueriesContext(connection) as ctx:
        assert ModelBackend().get_user(user.pk) == user
    assert len(ctx.captured_queries) == 1 and "members_session" not in ctx.captured_queries[0]["sql"]


def test_signing_in_by_phone_then_using_the_site_goes_through_these_backends(client):
    user = make_user(phone="+8613900000012", password=PASSWORD)
    response = client.post(reverse("account_login"), {"login": "13900000012", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.session["_auth_user_backend"] == "members.auth.AuthenticationBackend"
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.wsgi_request.user == user


def test_a_password_change_signs_the_other_sessions_out(client):
    """The session hash is still checked against the user loaded here."""
    user = make_user(password=PASSWORD)
    client.force_login(user)
    user.set_password("another-horse-7")
    user.save()
    response = client.get(reverse("home"))
    assert not response.wsgi_request.user.is_authenticated
