"""Sessions: a new key at login, logout kills the old cookie, revoked rights end at once."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from decisions.models import Participation
from members import services as member_services
from members.models import Membership, Session
from tests.decisions.factories import choices, make_floor_leader, make_open_ballot
from tests.factories import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-9"


def _login(client: Client, username: str) -> None:
    response = client.post(reverse("account_login"), {"login": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_login_gives_a_new_session_key():
    user = make_user(username="fixation-victim")
    client = Client()
    session = client.session  # an anonymous session, as an attacker could plant before the login
    session["planted"] = "by someone else"
    session.save()
    before = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = before
    _login(client, user.username)
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_logout_invalidates_the_old_cookie():
    user = make_user(username="leaves-the-centre")
    client = Client()
    _login(client, user.username)
    old_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(reverse("decisions:my_ballots")).status_code == 200
    client.post(reverse("account_logout"))
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    response = replay.get(reverse("decisions:my_ballots"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert not Session.objects.filter(session_key=old_cookie).exists()


def _vote(client, ballot, meaning="yes"):
    data = {f"q{q}": opts for q, opts in choices(ballot, meaning).items()}
    return client.post(reverse("decisions:ballot_vote", args=[ballot.pk]),
                       {**data, "action": "confirm", "after": "0"})


def test_a_resident_whose_membership_ended_cannot_vote_from_an_older_session():
    """Rights are read from the database on every request, never from the session.

    The session is opened while a resident; the membership ends. The old session can vote neither
    on the ballot that was already open (its electorate stays frozen, but a holder who left cannot
    use the voice: tests/decisions/test_services.py::
    test_later_membership_changes_do_not_alter_an_open_household_ballot) nor on the next one.
    """
    from decisions import services as ballot_services
    from decisions.models import Ballot

    ballot, organizer, voters = make_open_ballot(n=3)
    leaver = voters[0]
    client = Client()
    client.force_login(leaver)  # the session is opened while still a resident
    assert client.get(reverse("decisions:ballot_detail", args=[ballot.pk])).status_code == 200
    membership = Membership.objects.get(user=leaver, status=Membership.Status.VERIFIED)
    member_services.membership_leave(membership=membership, by=organizer)
    before = Participation.objects.count()
    _vote(client, ballot)
    assert Participation.objects.count() == before  # the ballot open before: refused too
    later = ballot_services.ballot_create(committee=ballot.committee, by=organizer, title="Next question",
                                          electorate=Ballot.Electorate.HOUSEHOLDS, building=ballot.building)
    ballot_services.ballot_open(ballot=later, by=organizer)
    later.refresh_from_db()
    before = Participation.objects.count()
    assert client.get(reverse("decisions:ballot_detail", args=[later.pk])).status_code == 404
    response = _vote(client, later)
    assert response.status_code == 404
    assert Participation.objects.count() == before
    # Another resident of the same building still votes normally.
    other = Client()
    other.force_login(voters[1])
    assert _vote(other, later).status_code == 302
    assert Participation.objects.count() == before + 1


def test_a_floor_leader_whose_role_was_revoked_cannot_enter_assisted_votes_any_more():
    ballot, organizer, voters = make_open_ballot(n=3)
    leader = make_floor_leader(ballot.building)
    client = Client()
    client.force_login(leader)
    url = reverse("decisions:assisted_vote", args=[ballot.pk])
    assert client.get(url).status_code == 200
    member_services.role_revoke(role=leader.roles.get(), by=organizer)
    assert client.get(url).status_code == 404
    before = Participation.objects.count()
    assert client.post(url, {"consent_note": "asked by phone"}).status_code == 404
    assert Participation.objects.count() == before
