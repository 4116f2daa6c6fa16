"""Limits: oversized bodies, too many fields, oversized uploads, the vote throttle, the login lockout."""

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.test import Client, override_settings
from django.urls import reverse

from decisions.models import Ballot, Participation
from members.models import Household
from tests.decisions.factories import choices, make_open_ballot
from tests.factories import make_committee, make_organizer, make_user
from tests.security import figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer_client():
    committee = make_committee()
    client = Client(raise_request_exception=False)
    client.force_login(make_organizer(committee))
    return client, committee


def _clear_page(response, *words):
    text = response.content.decode()
    assert "Traceback" not in text
    assert any(word in text for word in words), text[:500]


def test_a_body_over_data_upload_max_memory_size_gets_a_clear_400(organizer_client):
    client, committee = organizer_client
    before = Ballot.objects.count()
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(reverse("decisions:ballot_create", args=[committee.pk]), {"title": big})
    assert response.status_code == 400
    _clear_page(response, "could not be read", "无法读取")
    assert Ballot.objects.count() == before
    figures.add("limits_checked")


def test_too_many_fields_gets_a_clear_400(organizer_client):
    client, committee = organizer_client
    before = Ballot.objects.count()
    data = {f"f{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)} | {"title": "t"}
    response = client.post(reverse("decisions:ballot_create", args=[committee.pk]), data)
    assert response.status_code == 400
    _clear_page(response, "could not be read", "无法读取")
    assert Ballot.objects.count() == before
    figures.add("limits_checked")


def test_an_upload_over_the_request_limit_gets_413_before_it_is_read(organizer_client):
    client, committee = organizer_client
    from django.core.files.uploadedfile import SimpleUploadedFile

    with override_settings(MAX_REQUEST_BYTES=64 * 1024):
        upload = SimpleUploadedFile("roster.csv", b"a" * (65 * 1024), content_type="text/csv")
        response = client.post(reverse("members:roster_import", args=[committee.pk]), {"file": upload})
    assert response.status_code == 413
    _clear_page(response, "too large", "过大")
    assert Household.objects.count() == 0
    figures.add("limits_checked")


def test_the_request_limit_leaves_room_for_one_attachment_and_its_form():
    assert settings.MAX_REQUEST_BYTES >= settings.ATTACHMENT_MAX_BYTES
    assert settings.MAX_REQUEST_BYTES >= settings.ROSTER_MAX_BYTES


def test_a_roster_over_its_own_limit_but_under_the_request_limit_is_a_form_error(organizer_client):
    client, committee = organizer_client
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("roster.csv", b"a" * (settings.ROSTER_MAX_BYTES + 1), content_type="text/csv")
    response = client.post(reverse("members:roster_import", args=[committee.pk]), {"file": upload})
    assert response.status_code == 200
    assert Household.objects.count() == 0
    figures.add("limits_checked")


# --- The vote throttle ---------------------------------------------------------------------

def _vote_post(client, ballot, meaning="yes", after="0", ip="10.1.1.1"):
    data = {f"q{q}": opts for q, opts in choices(ballot, meaning).items()}
    return client.post(reverse("decisions:ballot_vote", args=[ballot.pk]),
                       {**data, "action": "confirm", "after": after}, REMOTE_ADDR=ip)


@override_settings(VOTE_THROTTLE="3/60")
def test_vote_submissions_are_throttled_per_person_not_per_ip():
    cache.clear()
    caches["throttle"].clear()
    ballot, _organizer, voters = make_open_ballot(n=3)
    hasty, neighbour = Client(), Client()
    hasty.force_login(voters[0])
    neighbour.force_login(voters[1])
    url = reverse("decisions:ballot_vote", args=[ballot.pk])
    data = {f"q{q}": opts for q, opts in choices(ballot, "yes").items()}
    for _ in range(3):  # choices → confirmation page, three times: within the limit
        assert hasty.post(url, data, REMOTE_ADDR="10.1.1.1").status_code == 200
    before = Participation.objects.count()
    refused = _vote_post(hasty, ballot)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    _clear_page(refused, "wait", "稍等", "请等")
    assert Participation.objects.count() == before  # the refused confirm recorded nothing
    # The neighbour behind the same address votes normally.
    assert _vote_post(neighbour, ballot).status_code == 302
    assert Participation.objects.count() == before + 1
    figures.add("limits_checked", 2)


@override_settings(VOTE_THROTTLE="3/60")
def test_the_throttle_does_not_count_page_views():
    cache.clear()
    caches["throttle"].clear()
    ballot, _organizer, voters = make_open_ballot(n=2)
    client = Client()
    client.force_login(voters[0])
    for _ in range(10):
        client.get(reverse("decisions:ballot_vote", args=[ballot.pk]))
    assert _vote_post(client, ballot).status_code == 302


# --- The login lockout: per account and per IP address ---------------------------------------

def _login(username, password, ip):
    return Client().post(reverse("account_login"), {"login": username, "password": password}, REMOTE_ADDR=ip)


def _locked_out(response) -> bool:
    return response.status_code == 429 or (
        response.status_code == 200 and ("Too many failed login attempts" in response.content.decode()
                                         or "登录失败次数过多" in response.content.decode()))


def test_failed_logins_lock_the_account_but_not_a_neighbour_behind_the_same_ip():
    cache.clear()
    caches["throttle"].clear()
    target, neighbour = make_user(username="target"), make_user(username="neighbour")
    for _ in range(5):  # 5 wrong passwords for one account (limit "5/300s/key")
        assert _login("target", "wrong-password", "10.2.2.2").status_code == 200
    # Now even the right password of that account is refused, from any address ...
    assert _locked_out(_login("target", "correct-horse-9", "10.2.2.2"))
    assert _locked_out(_login("target", "correct-horse-9", "10.9.9.9"))
    # ... but the neighbour on the same address signs in.
    assert _login("neighbour", "correct-horse-9", "10.2.2.2").status_code == 302
    assert target.pk and neighbour.pk
    figures.add("limits_checked")


def test_failed_logins_from_one_ip_are_limited_across_accounts():
    cache.clear()
    caches["throttle"].clear()
    make_user(username="fresh-account")
    for i in range(10):  # 10 failures per minute from one address (limit "10/m/ip"), each on another account
        _login(f"guess-{i}", "wrong-password", "10.3.3.3")
    assert _locked_out(_login("fresh-account", "correct-horse-9", "10.3.3.3"))
    # The same account from another address is not blocked.
    assert _login("fresh-account", "correct-horse-9", "10.4.4.4").status_code == 302
    figures.add("limits_checked")


def test_lockout_settings_are_keyed_on_the_account_and_the_ip():
    rule = settings.ACCOUNT_RATE_LIMITS["login_failed"]
    assert "/ip" in rule and "/key" in rule
