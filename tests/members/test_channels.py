"""Each person's channel: the outward copy of every notification goes by it, within the SMS caps;
a new channel plugs in with one registration; the page to choose it."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from decisions import services
from members.messaging import channels
from members.messaging.models import ContactChoice, SmsMessage
from members.models import Notification
from members.notifications import notify
from tests.decisions.factories import choices, make_open_ballot
from tests.factories import make_committee, make_user

pytestmark = pytest.mark.django_db


def _tell(users, *, committee=None, key=""):
    return notify(users=users, kind=Notification.Kind.OPENING, title="投票开始：加装电梯", url="/b/1/",
                  dedupe_key=key, committee=committee)


def test_by_default_e_mail_if_there_is_an_address_else_sms_else_only_the_site(
        sms_outbox, django_capture_on_commit_callbacks):
    by_mail = make_user(email="a@example.org", phone="+8613800000011")
    by_sms = make_user(phone="+8613800000012")
    on_site = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        _tell([by_mail, by_sms, on_site])
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert [(m["phone"], m["template"], m["params"]) for m in sms_outbox] == [
        ("+8613800000012", "notice", ["投票开始：加装电梯"])]
    assert Notification.objects.filter(user=on_site).exists()  # the site list as before


def test_the_chosen_channel_carries_the_copy_and_only_it(sms_outbox, django_capture_on_commit_callbacks):
    wants_sms = make_user(email="b@example.org", phone="+8613800000021")
    wants_site = make_user(email="c@example.org", phone="+8613800000022")
    channels.contact_choice_set(user=wants_sms, channel="sms")
    channels.contact_choice_set(user=wants_site, channel="site")
    with django_capture_on_commit_callbacks(execute=True):
        _tell([wants_sms, wants_site])
    assert not mail.outbox
    assert [m["phone"] for m in sms_outbox] == ["+8613800000021"]
    assert Notification.objects.filter(user__in=[wants_sms, wants_site]).count() == 2


def test_a_channel_that_no_longer_reaches_the_person_falls_back_to_the_default(
        sms_outbox, django_capture_on_commit_callbacks):
    person = make_user(email="d@example.org", phone="+8613800000031")
    channels.contact_choice_set(user=person, channel="sms")
    person.phone = None
    person.save(update_fields=["phone"])
    with django_capture_on_commit_callbacks(execute=True):
        _tell([person])
    assert not sms_outbox and [m.to for m in mail.outbox] == [["d@example.org"]]


def test_a_channel_that_cannot_reach_the_person_is_refused_and_nothing_changes():
    person = make_user(phone="+8613800000041")
    channels.contact_choice_set(user=person, channel="site")
    with pytest.raises(ValidationError) as error:
        channels.contact_choice_set(user=person, channel="email")
    assert error.value.code == "channel_unavailable"
    with pytest.raises(ValidationError):
        channels.contact_choice_set(user=person, channel="carrier-pigeon")
    assert ContactChoice.objects.get(user=person).channel == "site"


def test_a_new_channel_plugs_in_with_one_registration(django_capture_on_commit_callbacks, client):
    delivered = []
    linked = make_user(phone="+8613800000051")
    site_wechat = channels._registry.get("wechat")  # the site's own WeChat channel, put back after
    channels.register(channels.Channel(
        name="wechat", label="WeChat", order=15, reaches=lambda user: user.pk == linked.pk,
        deliver=lambda rows, *, committee_id=None: delivered.extend((n.user_id, n.title) for n in rows)))
    try:
        assert "wechat" in [c.name for c in channels.available_to(linked)]
        assert "wechat" not in [c.name for c in channels.available_to(make_user())]
        client.force_login(linked)
        response = client.post(reverse("members:contact_channel"), {"channel": "wechat"})
        assert response.status_code == 302
        with django_capture_on_commit_callbacks(execute=True):
            _tell([linked])
        assert delivered == [(linked.pk, "投票开始：加装电梯")]
        assert not SmsMessage.objects.exists()
    finally:
        channels._registry.pop("wechat")
        if site_wechat is not None:
            channels.register(site_wechat)


def test_copies_count_against_the_committee_cap(settings, sms_outbox, django_capture_on_commit_callbacks):
    settings.SMS_CAPS = {**settings.SMS_CAPS, "COMMITTEE_DAY": 2}
    committee = make_committee()
    people = [make_user(phone=f"+86138000001{i:02d}") for i in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        _tell(people, committee=committee)
    assert len(sms_outbox) == 2
    assert SmsMessage.objects.get(status=SmsMessage.Status.REFUSED).reason == "committee_day"
    assert Notification.objects.filter(user__in=people).count() == 3  # the site list still tells everyone


def test_the_closing_reminder_of_a_secret_ballot_goes_to_those_who_have_not_voted_in_the_same_words(
        sms_outbox, django_capture_on_commit_callbacks):
    ballot, _organizer, voters = make_open_ballot(n=3)
    for i, voter in enumerate(voters):
        voter.phone = f"+8613900000{i:03d}"
        voter.save(update_fields=["phone"])
    services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))
    services.vote_cast(ballot=ballot, voter=voters[1], choices=choices(ballot, "no"))
    sms_outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ballot_remind(ballot=ballot)
    # Only the one who has not voted (from the register, never the papers), with the words everyone gets.
    assert [m["phone"] for m in sms_outbox] == [voters[2].phone]
    (notification,) = Notification.objects.filter(kind=Notification.Kind.REMINDER)
    with translation.override("zh-hans"):  # the copy is in the site's language
        assert sms_outbox[0]["params"] == [notification.shown_title[:35]]
    assert sms_outbox[0]["params"][0].startswith("投票将在24小时内截止")


# --- The page ---------------------------------------------------------------------------------

def test_the_page_lists_the_channels_open_to_the_person_and_saves_the_choice(client):
    person = make_user(phone="+8613800000061")
    client.force_login(person)
    page = client.get(reverse("members:contact_channel"))
    assert page.status_code == 200
    assert [value for value, _label in page.context["form"].fields["channel"].choices] == ["sms", "site"]
    assert page.context["form"].initial["channel"] == "sms"
    response = client.post(reverse("members:contact_channel"), {"channel": "site"})
    assert response.status_code == 302 and ContactChoice.objects.get(user=person).channel == "site"


def test_bad_input_on_the_page_shows_a_message_and_changes_nothing(client):
    person = make_user(phone="+8613800000071")
    client.force_login(person)
    response = client.post(reverse("members:contact_channel"), {"channel": "email"})
    assert response.status_code == 200 and response.context["form"].errors["channel"]
    assert not ContactChoice.objects.filter(user=person).exists()


def test_the_page_is_linked_from_the_persons_own_page_and_needs_a_login(client):
    person = make_user(phone="+8613800000081")
    assert client.get(reverse("members:contact_channel")).status_code == 302
    client.force_login(person)
    assert reverse("members:contact_channel") in client.get(reverse("members:my_memberships")).content.decode()


def test_a_rolled_back_change_puts_nothing_in_the_outbox(sms_outbox, django_capture_on_commit_callbacks):
    from django.db import transaction

    person = make_user(phone="+8613800000091")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        _tell([person])
        raise RuntimeError("rolled back")
    assert not SmsMessage.objects.exists() and not sms_outbox
