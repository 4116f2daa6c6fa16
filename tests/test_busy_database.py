from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_database_that_stays_locked_gives_a_try_again_page_not_a_500(client):
    client.force_login(make_user())
    with mock.patch("members.views.selectors.user_memberships",
                    side_effect=OperationalError("database is locked")):
        response = client.get(reverse("home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "try again" in response.text.lower() or "再试" in response.text


def test_other_database_errors_are_not_hidden(client):
    client.force_login(make_user())
    client.raise_request_exception = True
    with mock.patch("members.views.selectors.user_memberships", side_effect=OperationalError("disk I/O error")), \
            pytest.raises(OperationalError):
        client.get(reverse("home"))
