"""notify(): rows in the caller's transaction, e-mail only after commit, opt-outs, idempotent keys."""

import pytest
from django.core import mail
from django.db import transaction

from members.models import Notification
from members.notifications import notify, set_opt_out
from members.waiting import WaitingItem, waiting_for
from tests import databases
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _people(n):
    return [make_user(email=f"p{i}@example.org") for i in range(n)]


def test_mail_goes_out_after_commit_and_never_for_a_rolled_back_change():
    a, b = _people(2)
    with transaction.atomic():
        notify(users=[a, b], kind=Notification.Kind.ANNOUNCEMENT, title="Hearing on the lift", url="/h/1/")
        assert mail.outbox == []          # nothing before commit
    assert sorted(m.to[0] for m in mail.outbox) == ["p0@example.org", "p1@example.org"]
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2

    mail.outbox.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(users=[a], kind=Notification.Kind.RESULT, title="Results", url="/r/")
        raise RuntimeError("the change fails")
    assert mail.outbox == []
    assert not Notification.objects.filter(kind=Notification.Kind.RESULT).exists()


def test_people_who_turned_a_kind_off_get_neither_mail_nor_a_list_entry():
    a, b = _people(2)
    set_opt_out(user=a, kind=Notification.Kind.REMINDER, off=True)
    notify(users=[a, b], kind=Notification.Kind.REMINDER, title="Voting closes tomorrow")
    assert [m.to[0] for m in mail.outbox] == ["p1@example.org"]
    assert list(Notification.objects.values_list("user_id", flat=True)) == [b.pk]
    set_opt_out(user=a, kind=Notification.Kind.REMINDER, off=False)
    notify(users=[a], kind=Notification.Kind.REMINDER, title="Voting closes tomorrow")
    assert Notification.objects.filter(user=a).count() == 1


def test_a_dedupe_key_notifies_each_person_once():
    a, b = _people(2)
    notify(users=[a], kind=Notification.Kind.REMINDER, title="t", dedupe_key="reminder:ballot:1")
    notify(users=[a, b], kind=Notification.Kind.REMINDER, title="t", dedupe_key="reminder:ballot:1")
    assert Notification.objects.filter(dedupe_key="reminder:ballot:1").count() == 2
    assert len(mail.outbox) == 2


def test_people_without_an_address_are_listed_but_not_mailed():
    person = make_user(email="")
    notify(users=[person], kind=Notification.Kind.OPENING, title="Voting is open")
    assert Notification.objects.filter(user=person).count() == 1
    assert mail.outbox == []


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        notify(users=_people(1), kind="gossip", title="x")


def test_waiting_for_an_anonymous_visitor_is_empty():
    from django.contrib.auth.models import AnonymousUser
    assert waiting_for(AnonymousUser()) == []
    assert WaitingItem(kind="vote", title="t", action="Vote", url="/").due is None


@databases.DEMO
def test_seed_demo_gives_demo_residents_notifications_once():
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", force=True, stdout=StringIO())
    resident = Notification.objects.filter(user__username="resident")
    kinds = set(resident.values_list("kind", flat=True))
    assert {Notification.Kind.OPENING, Notification.Kind.ANNOUNCEMENT} <= kinds
    assert Notification.objects.filter(user__username="resident_rep", kind=Notification.Kind.RESULT).exists()
    before = Notification.objects.count()
    call_command("seed_demo", force=True, stdout=StringIO())
    assert Notification.objects.count() == before
