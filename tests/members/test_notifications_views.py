"""The notifications pages: each person sees and marks only their own; preferences turn kinds off."""

import pytest
from django.urls import reverse

from members.models import Notification, NotificationOptOut
from members.notifications import notify, unread_count
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def _note(user, title="Voting is open", url="/ballots/1/", kind=Notification.Kind.OPENING):
    return notify(users=[user], kind=kind, title=title, url=url)[0]


def test_the_list_shows_unread_first_and_only_the_persons_own(client):
    me, other = make_user(), make_user()
    old = _note(me, "Older, already read", url="/ballots/1/")
    Notification.objects.filter(pk=old.pk).update(read_at=old.created_at)
    new = _note(me, "Newest unread", url="/ballots/2/")
    _note(other, "Someone else's")
    response = login(client, me).get(reverse("members:notification_list"))
    assert response.status_code == 200
    assert [g["notification"].pk for g in response.context["groups"]] == [new.pk, old.pk]
    assert "Someone else&#x27;s" not in response.content.decode()
    assert response.context["nav"]["unread"] == 1


def test_another_persons_notification_is_404_for_every_action(client):
    me, other = make_user(), make_user()
    theirs = _note(other)
    login(client, me)
    for name in ("members:notification_open", "members:notification_read"):
        assert client.post(reverse(name, args=[theirs.pk])).status_code == 404
    assert client.post(reverse("members:notification_read", args=[999999])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("members:notification_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client):
    me = make_user()
    note = _note(me, url="/ballots/7/")
    response = login(client, me).post(reverse("members:notification_open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == "/ballots/7/"
    note.refresh_from_db()
    assert note.read_at is not None
    first = note.read_at
    client.post(reverse("members:notification_read", args=[note.pk]))
    note.refresh_from_db()
    assert note.read_at == first            # reading twice keeps the first time


def test_a_notification_never_redirects_off_the_site(client):
    me = make_user()
    note = _note(me, url="https://evil.example/phish")
    response = login(client, me).post(reverse("members:notification_open", args=[note.pk]))
    assert response["Location"] == reverse("members:notification_list")


def test_mark_one_and_mark_all_read(client):
    me, other = make_user(), make_user()
    a, b, c = (_note(me, f"n{i}", url=f"/ballots/{i}/") for i in range(3))
    theirs = _note(other)
    login(client, me).post(reverse("members:notification_read", args=[a.pk]))
    assert unread_count(me) == 2
    client.post(reverse("members:notification_read_all"))
    assert unread_count(me) == 0
    assert unread_count(other) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_actions_change_nothing_on_get(client):
    me = make_user()
    note = _note(me)
    login(client, me)
    for name, args in (("members:notification_open", [note.pk]), ("members:notification_read", [note.pk]),
                       ("members:notification_read_all", [])):
        assert client.get(reverse(name, args=args)).status_code == 405
    note.refresh_from_db()
    assert note.read_at is None


def test_preferences_turn_kinds_off_and_back_on(client):
    me = make_user()
    login(client, me)
    response = client.get(reverse("members:notification_preferences"))
    assert set(response.context["form"].initial["receive"]) == set(Notification.Kind.values)
    keep = [k for k in Notification.Kind.values if k not in ("reminder", "announcement")]
    response = client.post(reverse("members:notification_preferences"), {"receive": keep})
    assert response.status_code == 302
    assert set(NotificationOptOut.objects.filter(user=me).values_list("kind", flat=True)) == {"reminder",
                                                                                               "announcement"}
    assert notify(users=[me], kind=Notification.Kind.REMINDER, title="closes soon") == []
    assert len(notify(users=[me], kind=Notification.Kind.RESULT, title="result")) == 1
    client.post(reverse("members:notification_preferences"), {"receive": Notification.Kind.values})
    assert not NotificationOptOut.objects.filter(user=me).exists()


def test_preferences_refuse_an_unknown_kind_and_change_nothing(client):
    me = make_user()
    login(client, me)
    response = client.post(reverse("members:notification_preferences"), {"receive": ["gossip"]})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not NotificationOptOut.objects.filter(user=me).exists()


def test_the_notification_list_uses_a_constant_number_of_queries(client, django_assert_max_num_queries):
    me = make_user()
    for i in range(60):  # 30 things, two notifications about each
        _note(me, f"notification {i}", kind=Notification.Kind.values[i % 6], url=f"/ballots/{i % 30}/")
    login(client, me)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("members:notification_list"))
    assert len(response.context["groups"]) == 10
    assert {g["count"] for g in response.context["groups"]} == {2}
    with django_assert_max_num_queries(9):
        assert client.get(reverse("members:notification_list") + "?page=3").status_code == 200


def test_the_admin_lists_notifications_read_only(client):
    admin_user = make_user()
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    note = _note(make_user(), "Voting is open: 加装电梯")
    login(client, admin_user)
    response = client.get(reverse("admin:members_notification_changelist"))
    assert response.status_code == 200 and "加装电梯" in response.content.decode()
    assert client.get(reverse("admin:members_notification_add")).status_code == 403
    assert client.get(reverse("admin:members_notificationoptout_changelist")).status_code == 200
    response = client.post(reverse("admin:members_notification_change", args=[note.pk]), {"title": "edited"})
    note.refresh_from_db()
    assert note.title == "Voting is open: 加装电梯"


def test_the_list_groups_notifications_about_one_thing_newest_first_with_a_count(client):
    me = make_user()
    hearing = [_note(me, f"Hearing news {i}", url="/hearings/5/", kind=Notification.Kind.ANNOUNCEMENT)
               for i in range(3)]
    Notification.objects.filter(pk=hearing[0].pk).update(read_at=hearing[0].created_at)
    ballot = _note(me, "Voting is open", url="/ballots/2/")
    lonely = [_note(me, "No link", url=""), _note(me, "No link either", url="")]
    response = login(client, me).get(reverse("members:notification_list"))
    groups = response.context["groups"]
    assert len(groups) == 4  # the hearing, the ballot, and each notification without a link alone
    first = next(g for g in groups if g["notification"].pk == hearing[2].pk)
    assert (first["count"], first["unread"]) == (3, 2)
    assert {g["notification"].pk for g in groups} == {hearing[2].pk, ballot.pk, lonely[0].pk, lonely[1].pk}
    html = response.content.decode()
    assert "Hearing news 2" in html and "Hearing news 1" not in html and "共 3 条相关通知" in html


def test_opening_the_page_a_notification_is_about_marks_it_read_with_the_others_about_it(client):
    me = make_user()
    page = reverse("members:notification_preferences")
    about = [_note(me, f"about the page {i}", url=page) for i in range(2)]
    elsewhere = _note(me, "about something else", url="/ballots/9/")
    response = login(client, me).get(page)
    assert response.status_code == 200
    assert response.context["nav"]["unread"] == 1  # the header counts after the page is read
    assert all(Notification.objects.get(pk=n.pk).read_at is not None for n in about)
    assert Notification.objects.get(pk=elsewhere.pk).read_at is None
    client.post(page, {"receive": Notification.Kind.values})  # a POST reads nothing
    assert Notification.objects.get(pk=elsewhere.pk).read_at is None


def test_a_page_writes_nothing_when_nothing_is_unread(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    me = make_user()
    note = _note(me, url=reverse("members:notification_preferences"))
    Notification.objects.filter(pk=note.pk).update(read_at=note.created_at)
    login(client, me)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("members:notification_preferences")).status_code == 200
    assert not [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")
                and "notification" in q["sql"]]
