"""Large print ("A+"): remembered on the account of a signed-in person, in a cookie for a visitor."""

import pytest
from django.urls import reverse

from members import services
from members.context_processors import LARGE_PRINT_COOKIE
from members.models import User
from tests.factories import make_user

pytestmark = pytest.mark.django_db

URL = reverse("members:large_print_set")


def _html_class(response) -> bool:
    return '<html lang="' in (page := response.content.decode()) and 'class="large-print"' in page.split(">", 2)[1]


def test_large_print_is_remembered_on_the_account_and_drawn_on_every_page(client):
    user = make_user()
    client.force_login(user)
    assert not _html_class(client.get("/"))
    response = client.post(URL, {"large_print": "on", "next": "/me/memberships/"})
    assert response.status_code == 302 and response["Location"] == "/me/memberships/"
    assert User.objects.get(pk=user.pk).large_print is True
    assert _html_class(client.get("/me/memberships/"))
    assert 'aria-pressed="true"' in client.get("/").content.decode()
    client.logout()
    client.force_login(user)  # another device: the account remembers
    assert _html_class(client.get("/"))
    client.post(URL, {"large_print": "off", "next": "/"})
    assert User.objects.get(pk=user.pk).large_print is False and not _html_class(client.get("/"))


def test_a_visitor_gets_large_print_from_a_cookie_and_the_account_is_untouched(client):
    response = client.post(URL, {"large_print": "on", "next": "/accounts/login/"})
    assert response.status_code == 302 and response.cookies[LARGE_PRINT_COOKIE].value == "1"
    assert response.cookies[LARGE_PRINT_COOKIE]["httponly"]
    assert _html_class(client.get("/"))
    response = client.post(URL, {"large_print": "off"})
    assert response["Location"] == "/" and response.cookies[LARGE_PRINT_COOKIE].value == ""
    assert not _html_class(client.get("/"))


def test_a_foreign_next_goes_home_and_a_get_changes_nothing(client):
    user = make_user()
    client.force_login(user)
    assert client.post(URL, {"large_print": "on", "next": "https://evil.example/"})["Location"] == "/"
    assert client.post(URL, {"large_print": "on", "next": "//evil.example/x"})["Location"] == "/"
    # Not a path: a view name or a bare word goes home too, never an error.
    assert client.post(URL, {"large_print": "on", "next": "0"})["Location"] == "/"
    assert client.post(URL, {"large_print": "on", "next": "home"})["Location"] == "/"
    services.person_set_large_print(user=user, on=False)
    assert client.get(URL).status_code == 405
    assert User.objects.get(pk=user.pk).large_print is False


def test_switching_large_print_is_recorded_in_the_persons_history_by_themselves():
    user = make_user()
    services.person_set_large_print(user=user, on=True)
    services.person_set_large_print(user=user, on=True)  # no change, no new history row
    latest = user.history.order_by("-history_id").first()
    assert latest.large_print is True and latest.history_user_id == user.pk
    assert user.history.filter(large_print=True).count() == 1
