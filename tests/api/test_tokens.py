"""Tokens: made by the street's officers, stored hashed, revoked once; the pages, and their query counts."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from api import selectors, services
from api.models import ApiRequest, ApiToken
from tests.factories import make_street, make_street_officer, make_user

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_as_the_hash_of_its_secret_and_found_by_its_prefix():
    street = make_street()
    officer = make_street_officer(street)
    token, secret = services.token_create(street=street, name="HR system", days=30, by=officer)
    row = ApiToken.objects.get()
    assert secret.split(".")[1] not in str(ApiToken.objects.values().get()) and row.secret_hash != secret
    assert selectors.token_for(secret) == token
    assert selectors.token_for(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert selectors.token_for("") is None


@pytest.mark.parametrize("name,days,code", [("", 30, "required"), ("x", 0, "invalid_days"),
                                            ("x", 400, "invalid_days")])
def test_a_bad_token_request_is_refused_and_makes_nothing(name, days, code):
    street = make_street()
    with pytest.raises(ValidationError) as refusal:
        services.token_create(street=street, name=name, days=days, by=make_street_officer(street))
    assert refusal.value.code == code and not ApiToken.objects.exists()


def test_two_tokens_of_a_street_cannot_share_a_name():
    street = make_street()
    officer = make_street_officer(street)
    services.token_create(street=street, name="HR", days=30, by=officer)
    with pytest.raises(ValidationError) as refusal:
        services.token_create(street=street, name="HR", days=30, by=officer)
    assert refusal.value.code == "duplicate_name" and ApiToken.objects.count() == 1


def test_only_the_streets_officers_make_and_revoke_its_tokens():
    street, other = make_street(), make_street()
    with pytest.raises(PermissionDenied):
        services.token_create(street=street, name="HR", days=30, by=make_street_officer(other))
    token, _ = services.token_create(street=street, name="HR", days=30, by=make_street_officer(street))
    with pytest.raises(PermissionDenied):
        services.token_revoke(token=token, by=make_user())


def test_a_token_is_revoked_once():
    street = make_street()
    officer = make_street_officer(street)
    token, _ = services.token_create(street=street, name="HR", days=30, by=officer)
    services.token_revoke(token=token, by=officer)
    with pytest.raises(ValidationError) as refusal:
        services.token_revoke(token=token, by=officer)
    assert refusal.value.code == "already_revoked"
    assert token.history.count() == 2


def test_the_secret_is_shown_once_on_making_and_never_on_the_list(client):
    street = make_street()
    officer = make_street_officer(street)
    client.force_login(officer)
    url = reverse("api:token_list", args=[street.pk])
    made = client.post(url, {"name": "HR system", "days": "90"})
    secret = made.context["secret"]
    assert secret in made.content.decode()
    assert secret not in client.get(url).content.decode()
    assert client.post(url, {"name": "", "days": "abc"}).status_code == 200 and ApiToken.objects.count() == 1


def test_another_streets_officer_gets_404_on_every_token_page(client):
    street = make_street()
    token, _ = services.token_create(street=street, name="HR", days=30, by=make_street_officer(street))
    client.force_login(make_street_officer(make_street()))
    for url in (reverse("api:token_list", args=[street.pk]), reverse("api:token_log", args=[street.pk]),
                reverse("api:token_revoke", args=[street.pk, token.pk])):
        assert client.get(url).status_code == 404
    assert client.post(reverse("api:token_revoke", args=[street.pk, token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_asks_first_then_revokes(client):
    street = make_street()
    officer = make_street_officer(street)
    token, _ = services.token_create(street=street, name="HR", days=30, by=officer)
    client.force_login(officer)
    url = reverse("api:token_revoke", args=[street.pk, token.pk])
    assert client.get(url).status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_by == officer


def test_the_token_pages_read_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    street = make_street()
    officer = make_street_officer(street)
    client.force_login(officer)
    for i in range(15):
        token, _ = services.token_create(street=street, name=f"system {i}", days=30, by=officer)
        ApiRequest.objects.bulk_create([ApiRequest(token=token, method="GET", path=f"/api/v1/hearings/?n={n}",
                                                   status=200) for n in range(4)])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("api:token_list", args=[street.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        page = client.get(reverse("api:token_log", args=[street.pk]))
    assert page.status_code == 200 and page.content.decode().count("/api/v1/hearings/?n=") == 50
