"""A database out of reach (PostgreSQL stopped, connection dropped) gives the 503 "try again" page."""

from unittest import mock

import psycopg
import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _dropped(cls=OperationalError):
    error = cls("server closed the connection unexpectedly")
    error.__cause__ = psycopg.OperationalError("server closed the connection unexpectedly")
    return error


@pytest.mark.parametrize("cls", [OperationalError, InterfaceError])
def test_a_dropped_connection_in_a_view_gives_503_try_again(cls):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_user())
    with mock.patch("decisions.views.voting.selectors.my_voices", side_effect=_dropped(cls)):
        response = client.get(reverse("decisions:my_ballots"))
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    text = response.content.decode()
    assert "Please try again in a minute" in text and "receipt code" in text


def test_a_dropped_connection_in_a_middleware_gives_503_not_500():
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_user())
    # LocaleMiddleware stands in for any middleware below ours (the session's save, allauth's ...).
    with mock.patch("django.middleware.locale.LocaleMiddleware.process_request", side_effect=_dropped()):
        response = client.get(reverse("decisions:my_ballots"))
    assert response.status_code == 503
    assert "Please try again in a minute" in response.content.decode()


def test_the_503_page_is_in_chinese_by_default():
    client = Client(raise_request_exception=False)
    client.force_login(make_user())
    with mock.patch("decisions.views.voting.selectors.my_voices", side_effect=_dropped()):
        response = client.get(reverse("decisions:my_ballots"))
    assert response.status_code == 503
    assert "请稍后再试" in response.content.decode()


def test_a_programming_error_is_still_a_500():
    client = Client(raise_request_exception=False)
    client.force_login(make_user())
    with mock.patch("decisions.views.voting.selectors.my_voices",
                    side_effect=OperationalError("no such column: x")):
        assert client.get(reverse("decisions:my_ballots")).status_code == 500
